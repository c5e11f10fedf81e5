"""Each organization's accounting entries, from what Solidaire knows of the money it received.

An entry (`Entry`) is one event on one day in one journal, balanced (debits = credits, to the cent);
its lines name accounts of the associations' chart (règlement ANC n° 2018-06 on the annual accounts
of private non-profit entities, homologated by arrêté of 26 December 2018, JO of 30 December 2018,
in force for financial years opened from 1 January 2020; it completes the PCG, règlement ANC
n° 2014-03, whose numbers it keeps for banks, cash and fees). Account numbers are written on 8
digits (trailing zeros), as accounting software imports them; the FEC requires that the first three
characters be digits of the French chart (article A. 47 A-1 of the LPF).

Sources (each a function of the organization and a period, returning entries; add one to
`SOURCES` to account for something new):

- a gift by card or SEPA debit (Stripe): debit the Stripe payment account, credit 7541 (an
  individual's gift) or 7542 (a company's: mécénat), dated the day it succeeded;
- an offline gift: the bank (cheque, transfer) or the cash box, against the same accounts;
- a refund carried out: the reverse, dated the day it was done;
- a partner's payment: the bank against 7542 (a company: mécénat), 74 (a public body: subsidy) or
  755 (a foundation or a platform: financial contribution);
- a round-up statement's transfer to the organization: the bank against 7541 (the customers'
  round-ups, gifts from the public) and 7542 (the merchant's own top-up, mécénat);
- Stripe's fees (627 against the Stripe account) and payouts (the Stripe account to the bank), as
  Stripe's balance transactions and payouts on the organization's connected account say.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from campaigns.models import Campaign, Partner, PartnerKind, PartnerPayment
from donations.models import (
    Donation,
    DonationRefund,
    DonationStatus,
    DonorType,
    PaymentMethod,
    RefundStatus,
)
from donations.roundup.models import Merchant, Settlement, SettlementLine
from donations.services.payouts import MAX_PAYOUTS, payouts

# Accounts: (number, label). Règlement ANC n° 2018-06 (class 7 resources of non-profit entities) and
# the PCG (règlement ANC n° 2014-03) for classes 5 and 6.
BANK = ("51200000", "Banque")  # PCG 512 Banques
STRIPE = ("51250000", "Compte de paiement Stripe")  # a 512 subdivision: the payment account cards reach first
CASH = ("53000000", "Caisse")  # PCG 53 Caisse
BANK_FEES = ("62700000", "Services bancaires et assimilés")  # PCG 627: Stripe's fees
GIFTS = ("75410000", "Dons manuels")  # ANC 2018-06: 754 Ressources liées à la générosité du public, 7541
PATRONAGE = ("75420000", "Mécénats")  # ANC 2018-06: 7542 Mécénats
SUBSIDIES = ("74000000", "Subventions d'exploitation")  # PCG / ANC 2018-06: 74
# ANC 2018-06: 755 Contributions financières (money from other entities: foundations, platforms); some
# charts open it as 7552, beside the PCG's 7551 quote-part: the treasurer's import may map it.
CONTRIBUTIONS = ("75500000", "Contributions financières")

# Journals: (code, label).
STRIPE_JOURNAL = ("ST", "Paiements en ligne (Stripe)")
BANK_JOURNAL = ("BQ", "Banque")
CASH_JOURNAL = ("CA", "Caisse")

PARTNER_ACCOUNTS = {PartnerKind.company: PATRONAGE, PartnerKind.public_body: SUBSIDIES,
                    PartnerKind.foundation: CONTRIBUTIONS, PartnerKind.platform: CONTRIBUTIONS}
STRIPE_METHODS = {PaymentMethod.card, PaymentMethod.direct_debit}
EVER_SUCCEEDED = {DonationStatus.succeeded, DonationStatus.partially_refunded, DonationStatus.refunded,
                  DonationStatus.disputed}


@dataclass
class Line:
    account: tuple
    label: str
    debit_cents: int = 0
    credit_cents: int = 0
    auxiliary: tuple = ("", "")  # (CompAuxNum, CompAuxLib)


@dataclass
class Entry:
    journal: tuple
    day: date
    piece_ref: str
    label: str
    lines: list = field(default_factory=list)
    number: str = ""  # given by `number_entries`, continuous per journal and financial year

    @property
    def balanced(self) -> bool:
        return sum(line.debit_cents for line in self.lines) == sum(line.credit_cents for line in self.lines)


def _local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(current_app.config["TIMEZONE"]))


def _gift_account(donation) -> tuple:
    return PATRONAGE if donation.donor_type is DonorType.company else GIFTS


def _money_account(method) -> tuple[tuple, tuple]:
    """(account, journal) where a gift paid by `method` arrives."""
    if method in STRIPE_METHODS:
        return STRIPE, STRIPE_JOURNAL
    if method is PaymentMethod.cash:
        return CASH, CASH_JOURNAL
    return BANK, BANK_JOURNAL


def _donor(donation) -> str:
    return donation.company_name if donation.donor_type is DonorType.company else "Don d'un particulier"


def gift_entries(organization, start: date, end: date) -> list[Entry]:
    """Every gift that succeeded between `start` and `end` (inclusive), on the day it was paid."""
    gifts = db.session.scalars(select(Donation).where(
        Donation.organization_id == organization.id, Donation.status.in_(EVER_SUCCEEDED),
        Donation.paid_on >= start, Donation.paid_on <= end).order_by(Donation.paid_on, Donation.id))
    entries = []
    for gift in gifts:
        money, journal = _money_account(gift.payment_method)
        label = f"Don {gift.public_id[:8]} - {_donor(gift)}"[:200]
        entries.append(Entry(journal, gift.paid_on, f"DON{gift.id}", label, [
            Line(money, label, debit_cents=gift.amount_cents),
            Line(_gift_account(gift), label, credit_cents=gift.amount_cents)]))
    return entries


def refund_entries(organization, start: date, end: date) -> list[Entry]:
    """Every refund carried out between `start` and `end`: the gift's resource and its money go back."""
    rows = db.session.execute(
        select(DonationRefund, Donation).join(Donation, Donation.id == DonationRefund.donation_id)
        .where(Donation.organization_id == organization.id, DonationRefund.status == RefundStatus.done,
               DonationRefund.done_at >= _instant(start), DonationRefund.done_at < _instant(end + timedelta(days=1)))
        .order_by(DonationRefund.done_at, DonationRefund.id))
    entries = []
    for refund, gift in rows:
        money, journal = _money_account(gift.payment_method)
        label = f"Remboursement du don {gift.public_id[:8]} - {_donor(gift)}"[:200]
        entries.append(Entry(journal, _local_day(refund.done_at), f"REMB{refund.id}", label, [
            Line(_gift_account(gift), label, debit_cents=refund.amount_cents),
            Line(money, label, credit_cents=refund.amount_cents)]))
    return entries


def partner_payment_entries(organization, start: date, end: date) -> list[Entry]:
    """Every partner's payment received between `start` and `end`, on the bank."""
    rows = db.session.execute(
        select(PartnerPayment, Partner).join(Partner, Partner.id == PartnerPayment.partner_id)
        .join(Campaign, Campaign.id == PartnerPayment.campaign_id)
        .where(Campaign.organization_id == organization.id, PartnerPayment.received_on >= start,
               PartnerPayment.received_on <= end)
        .order_by(PartnerPayment.received_on, PartnerPayment.id))
    entries = []
    for payment, partner in rows:
        label = f"Versement {partner.name} - {payment.reference}"[:200]
        auxiliary = (f"P{partner.id:05d}", partner.name[:200])
        entries.append(Entry(BANK_JOURNAL, payment.received_on, f"PART{payment.id}", label, [
            Line(BANK, label, debit_cents=payment.amount_cents, auxiliary=auxiliary),
            Line(PARTNER_ACCOUNTS[partner.kind], label, credit_cents=payment.amount_cents)]))
    return entries


def statement_entries(organization, start: date, end: date) -> list[Entry]:
    """Every round-up transfer a merchant made to the organization between `start` and `end`: the
    customers' round-ups (gifts from the public) and the merchant's top-up (mécénat)."""
    rows = db.session.execute(
        select(SettlementLine, Settlement, Merchant).join(Settlement, Settlement.id == SettlementLine.settlement_id)
        .join(Merchant, Merchant.id == Settlement.merchant_id)
        .where(SettlementLine.recipient_organization_id == organization.id, SettlementLine.amount_cents > 0,
               SettlementLine.paid_on >= start, SettlementLine.paid_on <= end)
        .order_by(SettlementLine.paid_on, Settlement.id, SettlementLine.id))
    transfers = defaultdict(lambda: [0, 0])
    about = {}
    for line, settlement, merchant in rows:
        key = (line.paid_on, settlement.id)
        transfers[key][0] += line.amount_cents - line.match_cents
        transfers[key][1] += line.match_cents
        about[key] = (settlement, merchant)
    entries = []
    for (day, settlement_id), (roundups, match) in transfers.items():
        settlement, merchant = about[(day, settlement_id)]
        label = f"Arrondi {merchant.name} {settlement.month_label}"[:200]
        auxiliary = (f"M{merchant.id:05d}", merchant.name[:200])
        lines = [Line(BANK, label, debit_cents=roundups + match, auxiliary=auxiliary)]
        if roundups:
            lines.append(Line(GIFTS, f"{label} - arrondis des clients"[:200], credit_cents=roundups))
        if match:
            lines.append(Line(PATRONAGE, f"{label} - abondement du commerçant"[:200], credit_cents=match))
        entries.append(Entry(BANK_JOURNAL, day, f"ARR{settlement_id}", label, lines))
    return entries


def _signed(debit_account, credit_account, cents, label):
    """A debit and a credit of `cents`; a negative amount swaps the sides (a fee refunded, a negative payout)."""
    if cents < 0:
        debit_account, credit_account, cents = credit_account, debit_account, -cents
    return [Line(debit_account, label, debit_cents=cents), Line(credit_account, label, credit_cents=cents)]


def stripe_entries(organization, start: date, end: date) -> list[Entry]:
    """Stripe's fees and payouts on the organization's connected account, read from Stripe (its books
    are the truth; `donations.services.payouts`): each balance transaction's fee, dated the day of the
    transaction, debits 627 against the Stripe account; each payout paid to the bank moves its amount
    from the Stripe account to 512, dated the day it arrived. Only money Stripe has paid out is read:
    the fees of transactions not yet in a payout are entered with the payout that carries them (the
    last `MAX_PAYOUTS` payouts)."""
    if not getattr(organization, "stripe_account_id", None):
        return []
    entries = []
    for payout in payouts(organization, limit=MAX_PAYOUTS):
        for line in payout["lines"]:
            if line["fee_cents"] and start <= line["created_on"] <= end:
                label = f"Frais Stripe {line['type']} {line['source'] or ''}".strip()[:200]
                entries.append(Entry(STRIPE_JOURNAL, line["created_on"], line["balance_transaction"][:60], label,
                                     _signed(BANK_FEES, STRIPE, line["fee_cents"], label)))
        if payout["status"] == "paid" and start <= payout["arrival_on"] <= end:
            label = f"Virement Stripe {payout['id']} vers la banque"[:200]
            entries.append(Entry(STRIPE_JOURNAL, payout["arrival_on"], payout["id"][:60], label,
                                 _signed(BANK, STRIPE, payout["amount_cents"], label)))
    return entries


SOURCES = [gift_entries, refund_entries, partner_payment_entries, statement_entries, stripe_entries]


def financial_year_start(organization, day: date) -> date:
    """The first day of the organization's financial year that contains `day`."""
    month, closing_day = (int(part) for part in organization.financial_year_end.split("-"))
    closing = date(day.year, month, closing_day)
    return closing + timedelta(days=1) if day > closing else date(day.year - 1, month, closing_day) + timedelta(days=1)


def number_entries(organization, entries: list[Entry]) -> None:
    """Numbers continuous per journal and financial year, in the order of the entries' days:
    `ST2026-000001` (the year is the one the financial year starts in)."""
    counters = defaultdict(int)
    for entry in sorted(entries, key=lambda e: (e.day, e.journal[0], e.piece_ref)):
        year = financial_year_start(organization, entry.day).year
        counters[(entry.journal[0], year)] += 1
        entry.number = f"{entry.journal[0]}{year}-{counters[(entry.journal[0], year)]:06d}"


def journal(organization, start: date, end: date) -> list[Entry]:
    """The organization's entries from `start` to `end` (inclusive), numbered from the start of the
    financial year of `start` so that a month's numbers are those of the year's journal."""
    first = financial_year_start(organization, start)
    entries = [entry for source in SOURCES for entry in source(organization, first, end)]
    number_entries(organization, entries)
    return sorted((entry for entry in entries if entry.day >= start),
                  key=lambda e: (e.day, e.journal[0], e.number))
