"""What a receipt prints: the French labels and the `document` mapping the PDF template reads.

Everything is computed here, in the issuing process, so that rendering needs nothing but the mapping.
"""
import base64

from flask import current_app

from app.identifiers import format_siren
from app.money import amount_in_words, format_eur
from app.tax_rules import figures_on, rules_day

CATEGORY_LABELS = {
    "general_interest": "Œuvre ou organisme d'intérêt général",
    "public_utility": "Association ou fondation reconnue d'utilité publique",
    "local_authority": "Collectivité territoriale ou établissement public",
    "endowment_fund": "Fonds de dotation",
    "cultural": "Organisme ayant pour activité principale la présentation au public d'œuvres dramatiques, "
                "lyriques, musicales, chorégraphiques, cinématographiques et de cirque",
}

# The form's three boxes for money, and which payment methods tick which box.
CASH, CHEQUE, ELECTRONIC = "Remise d'espèces", "Chèque", "Virement, prélèvement, carte bancaire"
PAYMENT_MODES = (CASH, CHEQUE, ELECTRONIC)
PAYMENT_BOX = {"cash": CASH, "cheque": CHEQUE, "transfer": ELECTRONIC, "direct_debit": ELECTRONIC,
               "card": ELECTRONIC}
PAYMENT_WORDS = {"cash": "espèces", "cheque": "chèque", "transfer": "virement", "direct_debit": "prélèvement",
                 "card": "carte bancaire"}

# The beneficiary's quality when its gifts earn the 75 % reduction (article 200-1 ter CGI), as the form
# words the line an organization of that kind ticks.
DIFFICULTY_QUALITY = ("Organisme sans but lucratif qui procède à la fourniture gratuite de repas, de soins ou "
                      "d'un logement à des personnes en difficulté, ou qui aide les victimes de violence "
                      "domestique (article 200-1 ter du CGI)")

# Forme and nature of the gift: every option of the form is printed, the one that applies ticked.
# Version 05 of Cerfa 11580 lists, under "Autres", volunteers' expenses and the abandonment of income.
MANUAL_GIFT = "Déclaration de don manuel"
FORM_OPTIONS = ("Acte authentique", "Acte sous seing privé", MANUAL_GIFT, "Autres")
CASH_NATURE = "Numéraire"
NATURE_OPTIONS = {
    "individual": ((CASH_NATURE, ()), ("Titres de sociétés cotés", ()),
                   ("Autres", ("Frais engagés par les bénévoles, dont ils renoncent expressément au remboursement",
                               "Abandon exprès de revenus ou de produits"))),
    "company": ((CASH_NATURE, ()), ("Titres de sociétés cotés", ()), ("Autres", ())),
}

# The notes `footnotes` returns, in its order, and where the body marks each: every printed note is
# referenced, and the template prints the mark from here.
NOTE_MARKS = {"amount": 1, "forme": 2, "article": 3, "penalty": 4}


def decimal_fr(value) -> str:
    """`0,5`, `20`: a figure the French way (decimal comma, no trailing zeros)."""
    return f"{value:g}".replace(".", ",")


def payment_words(methods) -> str:
    return ", ".join(PAYMENT_WORDS[m] for m in sorted(set(methods), key=list(PAYMENT_WORDS).index))


def form_for(donor_type) -> dict:
    return current_app.config["CERFA_FORMS"]["company" if donor_type == "company" else "individual"]


def articles_for(donor_type) -> list[str]:
    """The boxes the form offers: 200 and 978 for individuals (Cerfa 11580), 238 bis for companies."""
    return ["238 bis"] if donor_type == "company" else ["200", "978"]


def footnotes(donor_type, day) -> list[str]:
    """The form's notes, in the order of NOTE_MARKS (amount, forme, article, penalty)."""
    rules = figures_on(current_app.config["TAX_RULES"], day)  # the figures in force on the receipt's day
    notes = [
        "Montant ouvrant droit à réduction d'impôt : les dons et versements reçus, déduction faite de la "
        "valeur des contreparties éventuellement remises au donateur.",
        "Déclaration de don manuel : don remis de la main à la main (en ligne, par carte, chèque, virement, "
        "prélèvement ou espèces), sans acte notarié ni acte sous seing privé.",
    ]
    if donor_type == "company":
        notes.append(
            f"Article 238 bis du CGI : réduction d'impôt de {rules['company_rate_percent']} % des versements "
            f"({rules['company_reduced_rate_percent']} % au-delà de "
            f"{format_eur(rules['company_reduced_rate_threshold_cents'])}), retenus dans la limite de "
            f"{format_eur(rules['company_cap_cents'])} ou de {decimal_fr(rules['company_cap_turnover_permille'] / 10)} % "
            "du chiffre d'affaires hors taxes lorsque ce dernier montant est plus élevé.")
    else:
        notes.append(
            f"Article 200 du CGI : réduction d'impôt sur le revenu de {rules['individual_rate_percent']} % "
            f"des versements, dans la limite de {rules['individual_income_cap_percent']} % du revenu imposable "
            f"({rules['difficulty_rate_percent']} % jusqu'à {format_eur(rules['difficulty_yearly_cap_cents'])} "
            "par an pour l'aide aux personnes en difficulté). Article 978 du CGI : impôt sur la fortune "
            "immobilière, pour les organismes qui y ouvrent droit.")
    notes.append("L'organisme qui délivre irrégulièrement des reçus s'expose à l'amende prévue à l'article "
                 "1740 A du code général des impôts. Ce reçu est à conserver par le donateur.")
    return notes


def address_lines(data) -> list[str]:
    lines = [data.get("address_line1", ""), data.get("address_line2", ""),
             f"{data.get('postal_code', '')} {data.get('city', '')}".strip()]
    if data.get("country") and data["country"].lower() != "france":
        lines.append(data["country"])
    return [line for line in lines if line]


def beneficiary_snapshot(organization) -> dict:
    return {
        "name": organization.name, "legal_form": organization.legal_form, "siren": organization.siren or "",
        "rna": organization.rna or "", "address_line1": organization.address_line1,
        "address_line2": organization.address_line2 or "", "postal_code": organization.postal_code,
        "city": organization.city, "objet": organization.objet, "category": organization.category.value,
        "signatory_name": organization.signatory_name, "signatory_title": organization.signatory_title,
        "receipt_regime": organization.receipt_regime.value,
    }


def verification_url(organization_slug, number, token) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/verifier/{organization_slug}/{number}?k={token}"


def png_data_uri(data) -> str | None:
    return "data:image/png;base64," + base64.b64encode(data).decode() if data else None


def qualities(beneficiary) -> list[str]:
    """The quality lines ticked for the beneficiary: its category, and the 75 % line when it has it."""
    lines = [CATEGORY_LABELS.get(beneficiary["category"], beneficiary["category"])]
    if beneficiary.get("receipt_regime") == "aid_to_people_in_difficulty":
        lines.append(DIFFICULTY_QUALITY)
    return lines


def build_document(receipt, draft) -> dict:
    """The mapping the PDF template reads, from a numbered receipt row and the draft it came from."""
    replaces = draft.replaces
    beneficiary, donor = receipt.beneficiary, receipt.donor
    form = form_for(receipt.donor_type)
    url = verification_url(receipt.organization.slug, receipt.number, receipt.verification_token)
    gift_count = len(draft.gifts)
    return {
        "number": receipt.number,
        "form_number": receipt.form_number, "form_version": receipt.form_version,
        "form_title": form["title"], "form_reference": form["reference"], "form_name": form.get("form", ""),
        "is_company": receipt.donor_type == "company",
        "beneficiary": {
            "name": beneficiary["name"], "legal_form": beneficiary["legal_form"],
            "siren": format_siren(beneficiary["siren"]) if beneficiary["siren"] else "",
            "rna": beneficiary["rna"], "address": address_lines(beneficiary), "objet": beneficiary["objet"],
            "category_label": CATEGORY_LABELS.get(beneficiary["category"], beneficiary["category"]),
            "qualities": qualities(beneficiary),
        },
        "donor": {
            "first_name": donor.get("first_name", ""), "last_name": donor.get("last_name", ""),
            "company_name": donor.get("company_name", ""), "legal_form": donor.get("legal_form", ""),
            "siren": format_siren(donor["siren"]) if donor.get("siren") else "",
            "address": address_lines(donor),
        },
        "amount_figures": format_eur(receipt.amount_cents), "amount_words": amount_in_words(receipt.amount_cents),
        "counterpart_cents": receipt.counterpart_cents, "counterpart_figures": format_eur(receipt.counterpart_cents),
        "gift_figures": format_eur(receipt.gift_cents),
        "period": (f"cumul {receipt.gift_year}" if receipt.gift_year else
                   # a merchant's monthly top-up: the month of the gifts, and the day the money arrived
                   f"période du {receipt.period_start:%d/%m/%Y} au {receipt.period_end:%d/%m/%Y} "
                   f"(versement reçu le {receipt.paid_on:%d/%m/%Y})" if receipt.period_start else None),
        "paid_on": receipt.paid_on.strftime("%d/%m/%Y") if receipt.paid_on else None,
        "gift_count": (f"{gift_count} don{'s' if gift_count > 1 else ''} sur l'année"
                       if receipt.gift_year and gift_count else None),
        "roundup_figures": format_eur(receipt.roundup_cents) if receipt.roundup_cents else None,
        "article": receipt.article, "articles": articles_for(receipt.donor_type),
        "forme": MANUAL_GIFT, "nature": CASH_NATURE, "form_options": list(FORM_OPTIONS),
        "nature_options": [{"label": label, "others": list(others)}
                           for label, others in NATURE_OPTIONS[receipt.donor_type]],
        "payment_modes": list(PAYMENT_MODES),
        "payment_methods": sorted({PAYMENT_BOX[m] for m in draft.payment_methods}),
        "place": beneficiary["city"], "issued_on": receipt.issued_on.strftime("%d/%m/%Y"),
        "signatory_name": beneficiary["signatory_name"], "signatory_title": beneficiary["signatory_title"],
        "signature_uri": png_data_uri(receipt.organization.signature_png),
        "stamp_uri": png_data_uri(receipt.organization.stamp_png),
        "logo_uri": png_data_uri(receipt.organization.logo_png),
        "verification_url": url,
        "replaces": ({"number": replaces.number, "issued_on": replaces.issued_on.strftime("%d/%m/%Y"),
                      "reason": replaces.cancel_reason} if replaces is not None else None),
        "complements": ({"number": draft.complements.number,
                         "issued_on": draft.complements.issued_on.strftime("%d/%m/%Y")}
                        if draft.complements is not None else None),
        "cancelled": None,
        "footnotes": footnotes(receipt.donor_type, rules_day(receipt.paid_on, receipt.gift_year)), "marks": dict(NOTE_MARKS),
    }
