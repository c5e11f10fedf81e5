"""PDF documents: HTML rendered by WeasyPrint, fetching nothing but the data it is given.

Every PDF of the service (receipts, partner summaries, round-up statements) is made by `render_pdf`.
It needs no application context, so the same call runs in a request, in a job and in the worker
processes of a batch. Each process keeps for its whole life one FontConfiguration (a new one per PDF
makes memory grow), one URL fetcher, and every stylesheet it has parsed (parsing the CSS again for
every receipt was measurable).

`import weasyprint` costs about half a second: it is imported inside the functions that render, on
first use, never when the application starts.
"""
import logging
from pathlib import Path

# WeasyPrint's full HTML5 user-agent sheet is 191 rules matched against every element; documents
# written with a few plain elements can ask for this small one instead.
SMALL_USER_AGENT_SHEET = Path(__file__).resolve().parent / "static" / "pdf_user_agent.css"

_fonts = None
_fetcher = None
_stylesheets = {}
_small_sheet_html = None


def reset():
    """Forget everything this process built. A forked worker calls it first: it must not share its
    parent's FontConfiguration, nor the stylesheets parsed with it."""
    global _fonts, _fetcher, _small_sheet_html
    _fonts = _fetcher = _small_sheet_html = None
    _stylesheets.clear()


def data_only_fetcher():
    """Documents embed their images as data: URIs we generate; any other URL (file:, http:, https:)
    is refused, and the refusal stops the rendering rather than leaving a hole in the document."""
    # Imported here, not at the top: `import weasyprint` costs about 0.55 s (see above).
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def font_configuration():
    """This process's FontConfiguration, made on first use."""
    global _fonts
    if _fonts is None:
        # Imported here, not at the top: `import weasyprint` costs about 0.55 s.
        from weasyprint.text.fonts import FontConfiguration

        # WeasyPrint logs every rendering step at INFO: thousands of lines per batch, for nothing.
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        _fonts = FontConfiguration()
    return _fonts


def stylesheet(path):
    """The stylesheet file at `path`, parsed once per process (with this process's fonts, so that
    its @font-face rules are known to the renderer)."""
    path = Path(path)
    sheet = _stylesheets.get(path)
    if sheet is None:
        # Imported here, not at the top: `import weasyprint` costs about 0.55 s.
        from weasyprint import CSS

        sheet = _stylesheets[path] = CSS(string=path.read_text(encoding="utf-8"), font_config=font_configuration())
    return sheet


def render_pdf(html, stylesheets=(), base_url=None, small_user_agent_sheet=False) -> bytes:
    """The PDF of an HTML string. `stylesheets` are paths of CSS files (parsed once per process) or
    WeasyPrint `CSS` objects; `small_user_agent_sheet` replaces WeasyPrint's HTML5 sheet with
    `SMALL_USER_AGENT_SHEET`, for documents that use only the elements it styles."""
    global _fetcher
    fonts = font_configuration()
    if _fetcher is None:
        _fetcher = data_only_fetcher()
    html_class = _small_sheet_html_class() if small_user_agent_sheet else _html_class()
    sheets = [stylesheet(sheet) if isinstance(sheet, (str, Path)) else sheet for sheet in stylesheets]
    document = html_class(string=html, url_fetcher=_fetcher, base_url=base_url)
    return document.write_pdf(stylesheets=sheets, font_config=fonts)


def _html_class():
    # Imported here, not at the top: `import weasyprint` costs about 0.55 s.
    from weasyprint import HTML

    return HTML


def _small_sheet_html_class():
    """HTML documents styled from the small user-agent sheet. `_ua_stylesheets` is WeasyPrint's hook
    for it (pinned at 70.0 in requirements.txt; the tests read every document back)."""
    global _small_sheet_html
    if _small_sheet_html is None:
        # Imported here, not at the top: `import weasyprint` costs about 0.55 s.
        from weasyprint import HTML

        user_agent_sheet = stylesheet(SMALL_USER_AGENT_SHEET)

        class SmallSheetHTML(HTML):
            def _ua_stylesheets(self, forms=False):
                return [user_agent_sheet]

        _small_sheet_html = SmallSheetHTML
    return _small_sheet_html
