"""What reached the organization's bank: Stripe's payouts from its connected account, each broken down
into the balance transactions it paid out (gifts, their fees, refunds, disputes), matched to our gifts
and to the receipts issued for them. Read from Stripe each time: Stripe's books are the truth.

For each payout the lines tie to the cent: the sum of the lines' net amounts is the payout's amount
(`ties` says so; a payout that does not tie is shown as such, never adjusted).
"""
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db
from donations import signals
from donations.gateway import (
    call_stripe,
    object_id,
    on_account,
    stripe_client,
    stripe_date,
)
from donations.models import Donation

# Stripe's balance transaction types (docs.stripe.com/api/balance_transactions/object), as a treasurer
# reads them.
KINDS = {"charge": "gift", "payment": "gift", "refund": "refund", "payment_refund": "refund",
         "adjustment": "dispute", "stripe_fee": "fee", "application_fee": "fee"}
MAX_PAYOUTS = 100


def payouts(organization, *, limit=20) -> list[dict]:
    """The organization's latest payouts, newest first, each reconciled (see `reconcile`)."""
    if not organization.stripe_account_id:
        raise Conflict("the organization has no Stripe account yet", "stripe_account")
    client = stripe_client()
    options = on_account(organization.stripe_account_id)
    with call_stripe("reading the payouts"):
        found = [payout.to_dict() for payout in client.v1.payouts.list(
            params={"limit": min(max(limit, 1), MAX_PAYOUTS)}, options=options).data]
        lines = {payout["id"]: _lines(client, payout["id"], options) for payout in found}
    gifts = _gifts(organization, [line for payout_lines in lines.values() for line in payout_lines])
    receipts = _receipts(organization, {gift.id for gift in gifts.values()})
    return [reconcile(payout, lines[payout["id"]], gifts, receipts)
            for payout in sorted(found, key=lambda p: p["created"], reverse=True)]


def _lines(client, payout_id, options) -> list[dict]:
    pages = client.v1.balance_transactions.list(
        params={"payout": payout_id, "limit": 100, "expand": ["data.source"]}, options=options)
    return [line.to_dict() for line in pages.auto_paging_iter()]


def _intent_of(line) -> str | None:
    """The PaymentIntent a balance transaction's source (expanded) belongs to: a charge's, a refund's
    or a dispute's."""
    source = line.get("source")
    return object_id(source.get("payment_intent")) if isinstance(source, dict) else None


def _gifts(organization, lines) -> dict:
    intents = {_intent_of(line) for line in lines} - {None}
    if not intents:
        return {}
    rows = db.session.scalars(select(Donation).where(Donation.organization_id == organization.id,
                                                     Donation.stripe_payment_intent_id.in_(intents))).all()
    return {gift.stripe_payment_intent_id: gift for gift in rows}


def _receipts(organization, gift_ids) -> dict:
    """{gift id: [receipt numbers]}, asked of the receipts package (it answers through the signal)."""
    found = {}
    if gift_ids:
        for _, answer in signals.receipts_of_gifts.send(organization, donation_ids=sorted(gift_ids)):
            for gift_id, numbers in (answer or {}).items():
                found.setdefault(gift_id, []).extend(numbers)
    return found


def reconcile(payout, lines, gifts, receipts) -> dict:
    """A payout and its lines: amount, Stripe's fee and net of each, the gift it concerns and that
    gift's receipts; the totals by kind; whether the lines add up to the payout."""
    rows, totals = [], {"gifts_cents": 0, "fees_cents": 0, "refunds_cents": 0, "disputes_cents": 0,
                        "other_cents": 0}
    for line in sorted(lines, key=lambda item: (item["created"], item["id"])):
        if line["type"] == "payout":
            continue
        kind = KINDS.get(line["type"], "other")
        gift = gifts.get(_intent_of(line))
        rows.append({
            "balance_transaction": line["id"], "kind": kind, "type": line["type"],
            "amount_cents": line["amount"], "fee_cents": line["fee"], "net_cents": line["net"],
            "created_on": stripe_date(line["created"]), "source": object_id(line.get("source")),
            "donation_id": gift.id if gift else None,
            "donor": (gift.company_name or gift.donor_name) if gift and not gift.anonymous else None,
            "campaign": gift.campaign.slug if gift else None,
            "receipts": receipts.get(gift.id, []) if gift else [],
        })
        key = {"gift": "gifts_cents", "refund": "refunds_cents", "dispute": "disputes_cents"}.get(kind, "other_cents")
        totals[key] += line["amount"]
        totals["fees_cents"] += line["fee"]
    net = sum(row["net_cents"] for row in rows)
    return {"id": payout["id"], "amount_cents": payout["amount"], "currency": payout["currency"],
            "status": payout["status"], "arrival_on": stripe_date(payout["arrival_date"]),
            "created_on": stripe_date(payout["created"]), "lines": rows, **totals, "net_cents": net,
            "ties": net == payout["amount"], "unmatched": sum(1 for row in rows if row["kind"] != "fee"
                                                               and row["donation_id"] is None)}
