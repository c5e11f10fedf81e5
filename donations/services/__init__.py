"""Gift services: plain values in, models out; they flush and the caller commits."""
from donations.services.gifts import (  # noqa: F401
    client_secret_for, confirm_gift, get_donation, get_donation_by_public_id, lock_donation, start_gift,
)
from donations.services.links import donation_for_token, donor_token  # noqa: F401
from donations.services.monthly import cancel_monthly, settle_invoice, subscription_ended  # noqa: F401
from donations.services.offline import record_offline_gift  # noqa: F401
from donations.services.refunds import (  # noqa: F401
    apply_refund, carry_out, dispute_closed, dispute_opened, failed_campaign_gifts, intend_campaign_failed_refund,
    refund_gift, sync_charge_refunds,
)
from donations.services.settlement import fail_gift, settle_payment_intent, succeed_gift  # noqa: F401
