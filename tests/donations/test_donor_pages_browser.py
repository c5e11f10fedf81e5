"""A holder follows a live campaign in a phone-sized Chromium: posts and corrects a news item, reads
the donors, writes to those who agreed; a donor unsubscribes from the link. Every page is axe-clean
and none scrolls sideways at 320 px."""
import email
import re
from datetime import date
from email import policy
from pathlib import Path

import pytest

from app.extensions import db
from tests.support import check_on_phones
from tests.support import sign_in_browser

pytestmark = pytest.mark.browser


def test_a_holder_follows_a_campaign_writes_news_and_to_donors(app, live_server, page, actors, giving):
    from donations.models import PaymentMethod
    from donations.services.offline import record_offline_gift

    slug = giving.campaign(title="Un jardin partagé dans le quartier des Blagis aux noms très longs")
    with app.app_context():
        from campaigns import services

        organization_id = services.get_campaign(slug).organization_id
        gift = record_offline_gift(organization_id, slug, amount_cents=5_000, payment_method=PaymentMethod.cheque,
                                   paid_on=date.today(), first_name="Camille", last_name="Lefèvre-Delacroix",
                                   email="camille.lefevre-de-la-tres-longue-adresse@exemple-de-sceaux.example",
                                   address_line1="5 rue des Imbergères", postal_code="92330", city="Sceaux")
        gift.news_consent = True  # as the donation form's box would have recorded it
        record_offline_gift(organization_id, slug, amount_cents=2_000, payment_method=PaymentMethod.cash,
                            paid_on=date.today(), anonymous=True, first_name="Zoé", last_name="Martin",
                            email="zoe@example.org", address_line1="1 rue Houdan", postal_code="92330", city="Sceaux")
        db.session.commit()
    actors.user("holder", organization="asso-jardin", password="des tomates pour tous")
    sign_in_browser(page, live_server, f"holder{actors._count}@test.example", "des tomates pour tous")

    page.goto(f"{live_server}/gestion/campagnes/{slug}")
    check_on_phones(page, "follow page with gifts")
    assert "70,00" in page.locator("table").first.inner_text()
    page.get_by_role("link", name="Actualités").click()
    page.get_by_label("Titre").fill("Les bacs sont posés")
    page.get_by_label("Texte (Markdown)").fill("Merci **à tous** !")
    page.get_by_role("button", name="Publier").click()
    check_on_phones(page, "news")
    page.get_by_role("link", name=re.compile("^Corriger")).click()
    check_on_phones(page, "news correction")
    page.get_by_label("Titre").fill("Les bacs sont installés")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Les bacs sont installés" in page.locator("article").first.inner_text()

    page.goto(f"{live_server}/gestion/dons/campagnes/{slug}/donateurs")
    check_on_phones(page, "donors")
    rows = page.locator("tbody tr").all_inner_texts()
    assert any("Anonyme" in row for row in rows) and not any("Zoé" in row for row in rows)
    page.get_by_role("link", name="Écrire aux donateurs").click()
    check_on_phones(page, "write to donors")
    page.get_by_label("Objet").fill("Les bacs sont posés")
    page.get_by_label("Message").fill("Merci, les enfants ont planté les premières tomates.")
    page.locator("summary", has_text="Envoyer").click()
    page.get_by_role("button", name="Oui, envoyer").click()
    assert "Votre message part vers 1 donateur." in page.locator(".flash").first.inner_text()

    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))]
    message = [m for m in messages if m["Subject"] == "Les bacs sont posés" and m["To"].startswith("camille.lefevre-de-la")][-1]
    link = message["List-Unsubscribe"].strip("<>")
    page.get_by_role("button", name=re.compile("Se déconnecter")).click()
    page.goto(live_server + "/" + link.split("://", 1)[1].split("/", 1)[1])
    check_on_phones(page, "unsubscribe")
    page.get_by_role("button", name="Ne plus recevoir ces nouvelles").click()
    assert "vous ne recevrez plus les nouvelles" in page.locator(".flash").inner_text()
    check_on_phones(page, "unsubscribed")
