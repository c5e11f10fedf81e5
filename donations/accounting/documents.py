"""Partners' calls for funds as CSV and PDF (the service's one renderer, `app.pdf`), in French."""
from babel.dates import format_date
from flask import current_app, render_template

from app import pdf
from app.banking import format_iban, format_reference
from app.csv import write_csv
from app.money import format_cents_plain
from campaigns.services import call_reference


def call_filename(call) -> str:
    return f"appel-de-fonds-{call.partner.slug}-{call.campaign.slug}-{call.month_label}"


def calls_csv(calls) -> str:
    """One row per call: who pays whom, how much, on which account, with which reference."""
    rows = []
    for call in calls:
        organization = call.campaign.organization
        rows.append([call.month_label, call.partner.name, call.partner.siren or "", organization.name,
                     call.campaign.title, format_cents_plain(call.earlier_cents), format_cents_plain(call.month_cents),
                     format_cents_plain(call.amount_cents), organization.bank_account_holder or "",
                     organization.bank_iban or "", organization.bank_bic or "", call_reference(call),
                     call.payment.received_on.isoformat() if call.payment else ""])
    return write_csv(["mois", "partenaire", "siren_partenaire", "beneficiaire", "campagne", "reste_du_eur",
                      "du_ce_mois_eur", "montant_appele_eur", "titulaire_du_compte", "iban", "bic",
                      "reference_paiement", "recu_le"], rows)


def call_pdf(call) -> bytes:
    organization = call.campaign.organization
    html = render_template("accounting/call_for_funds_pdf.html", call=call, organization=organization,
                           month_text=format_date(call.month, "MMMM y", locale="fr_FR"),
                           iban=format_iban(organization.bank_iban), reference=format_reference(call_reference(call)),
                           public_url=current_app.config["PUBLIC_URL"])
    return pdf.render_pdf(html)
