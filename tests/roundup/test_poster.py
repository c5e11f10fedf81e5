"""The counter poster: A5 and A4 PDFs read back with the merchant, its associations, last month's
figures and the link (and QR code) to the public list of shops."""
import io
from datetime import UTC, datetime, time, timedelta

import pdfplumber

from app.formatting import local_today
from tests.roundup.conftest import record
from tests.roundup.test_pages import sign_in


def test_the_poster_names_the_shop_its_associations_last_month_and_the_shops_list(client, shops, actors, app):
    actors.organization("epicerie", name="Épicerie solidaire de Sceaux")
    actors.organization("amis", name="Les Amis du Jardin")
    shops.merchant("boulangerie", name="Boulangerie des Blagis", match_ratio_percent=50,
                   beneficiaries=[{"organization": "epicerie", "share_basis_points": 5_000},
                                  {"organization": "amis", "share_basis_points": 5_000}])
    key = {"Authorization": f"Bearer {shops.keys['boulangerie']}"}
    with app.app_context():
        last_month = (local_today().replace(day=1) - timedelta(days=1)).replace(day=15)
    moment = datetime.combine(last_month, time(12), tzinfo=UTC).isoformat()
    for number, (basket, roundup) in enumerate([(1260, 40), (990, 10), (2_499, 1)]):
        assert record(client, key, f"m-{number}", basket, roundup, occurred_at=moment).status_code == 201
    assert record(client, key, "today", 1260, 40).status_code == 201  # this month: not on the poster

    assert client.get("/commercant/affiche-a4.pdf").status_code == 302  # no session: the sign-in page
    sign_in(client, shops.keys["boulangerie"])
    sizes = {}
    for size in ("a5", "a4"):
        response = client.get(f"/commercant/affiche-{size}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        with pdfplumber.open(io.BytesIO(response.data)) as document:
            assert len(document.pages) == 1, size
            sizes[size] = (round(document.pages[0].width), round(document.pages[0].height))
            text = " ".join(document.pages[0].extract_text().split())
            images = document.pages[0].images
        assert "BOULANGERIE DES BLAGIS" in text and "Ici, arrondissez pour" in text
        assert "Épicerie solidaire de Sceaux et Les Amis du Jardin" in text
        assert "à l'Épicerie solidaire de Sceaux et aux Amis du Jardin" in text  # app/text.py's grammar
        assert "vous avez donné 0,51 € en 3 arrondis" in text and "a ajouté 0,25 €" in text
        assert app.config["PUBLIC_URL"].rstrip("/") + "/commerces" in text
        assert len(images) == 1  # the QR code
    assert sizes == {"a5": (420, 595), "a4": (595, 842)}
    assert client.get("/commercant/affiche-a3.pdf").status_code == 404
