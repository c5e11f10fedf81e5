"""Models of the campaigns package: organizations and partners, campaigns and their ledger.

Everything is importable from `campaigns.models`; the submodules only keep each file short.
"""
from campaigns.models.organizations import (  # noqa: F401
    Organization, OrganizationCategory, Partner, PartnerKind, ReceiptRegime,
)
from campaigns.models.campaigns import (  # noqa: F401
    CAMPAIGN_TRANSITIONS, Campaign, CampaignCategory, CampaignCover, CampaignNews, CampaignStatus, FundingModel,
    RewardTier, StretchGoal,
)
from campaigns.models.ledger import (  # noqa: F401
    CampaignDonor, CampaignPartnerTotal, Contribution, ContributionSource, MatchPledge, MatchPledgeDonor,
    MonthlySourceTotal, WallEntry,
)
from campaigns.models.payments import (  # noqa: F401
    PartnerPayment, PartnerPaymentContribution, PartnerPaymentMethod,
)
from campaigns.models.calls import CallForFunds  # noqa: F401
