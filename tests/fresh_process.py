"""Python code run in a new interpreter, as a worker, a web process or ``make run`` starts: what a
process loads, or does, from nothing, which the test process (already set up) cannot show."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def last_json_line(
    code: str,
    *,
    settings_module: str = "config.settings.test",
    env: dict[str, str] | None = None,
    timeout: int = 120,
) -> Any:
    """Run ``code`` in a new interpreter from the project's folder, with ``settings_module`` and the
    environment given (the test process's own by default), and read the JSON its last line prints.
    A failing run fails the test with the end of its stderr."""
    environment = {**(os.environ if env is None else env), "DJANGO_SETTINGS_MODULE": settings_module}
    environment["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(  # noqa: S603 - this interpreter, code written by the tests
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
