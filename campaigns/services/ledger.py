"""The ledger behind a campaign's totals: add and reverse contributions, match gifts.

Totals (`Campaign.*_cents`, `donor_count`, `CampaignPartnerTotal`) move only here, in the caller's
transaction, with atomic `x = x + :delta` statements: two gifts committed at once never lose one
another's update, and nothing ever re-adds the gifts to display a page.
"""
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.formatting import to_local
from app.sql import locked, upsert_insert
from app.types import utcnow
from campaigns.models import (Campaign, CampaignDonor, CampaignPartnerTotal, CampaignStatus, Contribution,
                              ContributionSource, MatchPledge, MatchPledgeDonor, MonthlySourceTotal, Partner)
from campaigns.models.ledger import SOURCE_COLUMNS

# Sources whose giver is a citizen counted among the campaign's donors.
DONOR_SOURCES = {ContributionSource.online, ContributionSource.offline, ContributionSource.company}
# Money may still arrive after the end date (a late cheque, a webhook delivered after closing, a
# round-up settlement), but never on a draft, a cancelled or a paid-out campaign.
COUNTING_STATUSES = {CampaignStatus.published, CampaignStatus.succeeded, CampaignStatus.failed}


def _expire(model, pk, *attributes):
    """The atomic UPDATEs bypass the identity map: make a loaded object re-read what they changed."""
    loaded = db.session.identity_map.get(identity_key(model, pk))
    if loaded is not None:
        db.session.expire(loaded, list(attributes) or None)


def month_of(moment) -> date:
    """The first day of `moment`'s month in the territory's calendar (a line made on 31 December at
    23:30 in Paris counts in December)."""
    return to_local(moment).date().replace(day=1)


def _move_month(month, source, delta):
    statement = upsert_insert(MonthlySourceTotal).values(month=month, source=source, amount_cents=delta)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["month", "source"],
        set_={"amount_cents": MonthlySourceTotal.amount_cents + statement.excluded.amount_cents}))


def _move_totals(campaign_id, source, partner_id, delta, month):
    _move_month(month, source, delta)
    column = SOURCE_COLUMNS[source]
    db.session.execute(
        update(Campaign).where(Campaign.id == campaign_id)
        .values({column: getattr(Campaign, column) + delta, "raised_cents": Campaign.raised_cents + delta})
        .execution_options(synchronize_session=False))
    _expire(Campaign, campaign_id, column, "raised_cents")
    if partner_id is None:
        return
    key = dict(campaign_id=campaign_id, partner_id=partner_id, source=source)
    if delta > 0:
        statement = upsert_insert(CampaignPartnerTotal).values(**key, amount_cents=delta)
        statement = statement.on_conflict_do_update(
            index_elements=["campaign_id", "partner_id", "source"],
            set_={"amount_cents": CampaignPartnerTotal.amount_cents + statement.excluded.amount_cents})
        db.session.execute(statement)
    else:
        db.session.execute(
            update(CampaignPartnerTotal).filter_by(**key)
            .values(amount_cents=CampaignPartnerTotal.amount_cents + delta)
            .execution_options(synchronize_session=False))
    _expire(CampaignPartnerTotal, (campaign_id, partner_id, source))


def _count_donor(campaign_id, donor_key, delta):
    """Count a distinct donor once: the campaign's donor_count moves when their first contribution
    arrives and when their last one is fully reversed."""
    if delta > 0:
        statement = upsert_insert(CampaignDonor).values(campaign_id=campaign_id, donor_key=donor_key, active_count=1)
        statement = statement.on_conflict_do_update(
            index_elements=["campaign_id", "donor_key"],
            set_={"active_count": CampaignDonor.active_count + 1}).returning(CampaignDonor.active_count)
        changed = db.session.execute(statement).scalar_one() == 1
    else:
        count = db.session.execute(
            update(CampaignDonor).filter_by(campaign_id=campaign_id, donor_key=donor_key)
            .values(active_count=CampaignDonor.active_count - 1).returning(CampaignDonor.active_count)
            .execution_options(synchronize_session=False)).scalar_one_or_none()
        changed = count == 0
    if changed:
        db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                           .values(donor_count=Campaign.donor_count + delta)
                           .execution_options(synchronize_session=False))
        _expire(Campaign, campaign_id, "donor_count")


def _existing(campaign_id, source, donation_id, pledge_id, reference):
    query = select(Contribution)
    if donation_id is not None:
        query = query.where(Contribution.donation_id == donation_id)
        query = query.where(Contribution.pledge_id == pledge_id if pledge_id is not None
                            else Contribution.pledge_id.is_(None))
    elif reference is not None:
        query = query.where(Contribution.campaign_id == campaign_id, Contribution.source == source,
                            Contribution.reference == reference, Contribution.donation_id.is_(None))
    else:
        return None
    return db.session.scalar(query)


def add_contribution(campaign_id, source, amount_cents, *, donor_key=None, partner_id=None, donation_id=None,
                     reference=None, pledge_id=None) -> Contribution:
    """Count money in a campaign and move its totals, in the caller's transaction.

    Idempotent: a second call for the same `donation_id` (or, without a gift, the same
    `(campaign, source, reference)`) returns the first contribution and moves nothing — a retried
    webhook or settlement cannot count twice. `donor_key` (an opaque string, e.g. a hash of the
    donor's e-mail) counts a distinct donor once per campaign. Match contributions are made by
    `match_gift`, not here.
    """
    try:
        source = ContributionSource(source)
    except ValueError:
        raise InvalidInput(f"unknown contribution source {source!r}", "source") from None
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise InvalidInput("a contribution is a positive whole number of cents", "amount_cents")
    if source is ContributionSource.match and pledge_id is None:
        raise InvalidInput("matches are recorded by match_gift", "source")
    if source is ContributionSource.grant and partner_id is None:
        raise InvalidInput("a grant comes from a partner", "partner_id")
    if partner_id is not None and db.session.get(Partner, partner_id) is None:
        raise NotFound(f"no partner {partner_id}", "partner_id")
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}", "campaign_id")
    if campaign.status not in COUNTING_STATUSES:
        raise Conflict(f"a {campaign.status.value} campaign takes no money", "campaign_id")

    found = _existing(campaign_id, source, donation_id, pledge_id, reference)
    if found is not None:
        return found
    contribution = Contribution(campaign_id=campaign_id, source=source, amount_cents=amount_cents,
                                donor_key=donor_key, partner_id=partner_id, donation_id=donation_id,
                                reference=reference, pledge_id=pledge_id, reversed_cents=0, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(contribution)
            db.session.flush()
    except IntegrityError:
        # A concurrent retry of the same gift committed first: answer with its line.
        found = _existing(campaign_id, source, donation_id, pledge_id, reference)
        if found is None:
            raise
        return found
    _move_totals(campaign_id, source, partner_id, amount_cents, month_of(contribution.created_at))
    if donor_key and source in DONOR_SOURCES:
        _count_donor(campaign_id, donor_key, +1)
    return contribution


def reverse_contribution(contribution, amount_cents=None) -> Contribution:
    """Take back `amount_cents` of a contribution (all that is left when None); totals follow."""
    left = contribution.amount_cents - contribution.reversed_cents
    amount = left if amount_cents is None else amount_cents
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise InvalidInput("a reversal is a whole number of cents", "amount_cents")
    if amount == 0:
        return contribution
    # Conditional and atomic: two refunds of the same gift at once cannot reverse more than it was.
    row = db.session.execute(
        update(Contribution)
        .where(Contribution.id == contribution.id, Contribution.reversed_cents + amount <= Contribution.amount_cents)
        .values(reversed_cents=Contribution.reversed_cents + amount, reversed_at=utcnow())
        .returning(Contribution.reversed_cents, Contribution.amount_cents)
        .execution_options(synchronize_session=False)).one_or_none()
    if row is None:
        raise Conflict(f"only {left} cents of this contribution are left to reverse", "amount_cents")
    db.session.expire(contribution, ["reversed_cents", "reversed_at"])
    fully_reversed = row.reversed_cents == row.amount_cents
    _move_totals(contribution.campaign_id, contribution.source, contribution.partner_id, -amount,
                 month_of(contribution.created_at))
    if contribution.donor_key and contribution.source in DONOR_SOURCES and fully_reversed:
        _count_donor(contribution.campaign_id, contribution.donor_key, -1)
    if contribution.pledge_id is not None:
        _give_back_to_pledge(contribution, amount, fully_reversed)
    return contribution


def _give_back_to_pledge(contribution, amount, fully_reversed):
    """A reversed match frees the pledge's cap (the partner does not pay it)."""
    db.session.execute(
        update(MatchPledge).where(MatchPledge.id == contribution.pledge_id)
        .values(matched_cents=MatchPledge.matched_cents - amount,
                matched_gift_count=MatchPledge.matched_gift_count - (1 if fully_reversed else 0))
        .execution_options(synchronize_session=False))
    _expire(MatchPledge, contribution.pledge_id, "matched_cents", "matched_gift_count")
    if fully_reversed and contribution.donor_key:
        db.session.execute(
            update(MatchPledgeDonor).filter_by(pledge_id=contribution.pledge_id, donor_key=contribution.donor_key)
            .values(matched_count=MatchPledgeDonor.matched_count - 1)
            .execution_options(synchronize_session=False))


def reverse_donation_contributions(donation_id, amount_cents=None) -> list[Contribution]:
    """Undo what a gift added: its own contribution, then its matches.

    `amount_cents=None` reverses everything (a full refund, or a failed all-or-nothing campaign);
    a number reverses that much of the gift's own contribution (a partial refund). Each match is
    then cut down to what the gift's remaining amount earns under its pledge (ratio and per-gift
    cap), never above what was matched: a full refund takes back every match, a partial one the
    matched part that no longer has a gift behind it. Returns the contributions that moved; an
    unknown gift returns [].
    """
    rows = db.session.scalars(locked(select(Contribution).where(Contribution.donation_id == donation_id)
                                     .order_by(Contribution.id))).all()
    own = next((row for row in rows if row.pledge_id is None), None)
    changed = []
    if own is not None:
        reverse_contribution(own, amount_cents)
        changed.append(own)
        remaining_gift = own.amount_cents - own.reversed_cents
    else:
        remaining_gift = 0
    for match in rows:
        if match.pledge_id is None:
            continue
        pledge = db.session.get(MatchPledge, match.pledge_id)
        earned = remaining_gift * pledge.ratio_numerator // pledge.ratio_denominator
        if pledge.per_gift_cap_cents is not None:
            earned = min(earned, pledge.per_gift_cap_cents)
        excess = match.net_cents - min(match.amount_cents, earned)
        if excess > 0:
            reverse_contribution(match, excess)
            changed.append(match)
    return changed


def match_gift(campaign_id, donation_id, gift_cents, donor_key=None) -> list[Contribution]:
    """Apply every active match pledge of the campaign to one gift; returns the match contributions.

    Call it after `add_contribution` for the gift, in the same transaction. Each pledge row is
    locked (SELECT ... FOR UPDATE on PostgreSQL) while its cap is consumed, and the consuming UPDATE
    is conditional on the cap as well, so concurrent gifts never push a pledge past its total cap.
    Idempotent per (pledge, gift). A pledge with a per-donor limit matches no gift whose donor is
    unknown (`donor_key=None`), since the limit could not be kept.
    """
    if isinstance(gift_cents, bool) or not isinstance(gift_cents, int) or gift_cents <= 0:
        raise InvalidInput("a gift is a positive whole number of cents", "amount_cents")
    pledge_ids = db.session.scalars(select(MatchPledge.id).where(
        MatchPledge.campaign_id == campaign_id, MatchPledge.active.is_(True)).order_by(MatchPledge.id)).all()
    matches = []
    for pledge_id in pledge_ids:
        pledge = db.session.scalars(locked(select(MatchPledge).where(MatchPledge.id == pledge_id))).one()
        already = _existing(campaign_id, ContributionSource.match, donation_id, pledge_id, None)
        if already is not None:
            matches.append(already)
            continue
        if pledge.max_gifts_per_donor is not None:
            if donor_key is None:
                continue
            done = db.session.scalar(select(MatchPledgeDonor.matched_count).filter_by(
                pledge_id=pledge_id, donor_key=donor_key)) or 0
            if done >= pledge.max_gifts_per_donor:
                continue
        amount = pledge.match_for(gift_cents)
        if amount <= 0:
            continue
        consumed = db.session.execute(
            update(MatchPledge)
            .where(MatchPledge.id == pledge_id, MatchPledge.matched_cents + amount <= MatchPledge.total_cap_cents)
            .values(matched_cents=MatchPledge.matched_cents + amount,
                    matched_gift_count=MatchPledge.matched_gift_count + 1)
            .execution_options(synchronize_session=False))
        if consumed.rowcount == 0:
            continue
        _expire(MatchPledge, pledge_id, "matched_cents", "matched_gift_count")
        if donor_key is not None:
            statement = upsert_insert(MatchPledgeDonor).values(pledge_id=pledge_id, donor_key=donor_key, matched_count=1)
            db.session.execute(statement.on_conflict_do_update(
                index_elements=["pledge_id", "donor_key"],
                set_={"matched_count": MatchPledgeDonor.matched_count + 1}))
        matches.append(add_contribution(campaign_id, ContributionSource.match, amount, partner_id=pledge.partner_id,
                                        donation_id=donation_id, pledge_id=pledge_id, donor_key=donor_key))
    return matches


def reverse_matches_of_failed_campaign(campaign) -> int:
    """A failed all-or-nothing campaign: partners pay none of their matches. Returns cents reversed."""
    rows = db.session.scalars(select(Contribution).where(
        Contribution.campaign_id == campaign.id, Contribution.source == ContributionSource.match,
        Contribution.reversed_cents < Contribution.amount_cents).order_by(Contribution.id)).all()
    total = 0
    for row in rows:
        total += row.net_cents
        reverse_contribution(row)
    return total
