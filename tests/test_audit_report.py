"""``make audit`` fails unless every locked package was really audited (scripts/audit-report.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit-report.py"


def _report(tmp_path: Path, dependencies: list[dict]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "audit.json"
    path.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    return subprocess.run(  # noqa: S603 - our own script with a path we wrote
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=False
    )


def test_an_audit_that_could_look_up_no_package_fails_and_says_so(tmp_path):
    # given pip-audit's report where the advisory service was unreachable (it printed "No known
    # vulnerabilities found" and exited 0)
    skipped = [
        {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}
        for name in ("django", "celery", "redis")
    ]
    result = _report(tmp_path, skipped)
    # then the audit fails, naming how many were not audited
    assert result.returncode == 1
    assert "3 of 3 locked packages were NOT audited" in result.stderr
    assert "No known vulnerabilities" not in result.stdout + result.stderr


def test_one_package_not_audited_is_enough_to_fail(tmp_path):
    result = _report(
        tmp_path,
        [
            {"name": "django", "version": "6.1", "vulns": []},
            {"name": "private-lib", "skip_reason": "Dependency not found on PyPI: private-lib (0.1)"},
        ],
    )
    assert result.returncode == 1
    assert "1 of 2 locked packages were NOT audited" in result.stderr


def test_a_known_vulnerability_fails_the_audit(tmp_path):
    result = _report(
        tmp_path,
        [{"name": "django", "version": "6.1", "vulns": [{"id": "PYSEC-2026-1", "fix_versions": ["6.1.1"]}]}],
    )
    assert result.returncode == 1
    assert "VULNERABLE django 6.1: PYSEC-2026-1 (6.1.1)" in result.stdout


def test_an_audit_of_every_package_without_findings_passes_and_says_what_it_checked(tmp_path):
    result = _report(tmp_path, [{"name": "django", "version": "6.1", "vulns": []}])
    assert result.returncode == 0
    assert "Audited all 1 locked packages: no known vulnerabilities." in result.stdout
