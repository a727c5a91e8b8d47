"""A process that made PDFs leaves nothing behind when it exits: WeasyPrint copies the shipped font
(7.5 MB) into a temporary folder, which every web and PDF worker would otherwise leave in /tmp."""

from __future__ import annotations

from pathlib import Path

from tests.fresh_process import last_json_line

RENDER_AND_EXIT = """
import json
import django
django.setup()
from weasyprint import HTML
from certificates import pdf
pdf.warm_up()
renderer = pdf._renderer()
HTML(string="<p>保証証書</p>", base_url=renderer.base_url, url_fetcher=renderer.fetcher).write_pdf(
    stylesheets=[renderer.certificate_stylesheet], font_config=renderer.font_config
)
folder = renderer.font_config._folder
print(json.dumps({"folder": str(folder) if folder else None}))
"""


def test_a_worker_that_rendered_a_pdf_removes_its_font_folder_when_it_exits():
    # when: a new process warms the renderer up as a worker does, renders a page and exits
    seen = last_json_line(RENDER_AND_EXIT)
    # then: the font was copied while it ran, and the copy is gone once it exited
    assert seen["folder"], "the shipped font was not loaded through @font-face"
    assert not Path(seen["folder"]).exists()


SHUT_DOWN_AS_A_PREFORK_CHILD = """
import json, os
import django
django.setup()
from celery.signals import worker_process_init, worker_process_shutdown
import certificates.tasks
worker_process_init.send(sender=None)
from certificates import pdf
folder = pdf._renderer().font_config._folder
worker_process_shutdown.send(sender=None, pid=os.getpid(), exitcode=0)
print(json.dumps({"folder": str(folder) if folder else None}), flush=True)
os._exit(0)  # as billiard ends a pool process: no atexit
"""


def test_a_celery_pool_process_removes_its_font_folder_when_it_shuts_down():
    # when: a pool process warms up, is told to shut down and leaves as billiard's children do
    seen = last_json_line(SHUT_DOWN_AS_A_PREFORK_CHILD)
    # then: its copy of the font went with it, although atexit never ran
    assert seen["folder"], "the pool process did not load the renderer"
    assert not Path(seen["folder"]).exists()
