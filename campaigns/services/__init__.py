"""Services of the campaigns package: plain values in, models out; they flush, callers commit.

Everything is importable from `campaigns.services`; the submodules keep each file short.
"""
from campaigns.services.organizations import (  # noqa: F401
    create_organization, create_partner, get_organization, get_partner, list_organizations, list_partners,
    remove_organization_image, set_bank_details, set_organization_image, update_organization,
)
from campaigns.services.ledger import (  # noqa: F401
    add_contribution, match_gift, reverse_contribution, reverse_donation_contributions,
)
from campaigns.services.tiers import claim_tier, release_tier  # noqa: F401
from campaigns.services.content import (  # noqa: F401
    add_news, add_wall_entry, get_cover, remove_wall_entry, render_markdown, set_cover,
)
from campaigns.services.campaigns import (  # noqa: F401
    archive_campaign, cancel_campaign, close_campaign, close_due_campaigns, create_campaign,
    ensure_accepting_gifts, ensure_takes_payments, get_campaign, get_campaign_by_id, list_campaigns, publish_campaign,
    update_campaign,
)
from campaigns.services.pledges import (  # noqa: F401
    create_pledge, list_pledges, partner_shares, record_grant, set_pledge_active,
)
from campaigns.services.payments import (  # noqa: F401
    owed_cents, partner_payments, record_partner_payment, update_partner,
)
from campaigns.services.calls import (  # noqa: F401
    call_reference, calls_for, get_call, issue_calls, mark_call_received,
)
