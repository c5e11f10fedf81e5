"""Receipt PDFs: a Jinja template rendered by the service's one PDF renderer (`app.pdf`).

Rendering takes a plain `document` mapping (built by `receipts.services.documents`) and needs no
application context, so the same function runs in the request, in the job, and in the worker
processes of a batch. `app.pdf` keeps one FontConfiguration and the parsed stylesheets per process;
a receipt uses only plain elements, so it is styled from the small user-agent sheet.
"""
import os
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


def _start_worker():
    # A forked worker must not share the parent's FontConfiguration: it builds its own, once, and
    # parses the receipt's stylesheet with it before its first task.
    global _renderer
    _renderer = None
    pdf.reset()
    renderer()
    pdf.stylesheet(STYLESHEET)


class RenderPool:
    """Renders many receipts over the machine's cores; the database work stays with the caller."""

    def __init__(self, workers=None):
        self.workers = workers or os.cpu_count() or 1
        self.executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("fork"),
                                            initializer=_start_worker)

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
