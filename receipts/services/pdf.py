"""Receipt PDFs: a Jinja template rendered by the service's one PDF renderer (`app.pdf`).

Rendering takes a plain `document` mapping (built by `receipts.services.documents`) and needs no
application context, so the same function runs in the request, in the job, and in the worker
processes of a batch. `app.pdf` keeps one FontConfiguration and the parsed stylesheets per process;
a receipt uses only plain elements, so it is styled from the small user-agent sheet.
"""
import ctypes
import gc
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import pdf

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = "receipts/pdf/receipt.html"
STYLESHEET = PACKAGE_DIR / "static" / "receipt_pdf.css"

_renderer = None


def qr_data_uri(url) -> str:
    """The verification link as a PNG QR code. One fixed mask: choosing the "best" of eight took
    longer than the rest of the QR code, and every mask scans."""
    return segno.make(url, error="m", mask=2).png_data_uri(scale=4, border=0)


def template_environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(PACKAGE_DIR / "templates")),
                       autoescape=select_autoescape(default=True, default_for_string=True))


class Renderer:
    def __init__(self):
        self.template = template_environment().get_template(TEMPLATE)

    def html(self, document):
        # The QR code is drawn here, in the rendering process, so that a batch spreads it over the pool.
        return self.template.render(doc={**document, "qr_uri": qr_data_uri(document["verification_url"])})

    def render(self, document) -> bytes:
        return pdf.render_pdf(self.html(document), stylesheets=[STYLESHEET], small_user_agent_sheet=True)


def renderer() -> Renderer:
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer


def render_pdf(document) -> bytes:
    return renderer().render(document)


# Workers are started fresh ("spawn": a new interpreter, given only its pipes), not forked: a forked
# worker would inherit the parent's open database connection, and, the parent killed, keep its
# socket open so that PostgreSQL never ends the killed transaction (the counter row stays locked).
START_METHOD = "spawn"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with(parent_pid):
    """Make this worker die with the process that started it, however that one ends (`kill -9`
    included): Linux sends it SIGKILL (PR_SET_PDEATHSIG); elsewhere, and should the parent have died
    before that was asked, a watch thread sees that the worker has been given another parent."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _start_worker(parent_pid):
    """A rendering worker's start: tied to its parent's life, then its own FontConfiguration, template
    and parsed stylesheets, built once before its first task."""
    _die_with(parent_pid)
    global _renderer
    _renderer = None
    pdf.reset()
    renderer()
    pdf.stylesheet(STYLESHEET)
    _collect_less()


def _collect_less():
    """A receipt's layout allocates thousands of container objects, most of them freed by reference
    counting once the PDF is written; with the default thresholds (700, 10, 10) the collector ran
    about six times per receipt: 4.3 ms of a 65 ms receipt (timed with `gc.callbacks`). What is built
    now lives as long as the worker and is set aside from collections (`gc.freeze`); the young
    generation is collected every 5,000 allocations: 1.8 ms per receipt. The older generations keep
    their default pace: slower ones let a receipt's cycles pile up, 60 MiB more per worker."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(5_000, 10, 10)


def _ready():
    return os.getpid()


class RenderPool:
    """Renders many receipts over the machine's cores; the database work stays with the caller.

    Its workers are started when it is made (make it before opening a transaction that will wait for
    them), hold no database connection, and die with the process that made it."""

    def __init__(self, workers=None):
        self.workers = workers or os.cpu_count() or 1
        self.executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context(START_METHOD),
                                            initializer=_start_worker, initargs=(os.getpid(),))
        # One task per worker starts them all now, from this thread (the one their death is tied to).
        for future in [self.executor.submit(_ready) for _ in range(self.workers)]:
            future.result()

    def render_many(self, documents):
        """PDFs in order, as an iterator: the caller stores the first while the pool renders the rest.
        One document per task, so that no worker idles while another finishes a long share."""
        return self.executor.map(render_pdf, documents)

    def close(self):
        self.executor.shutdown(wait=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class InlineRenderer:
    """The same interface, in this process: for single receipts issued one at a time."""

    def render_many(self, documents):
        return [render_pdf(document) for document in documents]
