"""The receipts read back as an inspector reads them against the published forms: Cerfa 11580*05
(2041-RD) for individuals, Cerfa 16216*02 (2041-MEC-SD) for companies; every printed note referenced."""
import io
import re
from datetime import date

import pdfplumber

from tests.receipts.conftest import pdf_text

INDIVIDUAL_TITLE = ("Reçu des dons et versements effectués par les particuliers au titre des articles 200 et 978 "
                    "du code général des impôts")
COMPANY_TITLE = ("Reçu des dons et versements effectués par les entreprises au titre de l'article 238 bis du "
                 "code général des impôts")
DIFFICULTY_LINE = "fourniture gratuite de repas, de soins ou d'un logement à des personnes en difficulté"
VOLUNTEERS = "Frais engagés par les bénévoles, dont ils renoncent expressément au remboursement"
INCOME = "Abandon exprès de revenus ou de produits"


def receipt_text(client, headers, gifts, organization="asso-test"):
    """The receipt's whole text, and the text of each column of its forme / nature / payment boxes."""
    gifts.run_job()
    [(number, *_)] = gifts.receipts(organization)
    response = client.get(f"/api/v1/receipts/{organization}/{number}.pdf", headers=headers)
    assert response.status_code == 200
    text, pages = pdf_text(response.data)
    assert pages == 1
    return text, columns(response.data, ["Forme du don", "Nature du don", "Mode de versement"])


def columns(data, headings):
    """The text under each heading of a row of boxes, read column by column as a person reads them."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        lefts = [page.search(heading)[0] for heading in headings]
        edges = [found["x0"] - 2 for found in lefts] + [page.width]
        top = min(found["top"] for found in lefts) - 1
        bottom = page.search("Fait à")[0]["top"] - 1
        return {heading: " ".join((page.crop((edges[i], top, edges[i + 1], bottom))
                                   .extract_text() or "").split())
                for i, heading in enumerate(headings)}


def body_and_notes(text):
    """The receipt's body and its notes (they start with the first note, "(1) Montant ...")."""
    start = text.index("(1) Montant ouvrant droit")
    return text[:start], text[start:]


def assert_every_note_is_referenced(text):
    body, notes = body_and_notes(text)
    printed = re.findall(r"\((\d)\) [A-ZÉL]", notes)
    marked = set(re.findall(r"\((\d)\)", body))
    assert printed == [str(n) for n in range(1, len(printed) + 1)], printed
    assert set(printed) == marked, (printed, marked)


def test_an_individual_receipt_of_a_66_percent_organization_follows_cerfa_11580_05(client, finance, gifts):
    gifts.gift(gifts.campaign(), 4_000, paid_on=date(2026, 3, 2), payment_method="cheque")
    text, boxes = receipt_text(client, finance, gifts)
    for mention in ["Cerfa n° 11580*05", "Formulaire 2041-RD", INDIVIDUAL_TITLE,
                    "Articles 200 et 978 du code général des impôts",
                    "☒ Œuvre ou organisme d'intérêt général", "☒ 200 du CGI", "☐ 978 du CGI", "02/03/2026"]:
        assert mention in text, mention
    # Forme: every option of the form, the manual gift ticked.
    assert boxes["Forme du don"] == ("Forme du don(2) ☐ Acte authentique ☐ Acte sous seing privé "
                                     "☒ Déclaration de don manuel ☐ Autres")
    # Nature: version 05's options, cash ticked.
    assert boxes["Nature du don"] == f"Nature du don ☒ Numéraire ☐ Titres de sociétés cotés ☐ Autres : ☐ {VOLUNTEERS} ☐ {INCOME}"
    # Payment: the three boxes, the cheque ticked.
    assert boxes["Mode de versement"] == ("Mode de versement ☐ Remise d'espèces ☒ Chèque "
                                          "☐ Virement, prélèvement, carte bancaire")
    assert "238 bis" not in text  # the companies' article has its own form since version 05
    assert DIFFICULTY_LINE not in text
    assert_every_note_is_referenced(text)


def test_an_individual_receipt_of_a_75_percent_organization_ticks_its_line(client, actors, gifts):
    actors.organization("epicerie", receipt_regime="aid_to_people_in_difficulty", siren="775672272")
    headers = actors.user("finance", organization="epicerie")
    gifts.gift(gifts.campaign("epicerie"), 30_000)
    text, boxes = receipt_text(client, headers, gifts, "epicerie")
    assert INDIVIDUAL_TITLE in text
    assert "☒ Œuvre ou organisme d'intérêt général" in text
    assert f"☒ Organisme sans but lucratif qui procède à la {DIFFICULTY_LINE}" in text
    assert "victimes de violence domestique (article 200-1 ter du CGI)" in text
    assert "☒ Virement, prélèvement, carte bancaire" in boxes["Mode de versement"]  # a card gift
    assert_every_note_is_referenced(text)


def test_a_company_receipt_follows_cerfa_16216_02(client, finance, gifts):
    gifts.gift(gifts.campaign(), 150_000, donor_type="company", payment_method="transfer",
               paid_on=date(2026, 4, 15), address_line1="5 avenue Lakanal", postal_code="92340",
               city="Bourg-la-Reine")
    text, boxes = receipt_text(client, finance, gifts)
    for mention in ["Cerfa n° 16216*02", "Formulaire 2041-MEC-SD", COMPANY_TITLE,
                    "Dénomination sociale Boulangerie Dupont SARL", "Forme juridique SARL", "N° SIREN 732 829 320",
                    "Adresse du siège 5 avenue Lakanal, 92340 Bourg-la-Reine",
                    "Date ou période des dons", "15/04/2026",
                    "1 500,00 €", "mille cinq cents euros", "☒ 238 bis du CGI", "0,5 % du chiffre d'affaires"]:
        assert mention in text, mention
    assert "☒ Virement, prélèvement, carte bancaire" in boxes["Mode de versement"]
    assert "☒ Numéraire" in boxes["Nature du don"] and "☒ Déclaration de don manuel" in boxes["Forme du don"]
    assert "978 du CGI" not in text and "particuliers" not in text
    assert "0.5" not in text
    assert_every_note_is_referenced(text)


def test_a_75_percent_receipt_states_the_cap_in_force_on_the_day_the_gift_was_received(client, actors, gifts):
    # CGI art. 200-1 ter: 1 000 € a year for gifts made before 14 October 2025, 2 000 € from that day
    # (loi de finances pour 2026; service-public.fr F426).
    actors.organization("epicerie", receipt_regime="aid_to_people_in_difficulty", siren="775672272")
    headers = actors.user("finance", organization="epicerie")
    campaign = gifts.campaign("epicerie")
    for day in (date(2025, 10, 13), date(2025, 10, 14)):
        gifts.gift(campaign, 150_000, paid_on=day, payment_method="cheque", email=f"donor-{day.day}@example.org")
    gifts.run_job()
    texts = {}
    for number, *_ in gifts.receipts("epicerie"):
        text, _ = pdf_text(client.get(f"/api/v1/receipts/epicerie/{number}.pdf", headers=headers).data)
        day = "13/10/2025" if "13/10/2025" in text else "14/10/2025"
        texts[day] = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
    assert set(texts) == {"13/10/2025", "14/10/2025"}
    assert "75 % jusqu'à 1 000,00 €" in texts["13/10/2025"] and "2 000,00 €" not in texts["13/10/2025"]
    assert "75 % jusqu'à 2 000,00 €" in texts["14/10/2025"]
