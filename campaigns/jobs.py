"""Scheduled work of the campaigns package."""
import logging

from app.extensions import db
from campaigns import services

log = logging.getLogger(__name__)


def close_due_campaigns_job():
    """End the campaigns whose end date has passed, one transaction each: a receiver failing for
    one campaign (a refund that cannot start) leaves the others ended."""
    for campaign_id in services.campaigns.due_campaign_ids():
        try:
            services.close_campaign(services.get_campaign_by_id(campaign_id))
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("campaign %s could not be ended; retried at the next run", campaign_id)
