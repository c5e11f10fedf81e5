"""A holder's Markdown is shown as HTML: nothing in it may run in a visitor's browser."""
import re

import pytest

from campaigns.services import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<a href=\"javascript:alert(1)\">clic</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">clic</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">clic</a>",
    "<a href=\"&#106;avascript:alert(1)\">clic</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">clic</a>",
    "<a href=\"vbscript:msgbox(1)\">clic</a>",
    "[clic](javascript:alert(1))",
    "[clic](JAVASCRIPT:alert(1))",
    "[clic](  javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[clic](data:text/html,<script>alert(1)</script>)",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p onclick=\"alert(1)\">clic</p>",
    "<a href=\"https://ok.example\" onmouseover=\"alert(1)\">lien</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<details open ontoggle=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<style>@import 'https://evil.example/x.css';</style>",
    "`<script>alert(1)</script>` et <scr<script>ipt>alert(1)</script>",
]

DANGEROUS = [
    re.compile(r"<\s*(script|iframe|object|embed|svg|math|style|link|meta|base|form|input|body|details)\b", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"(href|src|action|data)\s*=\s*[\"']?\s*(javascript|vbscript|data):", re.I),
    re.compile(r"\sstyle\s*=", re.I),
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_payload_survives(payload):
    html = render_markdown(f"Notre projet.\n\n{payload}\n\nMerci !")
    for pattern in DANGEROUS:
        assert not pattern.search(html), (payload, html)
    assert "<p>Notre projet.</p>" in html  # the text around it is kept (an unclosed tag may swallow the rest)


def test_ordinary_markdown_keeps_its_formatting_and_safe_links():
    html = render_markdown("## Le projet\n\n**Six bacs**, *des outils*.\n\n- un\n- deux\n\n"
                           "[Notre site](https://jardin.example) et <mailto:bonjour@jardin.example>")
    assert "<h2>Le projet</h2>" in html
    assert "<strong>Six bacs</strong>" in html and "<em>des outils</em>" in html
    assert "<li>un</li>" in html
    assert 'href="https://jardin.example"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_the_campaign_page_shows_the_sanitised_description(app, client, build):
    build.campaign(slug="potager", description="Bonjour <img src=x onerror=alert(1)> **à tous**")
    page = client.get("/campagnes/potager").get_data(as_text=True)
    assert "<strong>à tous</strong>" in page
    assert "onerror" not in page
