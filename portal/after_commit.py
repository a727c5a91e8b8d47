"""Work that a business action hands on after its transaction commits.

Once the transaction has committed, the action has happened: the rows are in the database and the
user must be told so. Nothing that runs after the commit may turn that success into an error page.
The work handed on here is always a *kick* whose effect is also reached another way (the outbox
sweep of Celery beat sends every due mail; the first download renders a certificate PDF that was
never stored), so a kick that fails — the broker down or not answering, a file already gone — is
logged and forgotten, never raised.

A business action names the Celery task it hands work to (``task_send``), so that a services
module never imports its app's tasks module, which imports the services it calls.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger("portal.after_commit")


def run_logged(func: Callable[[], object], *, what: str) -> bool:
    """Call ``func`` now; log and swallow any failure. Returns whether it ran without one."""
    try:
        func()
    except Exception as exc:  # the broker, the cache or the storage: none may fail the request
        log.warning(
            "after the commit, %s failed (%s: %s); the periodic sweep picks the work up",
            what,
            type(exc).__name__,
            exc,
        )
        return False
    return True


def after_commit(func: Callable[[], object], *, what: str) -> None:
    """Run ``func`` once the current transaction commits (at once outside one), never raising."""
    transaction.on_commit(lambda: run_logged(func, what=what), robust=True)


def task_send(name: str, *args: object) -> None:
    """Hand work to the Celery task registered as ``name`` (``"<app>.tasks.<function>"``).

    The portal's Celery app is named by ``settings.PORTAL_CELERY_APP`` (wiring, like ROOT_URLCONF)
    and loads here, with the first work handed on, never at start-up. With a broker the message is
    sent by name: the web process never loads the tasks module. Without one
    (``CELERY_TASK_ALWAYS_EAGER``: the tests, the embedded demo) the task runs here, so its module is
    loaded by that name first.
    """
    app = import_string(settings.PORTAL_CELERY_APP)
    if not app.conf.task_always_eager:
        app.send_task(name, args=args)
        return
    if name not in app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    app.tasks[name].delay(*args)
