"""The PDFs read back: the partner's figures and leverage, the campaign's plan by source, the chart."""
import io

import pdfplumber

from app.money import format_eur
from tests.summaries.conftest import normalised


def read_pdf(data):
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        rects = [rect for page in pdf.pages for rect in page.rects]
    return normalised(text), rects


def test_partner_pdf_states_the_leverage_figures_and_outcomes(client, actors, scenario, tmp_path):
    response = client.get("/api/v1/partners/la-poste/summary.pdf?from=2020-01-01&to=2099-12-31",
                          headers=actors.user("partner", partner="la-poste"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    (tmp_path / "bilan.pdf").write_bytes(response.data)
    text, rects = read_pdf(response.data)
    assert "Bilan de financement — Partenaire la-poste" in text
    assert "du 01/01/2020 au 31/12/2099" in text
    assert "1 € du partenaire a mobilisé 1,47 € de citoyens" in text
    for cents in (16_000, 12_000, 4_000, 23_500, 105_500):
        assert normalised(format_eur(cents)) in text
    assert "Projet potager" in text and "Projet vestiaires" in text and "Projet scene" not in text
    assert "En cours" in text
    assert "Donateurs touchés 3" in text
    # The chart: one bar per campaign, stacked by source on one scale (legend swatches are smaller).
    partner_segments = sorted((r for r in rects if _colour(r) == PARTNER_COLOUR and r["height"] > 10),
                              key=lambda r: r["top"])
    assert len(partner_segments) == 2
    garden, club = (segment["width"] for segment in partner_segments)
    assert abs(garden / club - 3) < 0.05  # 120 € matched against a 40 € grant


PARTNER_COLOUR = (0.749, 0.529, 0.0)


def _colour(rect):
    colour = rect.get("non_stroking_color")
    return tuple(round(c, 3) for c in colour) if colour and len(colour) == 3 else None
