"""Gift services: plain values in, models out; they flush and the caller commits.

Each module imports only those listed before it: lookups < failed_campaigns < links < settlement <
monthly < stripe_sync < gifts < offline, refunds.
"""
from donations.services.failed_campaigns import (  # noqa: F401
    failed_campaign_gifts, intend_campaign_failed_refund, intend_failed_campaign_refunds,
    intend_refund_if_campaign_failed,
)
from donations.services.gifts import client_secret_for, confirm_gift, start_gift  # noqa: F401
from donations.services.links import donation_for_token, donor_token  # noqa: F401
from donations.services.lookups import (  # noqa: F401
    donation_for_charge, get_donation, get_donation_by_public_id, lock_donation, lock_donation_where,
)
from donations.services.monthly import cancel_monthly, settle_invoice, subscription_ended  # noqa: F401
from donations.services.offline import record_offline_gift  # noqa: F401
from donations.services.refunds import (  # noqa: F401
    apply_refund, carry_out, carry_out_intended, dispute_closed, dispute_opened, intended_refunds, refund_gift,
    sync_charge_refunds,
)
from donations.services.settlement import apply_intent, fail_gift, succeed_gift  # noqa: F401
from donations.services.stripe_sync import settle_payment_intent  # noqa: F401
