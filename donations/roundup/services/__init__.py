"""Round-up services: plain values in, models out; they flush, the caller commits."""
from donations.roundup.services.ingest import (  # noqa: F401
    MAX_BATCH, KeyRefused, check_values, first_answer, get_roundup, insert_for_key, insert_for_key_psycopg, live_rule,
    record_batch, record_checkout, void_roundup,
)
from donations.roundup.services.merchants import (  # noqa: F401
    KEY_PREFIX, create_key, issue_merchant_key, merchant_for_key_hash, create_merchant, get_key, get_merchant, get_merchant_by_id, hash_key, key_for_secret, list_keys, list_merchants,
    merchant_for_key, revoke_key, update_merchant,
)
from donations.roundup.services.reporting import (  # noqa: F401
    daily_totals, donor_year_totals, merchant_summary, settlements_for, till_setup, today_totals,
)
from donations.roundup.services.rules import check_roundup, quote, roundup_options  # noqa: F401
from donations.roundup.services.settlement import (  # noqa: F401
    get_settlement, match_for, merchants_to_settle, parse_month, settle_all, settle_month,
)
from donations.roundup.services.payments import (  # noqa: F401
    PaymentDue, mark_all_paid as mark_paid, mark_organization_paid, payment_due, payments_due, statement_reference,
    unpaid_lines_of,
)
