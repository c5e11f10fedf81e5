"""A campaign's funding plan by source: citizens online, offline, round-up, each partner, patronage."""
import pytest

from app.money import format_eur
from tests.summaries.conftest import normalised
from tests.summaries.test_documents import read_pdf


def funding(client, headers, campaign="potager", suffix=""):
    return client.get(f"/api/v1/campaigns/{campaign}/funding-summary{suffix}", headers=headers)


def test_sources_add_up_to_what_the_campaign_raised(client, actors, scenario):
    response = funding(client, actors.user("finance", organization="asso-jardin"))
    assert response.status_code == 200, response.json
    body = response.json
    sources = {(line["source"], line.get("partner")): line for line in body["sources"]}
    assert {key: line["amount_cents"] for key, line in sources.items()} == {
        ("online", None): 10_000, ("offline", None): 2_000, ("roundup", None): 1_500,
        ("partner", "ville"): 50_000, ("partner", "la-poste"): 12_000, ("company", None): 30_000,
    }
    assert [line.get("partner") for line in body["sources"] if line["source"] == "partner"] == ["ville", "la-poste"]
    poste = sources[("partner", "la-poste")]
    assert (poste["matched_cents"], poste["granted_cents"], poste["pledged_cents"]) == (12_000, 0, 100_000)
    assert sources[("partner", "ville")]["granted_cents"] == 50_000
    assert body["raised_cents"] == 105_500
    public = client.get("/api/v1/campaigns/potager").json  # the campaign's own totals agree
    assert public["totals"]["raised_cents"] == body["raised_cents"]
    assert (body["citizens_cents"], body["partners_cents"]) == (13_500, 62_000)
    assert body["leverage"]["ratio"] == "0.22"  # 135 € of citizens for 620 € of partners
    assert body["campaign"]["donor_count"] == 3  # Alice, Carol and the bakery; Bob was refunded


def test_a_partner_patronage_gift_is_on_its_line_not_in_anonymous_patronage(app, client, actors, scenario):
    from app.extensions import db
    from campaigns import services

    with app.app_context():
        services.add_contribution(services.get_campaign("potager").id, "company", 25_000,
                                  partner_id=services.get_partner("banque").id, reference="mecenat-banque")
        db.session.commit()
    body = funding(client, actors.admin()).json
    lines = {(line["source"], line.get("partner")): line for line in body["sources"]}
    assert lines[("partner", "banque")]["patronage_cents"] == 25_000
    assert lines[("company", None)]["amount_cents"] == 30_000
    assert body["raised_cents"] == 130_500


def test_funding_pdf_shows_each_source(client, actors, scenario):
    response = funding(client, actors.user("holder", organization="asso-jardin"), suffix=".pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, rects = read_pdf(response.data)
    assert "Plan de financement — Projet potager" in text
    for label, cents in (("Citoyens en ligne", 10_000), ("Arrondi chez les commerçants", 1_500),
                         ("Partenaire ville", 50_000), ("Partenaire la-poste", 12_000),
                         ("Mécénat d'entreprises", 30_000)):
        assert f"{label} {normalised(format_eur(cents))}" in text
    assert f"Total {normalised(format_eur(105_500))}" in text
    bars = [r for r in rects if r["height"] > 10 and r.get("non_stroking_color") not in (None, ())
            and r["x0"] > 100 and r["top"] < 400]
    assert len(bars) >= 6  # one bar per non-empty source


@pytest.mark.parametrize("suffix", ["", ".json", ".pdf"])
def test_access_admin_finance_holder_other_organization(client, actors, scenario, suffix):
    for headers in (actors.admin(), actors.user("finance", organization="asso-jardin"),
                    actors.user("holder", organization="asso-jardin")):
        assert funding(client, headers, suffix=suffix).status_code == 200
    for role in ("finance", "holder"):
        other = funding(client, actors.user(role, organization="asso-sport"), suffix=suffix)
        assert other.status_code == 404 and other.mimetype == "application/problem+json"
    assert funding(client, {}, suffix=suffix).status_code == 401
    assert funding(client, actors.user("partner", partner="la-poste"), suffix=suffix).status_code == 403
    assert funding(client, actors.admin(), campaign="nulle-part", suffix=suffix).status_code == 404
