"""Gifts, the Stripe events we have processed, and refunds.

A gift (`Donation`) is money given once to a campaign: by card through Stripe, by cheque, cash or
transfer recorded by a finance officer, or one month of a monthly gift. Its state machine is the
`GIFT_TRANSITIONS` table below, the only place that says which moves are allowed.
"""
import enum
import secrets
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.states import Repeat, move_to
from app.types import UTCDateTime, enum_column, utcnow


class DonationStatus(str, enum.Enum):
    pending = "pending"  # created, Stripe has not said the money arrived
    succeeded = "succeeded"  # Stripe confirmed (or a finance officer recorded the money)
    failed = "failed"  # Stripe declined; the donor may try again with the same gift
    refunded = "refunded"  # every cent went back to the donor
    partially_refunded = "partially_refunded"  # some cents went back, the rest is still a gift
    disputed = "disputed"  # the card holder's bank contests the charge; money frozen


S = DonationStatus
# Moves Stripe's word (or a finance officer) may make. A move to the same state is not listed: it is
# a harmless repeat (a replayed webhook), handled by `Donation.move_to` as "nothing to do".
GIFT_TRANSITIONS = {
    S.pending: {S.succeeded, S.failed},
    # A declined card may be retried on the same PaymentIntent and then succeed.
    S.failed: {S.succeeded},
    S.succeeded: {S.refunded, S.partially_refunded, S.disputed},
    S.partially_refunded: {S.refunded, S.disputed},
    # A dispute won gives the gift back its previous state; a dispute lost is money returned.
    S.disputed: {S.succeeded, S.partially_refunded, S.refunded},
    S.refunded: set(),
}
# States in which the money counts in the campaign's totals.
COUNTED = {S.succeeded, S.partially_refunded, S.disputed}
# States in which some money is still ours to give back (a disputed gift is in the bank's hands).
REFUNDABLE = {S.succeeded, S.partially_refunded}


class DonorType(str, enum.Enum):
    individual = "individual"  # Cerfa 11580: article 200 CGI
    company = "company"  # mécénat, Cerfa 16216: article 238 bis CGI


class ReceiptChoice(str, enum.Enum):
    per_gift = "per_gift"  # one receipt for each gift
    annual = "annual"  # one consolidated receipt for the calendar year
    none = "none"  # the donor does not want a receipt


class PaymentMethod(str, enum.Enum):
    card = "card"
    direct_debit = "direct_debit"
    cheque = "cheque"
    cash = "cash"
    transfer = "transfer"


OFFLINE_METHODS = {PaymentMethod.cheque, PaymentMethod.cash, PaymentMethod.transfer}


def new_public_id():
    return secrets.token_urlsafe(18)


class Donation(db.Model):
    __tablename__ = "donations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "idempotency_key", name="idempotency"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refund_within_gift"),
        CheckConstraint("tier_fair_value_cents >= 0", name="fair_value_not_negative"),
        CheckConstraint("donor_type <> 'company' OR (company_name IS NOT NULL AND company_siren IS NOT NULL)",
                        name="company_identified"),
        CheckConstraint("monthly_amount_cents IS NULL OR monthly_amount_cents > 0", name="monthly_amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[DonationStatus] = mapped_column(enum_column(DonationStatus, 20), default=DonationStatus.pending,
                                                   index=True)
    donor_type: Mapped[DonorType] = mapped_column(enum_column(DonorType, 20), default=DonorType.individual)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    refunded_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    reward_tier_id: Mapped[int | None] = mapped_column(ForeignKey("reward_tiers.id"), index=True)
    tier_fair_value_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    anonymous: Mapped[bool] = mapped_column(default=False)
    # The donor ticked "send me news of this project" (unticked by default); the signed unsubscribe
    # link of each news email withdraws it (donations.services.news_mail).
    news_consent: Mapped[bool] = mapped_column(default=False, server_default=false())
    public_message: Mapped[str] = mapped_column(Text, default="")
    receipt_choice: Mapped[ReceiptChoice] = mapped_column(enum_column(ReceiptChoice, 20),
                                                          default=ReceiptChoice.per_gift)
    monthly: Mapped[bool] = mapped_column(default=False)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # The amount each coming month takes, once the donor changed it from the donor space (the first
    # gift keeps the amount it was given with); NULL: unchanged since the gift began.
    monthly_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    # A month of a monthly gift after the first: the gift that started the subscription.
    recurring_of_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
    stripe_invoice_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod, 20), default=PaymentMethod.card)
    payment_reference: Mapped[str] = mapped_column(String(120), default="")  # cheque number, transfer label

    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(80), default="France")
    company_name: Mapped[str | None] = mapped_column(String(200))
    company_legal_form: Mapped[str | None] = mapped_column(String(120))
    company_siren: Mapped[str | None] = mapped_column(String(9))

    # The date the money was received (Stripe's confirmation for a card, the officer's word offline).
    paid_on: Mapped[date | None] = mapped_column(Date)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_charge_id: Mapped[str | None] = mapped_column(String(255), index=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    # The organization's connected account the gift was charged on (direct charge): every later call
    # about it (re-read, refund, dispute) names this account. NULL: an offline gift.
    stripe_account_id: Mapped[str | None] = mapped_column(String(255))
    stripe_setup_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    # SHA-256 of the request that used the key (donations.services.gifts.request_fingerprint): a
    # replay with another body is refused, never answered with this gift and its client secret.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str] = mapped_column(String(300), default="")
    subscription_cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign = relationship("Campaign", lazy="joined")
    organization = relationship("Organization")
    recurring_of = relationship("Donation", remote_side=[id])

    def __repr__(self):
        return f"<Donation {self.id} {self.amount_cents} {self.status.value}>"

    @property
    def remaining_cents(self):
        return self.amount_cents - self.refunded_cents

    @property
    def is_offline(self):
        return self.payment_method in OFFLINE_METHODS

    @property
    def donor_name(self):
        if self.donor_type is DonorType.company:
            return self.company_name or ""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def donor_key(self):
        """Who gave, for the campaign's donor count: the same email counts once."""
        return (self.email or "").strip().lower() or f"gift:{self.public_id}"

    def can_move_to(self, status):
        return status in GIFT_TRANSITIONS[self.status]

    def move_to(self, status):
        """Apply a transition; False when the gift is already there (a repeat), raise if not allowed."""
        return move_to(self, status, GIFT_TRANSITIONS, what="gift", repeat=Repeat.IGNORE)


# A donor's gifts by their email whatever its case (the donor space, an erasure).
Index("ix_donations_email_lower", func.lower(Donation.email))


class StripeEvent(db.Model):
    """Each Stripe event id once: a replayed delivery finds its row and changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(255), default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RefundReason(str, enum.Enum):
    requested = "requested"  # a finance officer or administrator asked for it
    campaign_failed = "campaign_failed"  # an all-or-nothing campaign missed its goal
    dashboard = "dashboard"  # made in Stripe's dashboard, learnt from the webhook
    dispute_lost = "dispute_lost"  # the bank took the money back


class RefundStatus(str, enum.Enum):
    intended = "intended"  # written before Stripe is called, so that a crash leaves a trace
    done = "done"  # Stripe answered with a refund id (or the money was returned offline)


class DonationRefund(db.Model):
    """One refund of a gift. The intention row is committed before Stripe is called: a re-run
    finds it and completes it, with the same idempotency key, instead of refunding twice."""

    __tablename__ = "donation_refunds"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[RefundReason] = mapped_column(enum_column(RefundReason, 20))
    status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus, 20), default=RefundStatus.intended)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    donation = relationship(Donation, backref="refunds")


class DonorEmail(db.Model):
    """Which email a gift has been sent, so that a replayed event never mails the donor twice."""

    __tablename__ = "donation_emails"
    __table_args__ = (UniqueConstraint("donation_id", "kind", name="once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = ["Donation", "DonationStatus", "DonorType", "ReceiptChoice", "PaymentMethod", "GIFT_TRANSITIONS",
           "COUNTED", "REFUNDABLE", "StripeEvent", "DonationRefund", "RefundReason", "RefundStatus", "DonorEmail",
           "OFFLINE_METHODS"]
