"""gunicorn's logger with the access line redacted: an address with a key or a token in its query
(``/verify/?key=…``, also url-encoded) is logged with ``[redacted]`` in its place (the same rules as
every other log line, portal/log_redaction.py). Used by config/gunicorn.py (``logger_class``)."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from portal.log_redaction import redact_text


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact_text(value) if isinstance(value, str) else value for name, value in atoms.items()
        }
