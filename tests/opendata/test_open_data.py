"""Open data: the funding file (CSV, JSON) and the town's subsidies (SCDL) validate against their
published schemas with frictionless, and their figures are the campaigns' totals, month by month in
Paris time, net of refunds, round-ups included."""
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from frictionless import Resource, Schema
from sqlalchemy import select, update

from app.extensions import db
from app.formatting import local_today, to_local
from app.types import utcnow

TOWN_SIRET = "21920071400011"
DONOR = {"first_name": "Marie", "last_name": "Curie", "address_line1": "12 rue des Écoles", "postal_code": "92330",
         "city": "Sceaux", "email": "marie.curie@example.org"}
SIRET = "73282932000074"


def _campaign(slug, organization):
    from campaigns import services

    campaign = services.create_campaign(
        services.get_organization(organization).id, slug=slug, title=f"Campagne {slug}",
        funding_model="keep_it_all", category="solidarity", commune="Sceaux", insee_code="92071",
        goal_cents=1_000_000, description="Pour le quartier.", starts_at=utcnow() - timedelta(days=90),
        ends_at=utcnow() + timedelta(days=30))
    services.publish_campaign(campaign, now=utcnow() - timedelta(days=90))
    return campaign


def _offline(campaign, organization, cents, **extra):
    from campaigns import services as campaigns
    from donations import services

    values = {**DONOR, **extra}
    return services.record_offline_gift(campaigns.get_organization(organization).id, campaign.slug,
                                        amount_cents=cents, payment_method="cheque", paid_on=local_today(),
                                        **values)


@pytest.fixture
def territory(app, actors, client):
    """Two associations, the town and a bank as partners, one campaign with every source of money, and a
    shop whose round-ups go half to the campaign, half straight to the other association."""
    from campaigns import services
    from campaigns.models import Contribution
    from donations import services as donations
    from donations.roundup import services as roundup

    app.config["OPEN_DATA_TOWN_SIRET"] = TOWN_SIRET
    app.config["OPEN_DATA_TOWN_NAME"] = "Commune de Sceaux"
    actors.organization("jardin", name="Les Amis du Jardin", rna="W922000001")
    actors.organization("epicerie", name="Épicerie solidaire", rna="W922000002", siren="775672272")
    actors.partner("ville", kind="public_body", name="Ville de Sceaux", siren=TOWN_SIRET[:9])
    actors.partner("banque", kind="company", name="Banque du coin", siren="442306718")
    with app.app_context():
        town, bank = services.get_partner("ville"), services.get_partner("banque")
        campaign = _campaign("potager", "jardin")
        services.record_grant(campaign, town.id, 150_000, reference="DEL-2026-112")
        services.create_pledge(campaign, town.id, total_cap_cents=10_000)
        services.create_pledge(campaign, bank.id, total_cap_cents=100_000, ratio_numerator=1, ratio_denominator=2)
        db.session.commit()
        first = _offline(campaign, "jardin", 6_000)  # matched 6 000 by the town (cap 10 000), 3 000 by the bank
        db.session.commit()
        _offline(campaign, "jardin", 8_000, email="paul@example.org")  # the town's cap leaves 4 000
        db.session.commit()
        _offline(campaign, "jardin", 20_000, donor_type="company", company_name="Boulangerie Dupont SARL",
                 company_legal_form="SARL", company_siren="732829320", first_name="", last_name="")
        db.session.commit()
        donations.refund_gift(first.id, 2_000)  # matches shrink to what 4 000 earns
        db.session.commit()
        # The grant was recorded at 00:30 in Paris on 1 November 2026 (23:30 UTC the day before).
        db.session.execute(update(Contribution).where(Contribution.reference == "DEL-2026-112")
                           .values(created_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC)))
        db.session.commit()
        services.record_partner_payment(town, campaign, amount_cents=150_000, received_on=date(2026, 11, 20),
                                        method="transfer", reference="VIR-77")
        db.session.commit()

        merchant = roundup.create_merchant(
            slug="boulangerie", name="Boulangerie des Blagis", siret=SIRET, address_line1="10 rue Houdan",
            postal_code="92330", city="Sceaux",
            beneficiaries=[{"campaign": "potager", "share_basis_points": 5_000},
                           {"organization": "epicerie", "share_basis_points": 5_000}])
        _, key = roundup.create_key(merchant, "caisse")
        db.session.commit()
        last_month = local_today().replace(day=1) - timedelta(days=1)
    moment = datetime(last_month.year, last_month.month, 10, 12, tzinfo=UTC).isoformat()
    for number, cents in enumerate((37, 80, 45)):
        answer = client.post("/api/v1/roundups", headers={"Authorization": f"Bearer {key}"},
                             json={"external_id": f"t-{number}", "basket_cents": 1_000 - cents,
                                   "roundup_cents": cents, "occurred_at": moment})
        assert answer.status_code == 201, answer.json
    with app.app_context():
        roundup.settle_month(roundup.get_merchant("boulangerie"), last_month.replace(day=1))
        db.session.commit()
    return "potager"


def _frictionless_errors(content: bytes, schema: dict, name: str, tmp_path):
    path = tmp_path / name
    path.write_bytes(content)
    report = Resource(path=name, basepath=str(tmp_path), schema=Schema.from_descriptor(schema)).validate()
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


def _csv(content: bytes):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_funding_files_validate_and_add_up_to_the_campaign_totals(app, client, territory, tmp_path):
    from campaigns import services
    from campaigns.models import CampaignPartnerTotal
    from donations.roundup.models import SettlementLine

    schema = client.get("/donnees-ouvertes/financements.schema.json")
    assert schema.status_code == 200 and schema.headers["Access-Control-Allow-Origin"] == "*"
    answer = client.get("/donnees-ouvertes/financements.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert _frictionless_errors(answer.data, schema.json, "financements.csv", tmp_path) == []
    rows = _csv(answer.data)
    assert list(rows[0]) == [field["name"] for field in schema.json["fields"]]

    with app.app_context():
        campaign = services.get_campaign(territory)
        by_source = {}
        for row in rows:
            if row["campagne"] == territory:
                by_source[row["source"]] = by_source.get(row["source"], 0) + int(row["montant_centimes"])
                assert row["montant_euros"] == f"{int(row['montant_centimes']) // 100}.{int(row['montant_centimes']) % 100:02d}"
        # Every source of the campaign, net of the refund: the page's totals, to the cent.
        assert by_source == {"offline": campaign.offline_cents, "company": campaign.company_cents,
                             "match": campaign.match_cents, "grant": campaign.grant_cents,
                             "roundup": campaign.roundup_cents}
        assert sum(by_source.values()) == campaign.raised_cents
        assert campaign.offline_cents == 12_000 and campaign.company_cents == 20_000
        # Each partner's rows are what the ledger holds for it.
        for total in db.session.scalars(select(CampaignPartnerTotal).where(
                CampaignPartnerTotal.campaign_id == campaign.id)):
            published = sum(int(row["montant_centimes"]) for row in rows if row["campagne"] == territory
                            and row["partenaire"] == total.partner.name and row["source"] == total.source.value)
            assert published == total.amount_cents, total.partner.name
        straight = db.session.scalar(select(SettlementLine.amount_cents).where(
            SettlementLine.organization_id.is_not(None)))
    # The round-ups given straight to the grocery: a row without campaign.
    grocery = [row for row in rows if row["organisation"] == "Épicerie solidaire"]
    assert [(row["campagne"], row["source"], int(row["montant_centimes"])) for row in grocery] == [
        ("", "roundup", straight)]
    assert grocery[0]["organisation_siren"] == "775672272"
    # The grant recorded at 00:30 on 1 November in Paris belongs to November, not to October (UTC).
    grant = [row for row in rows if row["source"] == "grant"]
    assert [(row["mois"], row["partenaire"], row["montant_euros"]) for row in grant] == [
        ("2026-11", "Ville de Sceaux", "1500.00")]

    document = client.get("/donnees-ouvertes/financements.json").json
    assert document["licence"]["name"] == "etalab-2.0"
    assert document["schema"].endswith("/donnees-ouvertes/financements.schema.json")
    as_text = [{key: str(value) for key, value in record.items()} for record in document["financements"]]
    assert as_text == rows
    assert all(isinstance(record["montant_centimes"], int) for record in document["financements"])


def test_town_subsidies_follow_the_scdl_schema(app, client, territory, tmp_path):
    from campaigns import services

    schema = client.get("/donnees-ouvertes/subventions.schema.json").json
    assert schema["version"] == "2.1.1"
    answer = client.get("/donnees-ouvertes/subventions.csv")
    assert answer.status_code == 200
    assert _frictionless_errors(answer.data, schema, "subventions.csv", tmp_path) == []
    rows = _csv(answer.data)
    assert list(rows[0]) == [field["name"] for field in schema["fields"]]
    # The schema's own check: the beneficiary named by its SIRET or its RNA number.
    assert all(row["idBeneficiaire"] or row["rnaBeneficiaire"] for row in rows)
    with app.app_context():
        campaign = services.get_campaign(territory)
        town_matched = sum(total.amount_cents for total in campaign_totals(campaign, "ville", "match"))
        end, today = to_local(campaign.ends_at).date(), local_today()
    assert town_matched == 4_000 + 4_000  # 6 000 cut to 4 000 by the refund, then the cap's last 4 000
    (grant,), (match,) = ([row for row in rows if row["conditionsVersement"] == kind] for kind in ("unique", "échelonné"))
    assert (grant["nomAttribuant"], grant["idAttribuant"], grant["dateConvention"], grant["referenceDecision"]) == (
        "Commune de Sceaux", TOWN_SIRET, "2026-11-01", "DEL-2026-112")
    assert (grant["nomBeneficiaire"], grant["rnaBeneficiaire"], grant["montant"], grant["conditionsVersement"],
            grant["datesPeriodeVersement"]) == ("Les Amis du Jardin", "W922000001", "1500.00", "unique", "2026-11-20")
    assert (match["montant"], match["conditionsVersement"], match["notificationUE"],
            match["pourcentageSubvention"]) == ("80.00", "échelonné", "non", "1.00")
    assert match["datesPeriodeVersement"] == f"{today.isoformat()}/{end.isoformat()}"
    # The bank is not the town: its matches are not the town's subsidies.
    assert all("Banque" not in row["objet"] for row in rows) and len(rows) == 2


def campaign_totals(campaign, partner_slug, source):
    from campaigns import services
    from campaigns.models import CampaignPartnerTotal

    partner = services.get_partner(partner_slug)
    return db.session.scalars(select(CampaignPartnerTotal).where(
        CampaignPartnerTotal.campaign_id == campaign.id, CampaignPartnerTotal.partner_id == partner.id,
        CampaignPartnerTotal.source == source)).all()


def test_without_a_town_siret_the_subsidies_file_is_its_header(app, client):
    app.config["OPEN_DATA_TOWN_SIRET"] = ""
    fields = [field["name"] for field in client.get("/donnees-ouvertes/subventions.schema.json").json["fields"]]
    assert client.get("/donnees-ouvertes/subventions.csv").data.decode().splitlines() == [",".join(fields)]
    assert "n'est pas encore configuré" in client.get("/donnees-ouvertes").get_data(as_text=True)


def test_the_open_data_page_documents_each_file(client):
    page = client.get("/donnees-ouvertes")
    assert page.status_code == 200
    text = " ".join(page.get_data(as_text=True).split())
    for expected in ("Licence Ouverte / Open Licence version 2.0", "financements.csv", "financements.json",
                     "financements.schema.json", "subventions.csv", "SCDL", "montant_centimes",
                     "décret n° 2017-638", "décret n° 2017-779"):
        assert expected in text, expected
