"""Read pip-audit's JSON report and fail loudly unless every locked package was audited.

pip-audit counts a package it could not look up (no advisory service reachable, a private index)
as "skipped" and still prints "No known vulnerabilities found". A run that audited nothing is not
an audit: this script says how many packages were audited, lists the skipped ones, and exits 1
when any was skipped or any vulnerability was found.

    python scripts/audit-report.py var/audit.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    report = json.loads(Path(path).read_text())
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            print(f"VULNERABLE {dependency['name']} {dependency.get('version', '')}: {vuln['id']} ({fixes})")
    if not dependencies:
        print("AUDIT FAILED: the report lists no packages at all.", file=sys.stderr)
        return 1
    if skipped:
        print(
            f"AUDIT FAILED: {len(skipped)} of {len(dependencies)} locked packages were NOT audited "
            "(the advisory service could not be reached or does not know them); "
            f"{len(audited)} were.",
            file=sys.stderr,
        )
        for dependency in skipped[:10]:
            print(f"  not audited: {dependency['skip_reason']}", file=sys.stderr)
        if len(skipped) > 10:
            print(f"  ... and {len(skipped) - 10} more", file=sys.stderr)
        return 1
    if vulnerable:
        print(f"AUDIT FAILED: {len(vulnerable)} of {len(audited)} packages have known vulnerabilities.")
        return 1
    print(f"Audited all {len(audited)} locked packages: no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
