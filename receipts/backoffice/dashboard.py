"""The administrators' home (/gestion): receipts waiting and why (the issuing queue's pending rows,
the rows set aside after an error), and the scheduled jobs that failed lately and have not run
well since (app/jobs_log.py)."""
from sqlalchemy import case, func, select

from app.auth.models import Role
from app.backoffice import add_home_panel
from app.extensions import db
from app.jobs_log import recent_problems
from receipts.models import ReceiptRequest
from receipts.services.queue import SIGNATURE_WAITING, set_aside_requests

REASONS = {
    "set_aside": "Mises de côté après une erreur : à relancer depuis les finances une fois la cause réglée",
    "signature": "Attendent la signature de l'association",
    "partner": "Attendent le SIREN d'un partenaire",
    "campaign": "Attendent la réussite d'une campagne tout-ou-rien",
    "ready": "Prêtes : émises au prochain passage de la tâche",
}


def waiting_receipts():
    """[(reason label, count)] of the queue's pending rows, the reasons with none left out."""
    R = ReceiptRequest
    reason = case((R.set_aside_at.is_not(None), "set_aside"), (R.outcome == SIGNATURE_WAITING, "signature"),
                  (R.waiting_for_partner_id.is_not(None), "partner"),
                  (R.waiting_for_campaign_id.is_not(None), "campaign"), else_="ready")
    counts = dict(db.session.execute(select(reason, func.count(R.id)).where(R.processed_at.is_(None))
                                     .group_by(reason)).all())
    return [(label, counts[key]) for key, label in REASONS.items() if counts.get(key)]


SUBJECTS = {"gift": "don", "partner payment": "paiement d'un partenaire", "merchant top-up": "abondement d'un commerçant",
            "grant": "subvention"}


def _context(user):
    problems = [(run, recovered) for run, recovered in recent_problems(days=7) if not recovered]
    return {"waiting": waiting_receipts(), "set_aside": set_aside_requests(limit=5), "subjects": SUBJECTS,
            "problems": problems}


def register(app):
    add_home_panel(app, "receipts/backoffice/dashboard_panel.html", [Role.admin], context=_context, order=30)
