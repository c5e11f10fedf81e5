"""The one PDF renderer (app/pdf.py): it draws the data it is given and fetches nothing else."""
import io
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pdfplumber
import pytest
import segno

from app import pdf
from tests.conftest import ROOT


def read_back(data):
    with pdfplumber.open(io.BytesIO(data)) as document:
        page = document.pages[0]
        return page.extract_text() or "", len(page.images)


def page_with_image(src):
    return f'<html><body><p>Reçu 2026-000001</p><img src="{src}" alt="image"></body></html>'


@pytest.fixture
def web_server():
    """A local web server that counts the requests it is sent."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


def test_a_data_uri_image_is_drawn():
    text, images = read_back(pdf.render_pdf(page_with_image(segno.make("https://example.org").png_data_uri())))
    assert "Reçu 2026-000001" in text
    assert images == 1


def test_a_local_file_is_refused_and_stops_the_rendering():
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError):
        pdf.render_pdf(page_with_image("file:///etc/passwd"))
    with pytest.raises(FatalURLFetchingError):
        pdf.render_pdf('<link rel="stylesheet" href="file:///etc/passwd"><p>Relevé</p>')


def test_the_network_is_never_asked(web_server):
    from weasyprint.urls import FatalURLFetchingError

    url, requests = web_server
    with pytest.raises(FatalURLFetchingError):
        pdf.render_pdf(page_with_image(f"{url}/logo.png"))
    with pytest.raises(FatalURLFetchingError):
        pdf.render_pdf(f'<link rel="stylesheet" href="{url}/style.css"><p>Relevé</p>')
    with pytest.raises(FatalURLFetchingError):
        pdf.render_pdf(page_with_image("logo.png"), base_url=f"{url}/")
    assert requests == []


def test_the_same_html_gives_the_same_bytes():
    html = page_with_image(segno.make("https://example.org").png_data_uri())
    assert pdf.render_pdf(html) == pdf.render_pdf(html)
    assert (pdf.render_pdf(html, small_user_agent_sheet=True)
            == pdf.render_pdf(html, small_user_agent_sheet=True))


def test_stylesheet_files_and_the_small_user_agent_sheet(tmp_path):
    css = tmp_path / "document.css"
    css.write_text("@page { size: A4; margin: 1cm } .hidden { display: none }", encoding="utf-8")
    html = ('<html><head><title>Titre caché</title></head>'
            '<body><h1>Relevé d’arrondi</h1><p class="hidden">Invisible</p><p>Total dû</p></body></html>')
    text, _ = read_back(pdf.render_pdf(html, stylesheets=[css], small_user_agent_sheet=True))
    assert "Relevé d’arrondi" in text and "Total dû" in text
    assert "Invisible" not in text and "Titre caché" not in text
    assert pdf.stylesheet(css) is pdf.stylesheet(str(css))


def test_one_font_configuration_per_process_until_reset():
    fonts = pdf.font_configuration()
    assert pdf.font_configuration() is fonts
    pdf.reset()
    assert pdf.font_configuration() is not fonts


def test_importing_the_renderer_neither_loads_weasyprint_nor_a_higher_package():
    code = ("import sys, app.pdf; "
            "loaded = [m for m in ('weasyprint', 'campaigns', 'donations', 'receipts') if m in sys.modules]; "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
