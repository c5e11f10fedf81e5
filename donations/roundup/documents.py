"""A statement as CSV (for accounting) and as PDF (the service's one renderer, `app.pdf`), in French."""
from babel.dates import format_date
from flask import current_app, render_template

from app import pdf
from app.csv import write_csv
from app.money import format_cents_plain
from donations.roundup.services.payments import payments_due


def filename(settlement):
    return f"releve-arrondi-{settlement.merchant.slug}-{settlement.month_label}"


def _lines(settlement, organization_id):
    return [line for line in settlement.lines
            if organization_id is None or line.recipient_organization_id == organization_id]


def statement_csv(settlement, organization_id=None):
    """One row per beneficiary, amounts as `1234.56`, each with the account its organization is paid on
    and the transfer's reference; then the totals (all of them for the merchant)."""
    payments = {due.organization.id: due for due in payments_due(settlement, organization_id)}
    rows = []
    for line in _lines(settlement, organization_id):
        due = payments[line.recipient_organization_id]
        rows.append([settlement.merchant.name, settlement.merchant.siret, settlement.month_label, line.label,
                     "campagne" if line.campaign_id else "organisme", f"{line.share_basis_points / 100:.2f}",
                     format_cents_plain(line.amount_cents), due.organization.bank_iban or "", due.reference,
                     line.paid_on.isoformat() if line.paid_on else ""])
    if organization_id is None:
        for label, cents in (("arrondis", settlement.roundups_cents), ("abondement", settlement.match_cents),
                             ("annulations", -settlement.adjustments_cents),
                             ("avoir_reporte", -settlement.carried_in_cents),
                             ("avoir_a_reporter", settlement.carry_out_cents), ("total_du", settlement.total_cents)):
            rows.append([settlement.merchant.name, settlement.merchant.siret, settlement.month_label, label,
                         "total", "", format_cents_plain(cents), "", "", ""])
    return write_csv(["commercant", "siret", "mois", "beneficiaire", "type", "part_pourcent", "montant_eur",
                      "iban", "reference_paiement", "recu_le"], rows)


def statement_pdf(settlement, organization_id=None):
    # A statement needs nothing from outside: app.pdf fetches no file and nothing from the network.
    html = render_template("roundup/statement_pdf.html", settlement=settlement,
                           lines=_lines(settlement, organization_id), partial=organization_id is not None,
                           payments=payments_due(settlement, organization_id),
                           month_text=format_date(settlement.month, "MMMM y", locale="fr_FR"),
                           public_url=current_app.config["PUBLIC_URL"])
    return pdf.render_pdf(html)
