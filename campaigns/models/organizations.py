"""Beneficiary organizations and partners."""
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.types import UTCDateTime, enum_column, utcnow




class ReceiptRegime(str, enum.Enum):
    not_eligible = "not_eligible"  # gifts give no tax reduction: no receipt
    general_interest = "general_interest"  # article 200-1 CGI: 66 %
    aid_to_people_in_difficulty = "aid_to_people_in_difficulty"  # article 200-1 ter: 75 % up to the cap


class OrganizationCategory(str, enum.Enum):
    """The beneficiary's quality, as ticked on Cerfa 11580 (article 200 CGI)."""

    general_interest = "general_interest"  # Œuvre ou organisme d'intérêt général
    public_utility = "public_utility"  # Association ou fondation reconnue d'utilité publique
    local_authority = "local_authority"  # Collectivité territoriale / établissement public
    endowment_fund = "endowment_fund"  # Fonds de dotation
    cultural = "cultural"  # Organisme ayant pour activité principale la présentation au public d'œuvres


class Organization(db.Model):
    """An association or public body that campaigns, receives round-ups and issues receipts."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("siren IS NOT NULL OR rna IS NOT NULL", name="has_identifier"),
        # Bank details come whole: an IBAN with the name of the account it belongs to.
        CheckConstraint("(bank_iban IS NULL) = (bank_account_holder IS NULL)", name="bank_details_whole"),
        CheckConstraint("bank_bic IS NULL OR bank_iban IS NOT NULL", name="bic_with_iban"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(120))
    siren: Mapped[str | None] = mapped_column(String(9))
    rna: Mapped[str | None] = mapped_column(String(10))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(120))
    objet: Mapped[str] = mapped_column(Text)
    category: Mapped[OrganizationCategory] = mapped_column(
        enum_column(OrganizationCategory), default=OrganizationCategory.general_interest)
    receipt_regime: Mapped[ReceiptRegime] = mapped_column(enum_column(ReceiptRegime))
    signatory_name: Mapped[str] = mapped_column(String(200))
    signatory_title: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    stamp_png: Mapped[bytes | None] = mapped_column(LargeBinary)  # printed beside the signature
    # The day ("MM-DD") the organization's financial year closes: 31 December unless its statutes say
    # otherwise. Article 222 bis CGI counts the gifts received over the last closed financial year.
    financial_year_end: Mapped[str] = mapped_column(String(5), default="12-31", server_default="12-31")
    # Where merchants and partners transfer what they owe the organization (app.banking checks them):
    # the IBAN compact (34 characters at most, ISO 13616), the BIC (8 or 11), the account holder's name
    # as the bank knows it (70 characters, what a SEPA transfer carries).
    bank_iban: Mapped[str | None] = mapped_column(String(34))
    bank_bic: Mapped[str | None] = mapped_column(String(11))
    bank_account_holder: Mapped[str | None] = mapped_column(String(70))
    # The organization's own Stripe account (Connect, Standard): its gifts are charged there, so the
    # money, refunds and disputes are the organization's, never the town's. The flags are Stripe's
    # word, kept current by `account.updated` events.
    stripe_account_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    charges_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    payouts_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    details_submitted: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<Organization {self.slug}>"

    @property
    def takes_payments(self):
        """Whether a gift may be charged on the organization's Stripe account now."""
        return bool(self.stripe_account_id and self.charges_enabled)

    @property
    def issues_receipts(self):
        return self.receipt_regime is not ReceiptRegime.not_eligible


class PartnerKind(str, enum.Enum):
    company = "company"
    public_body = "public_body"
    foundation = "foundation"
    platform = "platform"


class Partner(db.Model):
    """A company, public body, foundation or platform that matches gifts or funds campaigns."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind, 20))
    siren: Mapped[str | None] = mapped_column(String(9))
    legal_form: Mapped[str] = mapped_column(String(120), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<Partner {self.slug}>"
