"""A partner's summary lists every campaign it pledged to during the period, even one where nothing is
matched yet, with what it pledged, what is used and what is left — as the campaign's funding plan does."""
import csv
import io
from datetime import timedelta

import pdfplumber

from app.formatting import local_today
from tests.summaries.conftest import normalised


def test_a_pledge_with_nothing_matched_yet_is_in_every_form_of_the_summary(app, client, actors, scenario, territory):
    # La Poste pledges to the stage after its only gift: nothing is matched there yet.
    territory.pledge(scenario["stage"], "la-poste", total_cap_cents=30_000)
    headers = actors.user("partner", partner="la-poste")

    plan = client.get(f"/api/v1/campaigns/{scenario['stage']}/funding-summary", headers=actors.admin()).json
    assert [line["pledged_cents"] for line in plan["sources"] if line.get("partner") == "la-poste"] == [30_000]

    body = client.get("/api/v1/partners/la-poste/summary", headers=headers).json
    by_slug = {line["slug"]: line for line in body["campaigns"]}
    assert list(by_slug) == ["potager", "vestiaires", "scene"]
    stage = by_slug["scene"]
    assert (stage["pledged_cents"], stage["pledge_used_cents"], stage["pledge_left_cents"]) == (30_000, 0, 30_000)
    assert stage["partner_cents"] == 0 and stage["citizens_cents"] == 7_000
    garden = by_slug["potager"]
    assert (garden["pledged_cents"], garden["pledge_used_cents"], garden["pledge_left_cents"]) == (
        100_000, 12_000, 88_000)
    assert by_slug["vestiaires"]["pledged_cents"] == 0  # a grant, no pledge
    assert (body["pledged_cents"], body["pledge_used_cents"], body["pledge_left_cents"]) == (130_000, 12_000, 118_000)
    assert body["campaign_count"] == 3
    assert body["partner_cents"] == 16_000  # a pledge adds no money until it matches a gift

    response = client.get("/api/v1/partners/la-poste/summary.csv", headers=headers)
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert [row["campaign_slug"] for row in rows] == ["potager", "vestiaires", "scene", "TOTAL"]
    assert (rows[2]["pledged_cents"], rows[2]["pledge_used_cents"], rows[2]["pledge_left_cents"]) == (
        "30000", "0", "30000")
    assert rows[2]["pledged_eur"] == "300.00" and rows[3]["pledge_left_cents"] == "118000"

    pdf = client.get("/api/v1/partners/la-poste/summary.pdf", headers=headers)
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        text = normalised("\n".join(page.extract_text() or "" for page in document.pages))
    assert "Projet scene" in text
    assert "300,00 €" in text  # the stage's pledge, nothing used, all of it left


def test_a_pledge_made_after_the_period_is_not_in_it(app, client, actors, scenario, territory):
    territory.pledge(scenario["stage"], "la-poste", total_cap_cents=30_000)
    with app.app_context():
        yesterday = local_today() - timedelta(days=1)
    body = client.get(f"/api/v1/partners/la-poste/summary?to={yesterday.isoformat()}",
                      headers=actors.user("partner", partner="la-poste")).json
    assert body["campaigns"] == []
