"""The summaries as files: JSON-ready mappings, a CSV for French spreadsheets, and PDFs.

PDFs are rendered from this package's templates by the service's one PDF renderer (`app.pdf`).
Nothing is fetched while rendering: the chart is inline SVG and the renderer refuses every URL but
data: URIs.
"""
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import pdf
from app.csv import write_csv
from app.formatting import format_day, format_moment
from app.money import format_cents_plain, format_eur
from app.types import utcnow
from receipts.summaries.charts import bar_chart, legend_items

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _environment():
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True))
    environment.filters.update(eur=format_eur, day=format_day)
    return environment


def render_pdf(template, **context) -> bytes:
    html = _environment().get_template(template).render(generated_at=format_moment(utcnow()), **context)
    return pdf.render_pdf(html)


def period_label(period):
    if period.start and period.end:
        return f"du {format_day(period.start)} au {format_day(period.end)}"
    if period.start:
        return f"depuis le {format_day(period.start)}"
    if period.end:
        return f"jusqu'au {format_day(period.end)}"
    return "depuis le début"


# --- Partner summary ---------------------------------------------------------------------------------

def partner_summary_data(summary):
    leverage = summary.leverage
    return {
        "partner": {"slug": summary.partner.slug, "name": summary.partner.name, "kind": summary.partner.kind.value},
        "period": {"from": summary.period.start, "to": summary.period.end},
        "matched_cents": summary.matched_cents, "granted_cents": summary.granted_cents,
        "company_cents": summary.company_cents, "partner_cents": summary.partner_cents,
        "matched_gifts": summary.matched_gifts, "citizens_cents": summary.citizens_cents,
        "donors_reached": summary.donors, "campaign_count": len(summary.campaigns),
        **_pledge_data(summary),
        "leverage": _leverage_data(leverage),
        "campaigns": [_supported_data(line) for line in summary.campaigns],
    }


def _leverage_data(leverage):
    ratio = leverage.ratio
    return {"citizens_cents": leverage.citizens_cents, "partner_cents": leverage.partner_cents,
            "ratio": leverage.plain,
            "numerator": ratio.numerator if ratio is not None else None,
            "denominator": ratio.denominator if ratio is not None else None}


def _supported_data(line):
    campaign = line.campaign
    return {
        "slug": campaign.slug, "title": campaign.title, "organization": campaign.organization.name,
        "status": campaign.status.value, "status_label": campaign.status_label,
        "goal_cents": campaign.goal_cents, "raised_cents": campaign.raised_cents, "percent": campaign.percent,
        "ends_at": campaign.ends_at,
        "matched_cents": line.matched_cents, "granted_cents": line.granted_cents, "company_cents": line.company_cents,
        "partner_cents": line.partner_cents, "matched_gifts": line.matched_gifts,
        "online_cents": line.online_cents, "offline_cents": line.offline_cents, "roundup_cents": line.roundup_cents,
        "citizens_cents": line.citizens_cents, "others_cents": line.others_cents, "donors": line.donors,
        "leverage": _leverage_data(line.leverage),
        **_pledge_data(line),
    }


def _pledge_data(item):
    return {"pledged_cents": item.pledged_cents, "pledge_used_cents": item.pledge_used_cents,
            "pledge_left_cents": item.pledge_left_cents}


CSV_AMOUNTS = ("partner", "matched", "granted", "company", "citizens", "online", "offline", "roundup", "others",
               "pledged", "pledge_used", "pledge_left")


def partner_summary_csv(summary) -> bytes:
    """`;`-separated UTF-8 with a BOM (what French spreadsheets open cleanly); each amount twice,
    in euros (`1234.56`) and in cents, and a last TOTAL line."""
    header = ["campaign_slug", "campaign_title", "organization", "status", "goal_eur", "raised_eur"]
    for name in CSV_AMOUNTS:
        header += [f"{name}_eur", f"{name}_cents"]
    rows = []
    for line in summary.campaigns:
        campaign = line.campaign
        row = [campaign.slug, campaign.title, campaign.organization.name, campaign.status.value,
               format_cents_plain(campaign.goal_cents), format_cents_plain(campaign.raised_cents)]
        rows.append(row + _amounts(line) + [line.matched_gifts, line.donors, line.leverage.plain or ""])
    total = ["TOTAL", summary.partner.name, "", "", "", ""]
    rows.append(total + _amounts(summary) + [summary.matched_gifts, summary.donors, summary.leverage.plain or ""])
    return write_csv(header + ["matched_gifts", "donors", "leverage"], rows, bom=True).encode("utf-8")


def _amounts(item):
    cells = []
    for name in CSV_AMOUNTS:
        cents = getattr(item, f"{name}_cents")
        cells += [format_cents_plain(cents), cents]
    return cells


def partner_summary_pdf(summary) -> bytes:
    kinds = ("online", "offline", "roundup", "partner", "others")
    rows = [(line.campaign.title, [("online", line.online_cents), ("offline", line.offline_cents),
                                   ("roundup", line.roundup_cents), ("partner", line.partner_cents),
                                   ("others", line.others_cents)])
            for line in summary.campaigns]
    chart = bar_chart(rows, "Financement de chaque campagne sur la période, par source") if rows else None
    return render_pdf("summaries/partner.html", summary=summary, period=period_label(summary.period),
                      chart=chart, legend=legend_items(kinds, summary.partner.name))


# --- Campaign funding plan ---------------------------------------------------------------------------

def campaign_funding_data(funding):
    campaign = funding.campaign
    return {
        "campaign": {"slug": campaign.slug, "title": campaign.title, "status": campaign.status.value,
                     "status_label": campaign.status_label, "goal_cents": campaign.goal_cents,
                     "percent": campaign.percent, "donor_count": campaign.donor_count,
                     "organization": funding.organization.name, "ends_at": campaign.ends_at},
        "raised_cents": funding.total_cents, "citizens_cents": funding.citizens_cents,
        "partners_cents": funding.partners_cents, "leverage": _leverage_data(funding.leverage),
        "sources": [{
            "source": line.source, "label": line.label, "amount_cents": line.amount_cents,
            **({"partner": line.partner.slug, "matched_cents": line.matched_cents,
                "granted_cents": line.granted_cents, "patronage_cents": line.patronage_cents,
                "pledged_cents": line.pledged_cents} if line.partner is not None else {}),
        } for line in funding.lines],
    }


def campaign_funding_pdf(funding) -> bytes:
    rows = [(line.label, [(line.source, line.amount_cents)]) for line in funding.lines]
    chart = bar_chart(rows, "Plan de financement par source")
    kinds = [kind for kind in ("online", "offline", "roundup", "partner", "company")
             if any(line.source == kind for line in funding.lines)]
    return render_pdf("summaries/campaign.html", funding=funding, chart=chart,
                      legend=legend_items(kinds, "Partenaires"))
