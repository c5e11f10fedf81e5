"""Receipt PDFs: a Jinja template rendered by WeasyPrint, with nothing fetched from outside.

Rendering takes a plain `document` mapping (built by `receipts.services.documents`) and needs no
application context, so the same function runs in the request, in the job, and in the worker
processes of a batch. WeasyPrint costs half a second to import: it is imported on first use only.
Each process keeps one FontConfiguration and one parsed stylesheet for its whole life, which keeps
memory flat and saves re-parsing the CSS for every receipt.
"""
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = "receipts/pdf/receipt.html"
STYLESHEET = PACKAGE_DIR / "static" / "receipt_pdf.css"
USER_AGENT_STYLESHEET = PACKAGE_DIR / "static" / "receipt_ua.css"

_renderer = None


def data_only_fetcher():
    """The receipt embeds its images as data: URIs we generate; any other URL (file:, http:) is
    refused, and the refusal stops the rendering rather than leaving a hole in a legal document."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def qr_data_uri(url):
    """The verification link as a PNG QR code. One fixed mask: choosing the "best" of eight took
    longer than the rest of the QR code, and every mask scans."""
    return segno.make(url, error="m", mask=2).png_data_uri(scale=4, border=0)


def template_environment():
    return Environment(loader=FileSystemLoader(str(PACKAGE_DIR / "templates")),
                       autoescape=select_autoescape(default=True, default_for_string=True))


class Renderer:
    def __init__(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        # WeasyPrint logs every rendering step at INFO: thousands of lines per batch, for nothing.
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        self.fonts = FontConfiguration()
        self.stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), font_config=self.fonts)
        self.html_class = _receipt_html_class(CSS(string=USER_AGENT_STYLESHEET.read_text(encoding="utf-8")))
        self.template = template_environment().get_template(TEMPLATE)
        self.fetcher = data_only_fetcher()

    def html(self, document):
        # The QR code is drawn here, in the rendering process, so that a batch spreads it over the pool.
        return self.template.render(doc={**document, "qr_uri": qr_data_uri(document["verification_url"])})

    def render(self, document) -> bytes:
        html = self.html_class(string=self.html(document), url_fetcher=self.fetcher, base_url=None)
        return html.write_pdf(stylesheets=[self.stylesheet], font_config=self.fonts)


def _receipt_html_class(user_agent_sheet):
    """HTML documents styled from the receipt's own small user-agent sheet. `_ua_stylesheets` is
    WeasyPrint's hook for it (pinned at 70.0 in requirements.txt; tests read every mention back)."""
    from weasyprint import HTML

    class ReceiptHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [user_agent_sheet]

    return ReceiptHTML


def renderer() -> Renderer:
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer


def render_pdf(document) -> bytes:
    return renderer().render(document)


def _start_worker():
    # A forked worker must not share the parent's FontConfiguration: it builds its own, once.
    global _renderer
    _renderer = None
    renderer()


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
