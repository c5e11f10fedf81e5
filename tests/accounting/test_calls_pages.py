"""/gestion/appels-de-fonds: the town issues a month's calls; a partner's users see and download theirs only."""
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from campaigns.models import CallForFunds
from tests.accounting.conftest import last_month
from tests.accounting.test_calls_for_funds import _grant
from tests.receipts.conftest import pdf_text
from tests.support import csrf_from, sign_in_as_latest

PAGE = "/gestion/appels-de-fonds"


def test_the_town_issues_the_calls_and_each_partner_downloads_its_own(app, client, actors, gifts):
    actors.organization("asso-a")
    actors.partner("imprimerie", name="Imprimerie Lavoisier SAS")
    actors.partner("autre", name="Autre Partenaire SARL")
    campaign = gifts.campaign("asso-a")
    month = last_month()
    _grant(app, campaign, "imprimerie", 12_345, month + timedelta(days=3))

    assert client.get(PAGE).status_code == 302  # to /connexion
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    page = client.get(PAGE)
    wrong = client.post(PAGE, data={"csrf_token": csrf_from(page.text), "month": f"{date.today():%Y-%m}"})
    assert wrong.status_code == 400 and "Ce mois n&#39;est pas terminé" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    issued = client.post(PAGE, data={"csrf_token": csrf_from(page.text), "month": f"{month:%Y-%m}"},
                         follow_redirects=True)
    assert "1 appel de fonds pour" in issued.text and "Imprimerie Lavoisier SAS" in issued.text
    with app.app_context():
        call_id = db.session.scalar(select(CallForFunds.id))

    actors.user("partner", partner="autre")
    sign_in_as_latest(client, app, "partner")
    assert "Aucun appel de fonds" in client.get(PAGE).text
    assert client.get(f"{PAGE}/{call_id}.pdf").status_code == 404
    assert client.post(PAGE, data={"csrf_token": csrf_from(page.text), "month": f"{month:%Y-%m}"}).status_code == 404

    actors.user("partner", partner="imprimerie")
    sign_in_as_latest(client, app, "partner")
    listing = client.get(PAGE)
    assert "Imprimerie Lavoisier SAS" in listing.text and "Émettre" not in listing.text
    text, _ = pdf_text(client.get(f"{PAGE}/{call_id}.pdf").data)
    assert "Appel de fonds" in text and "123,45" in text
    assert "123.45" in client.get(f"{PAGE}/{call_id}.csv").get_data(as_text=True)
