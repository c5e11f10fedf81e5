"""The round-up's HTML forms: a shop's identity, its rule and its beneficiaries' shares, in French.

Shared by the public application (/devenir-commercant) and the back office's merchant pages; the
values they give go to the same services as the API (create_merchant, update_merchant, submit_application).
"""
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    RadioField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.identifiers import clean_siret
from donations.roundup.models import FULL_SHARE

# The rule as the API takes it (rounding_step_cents, round_exact_baskets, top_ups_cents, max_roundup_cents),
# in the few choices a shop needs.
STEP_CHOICES = [SelectChoice(10, "aux 10 centimes supérieurs"), SelectChoice(50, "aux 50 centimes supérieurs"),
                SelectChoice(100, "à l'euro supérieur"), SelectChoice(200, "aux 2 euros supérieurs"),
                SelectChoice(500, "aux 5 euros supérieurs")]
TOP_UPS = (100, 200, 500)  # the fixed amounts a customer may add on top: +1 €, +2 €, +5 €
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_RE = r"^\s*(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}\s*$"


def _siret(form, field):
    try:
        field.data = clean_siret(field.data or "")
    except ValueError:
        raise ValidationError("Ce numéro SIRET n'est pas valide : 14 chiffres, tels qu'ils figurent sur "
                              "l'avis de situation au répertoire Sirene ou un extrait Kbis.") from None


class ShopFields:
    name = StringField("Nom du commerce", validators=[
        DataRequired("Indiquez le nom du commerce."), Length(2, 200, "De 2 à 200 caractères.")])
    siret = StringField("Numéro SIRET", validators=[DataRequired("Indiquez le numéro SIRET du commerce."), _siret])
    address_line1 = StringField("Adresse", validators=[
        DataRequired("Indiquez l'adresse du commerce."), Length(2, 200, "De 2 à 200 caractères.")])
    postal_code = StringField("Code postal", validators=[
        DataRequired("Indiquez le code postal."), Regexp(r"^\d{5}$", message="Un code postal a 5 chiffres.")])
    city = StringField("Commune", validators=[
        DataRequired("Indiquez la commune."), Length(1, 120, "120 caractères au plus.")])


class RuleFields:
    rounding_step_cents = RadioField("Arrondir le panier", coerce=int, choices=STEP_CHOICES, default=100,
                                     validators=[DataRequired("Choisissez comment arrondir.")])
    round_exact_baskets = BooleanField("Un panier déjà rond propose quand même un arrondi complet")
    top_up_100 = BooleanField("Le client peut ajouter 1 € de plus")
    top_up_200 = BooleanField("Le client peut ajouter 2 € de plus")
    top_up_500 = BooleanField("Le client peut ajouter 5 € de plus")
    max_roundup = DecimalField("Arrondi maximum par panier (en euros, facultatif)", places=2, validators=[
        Optional(), NumberRange(Decimal("0.01"), Decimal(1000), "Entre 0,01 € et 1 000 €.")],
        render_kw={"inputmode": "decimal"})

    def rule_values(self):
        maximum = self.max_roundup.data
        return {"rounding_step_cents": self.rounding_step_cents.data,
                "round_exact_baskets": bool(self.round_exact_baskets.data),
                "top_ups_cents": [cents for cents in TOP_UPS if getattr(self, f"top_up_{cents}").data],
                "max_roundup_cents": int(maximum * 100) if maximum is not None else None}

    def fill_rule(self, merchant):
        self.rounding_step_cents.data = merchant.rounding_step_cents
        self.round_exact_baskets.data = merchant.round_exact_baskets
        for cents in TOP_UPS:
            getattr(self, f"top_up_{cents}").data = cents in (merchant.top_ups_cents or [])
        maximum = merchant.max_roundup_cents
        self.max_roundup.data = Decimal(maximum) / 100 if maximum else None


class ApplicationForm(ShopFields, RuleFields, FlaskForm):
    contact_name = StringField("Nom et prénom", validators=[
        DataRequired("Indiquez le nom de la personne à contacter."), Length(2, 200, "De 2 à 200 caractères.")])
    contact_email = EmailField("Adresse e-mail", validators=[
        DataRequired("Indiquez une adresse e-mail."),
        Regexp(EMAIL_RE, message="Cette adresse e-mail n'est pas valide."),
        Length(max=254, message="254 caractères au plus.")])
    contact_phone = TelField("Téléphone", validators=[
        DataRequired("Indiquez un numéro de téléphone."),
        Regexp(PHONE_RE, message="Un numéro français à 10 chiffres, par exemple 01 41 87 00 00.")])
    charter = BooleanField("J'ai lu la charte et je l'accepte au nom du commerce", validators=[
        DataRequired("Acceptez la charte pour envoyer la demande.")])


class RefusalForm(FlaskForm):
    reason = TextAreaField("Raison du refus (envoyée au commerçant)", validators=[
        DataRequired("Indiquez la raison du refus : elle est envoyée au commerçant."),
        Length(max=2000, message="2 000 caractères au plus.")])


class Shares:
    """The beneficiaries' shares as one percentage field per choice (`part-o-<id>`, `part-c-<id>`).

    Read from the request's form by hand (their number depends on the territory): `parse` returns the
    services' list and sets `errors` ({field name: French message}, "" for the group).
    """

    def __init__(self, organizations, campaigns, formdata=None, current=None):
        self.options = ([("o", row.id, row.slug, row.name) for row in organizations]
                        + [("c", row.id, row.slug, row.title) for row in campaigns])
        self.values = {}
        self.errors = {}
        if formdata is not None:
            self.values = {self.name(kind, row_id): (formdata.get(self.name(kind, row_id)) or "").strip()
                           for kind, row_id, _, _ in self.options}
        elif current:
            self.values = current

    @staticmethod
    def name(kind, row_id):
        return f"part-{kind}-{row_id}"

    def parse(self, by="id"):
        """[{"organization"/"campaign": id (or slug when by="slug"), "share_basis_points"}], or None."""
        chosen = []
        for kind, row_id, slug, _ in self.options:
            raw = self.values.get(self.name(kind, row_id), "")
            if not raw:
                continue
            try:
                percent = Decimal(raw.replace(",", ".").replace("%", "").strip())
            except InvalidOperation:
                self.errors[self.name(kind, row_id)] = "Un pourcentage, par exemple 50 ou 33,33."
                continue
            if percent != percent.quantize(Decimal("0.01")) or not Decimal(0) <= percent <= Decimal(100):
                self.errors[self.name(kind, row_id)] = "Entre 0 et 100, avec deux décimales au plus."
                continue
            if percent:
                chosen.append({"organization" if kind == "o" else "campaign": row_id if by == "id" else slug,
                               "share_basis_points": int(percent * 100)})
        if self.errors:
            return None
        total = sum(item["share_basis_points"] for item in chosen)
        if not chosen:
            self.errors[""] = "Choisissez au moins un bénéficiaire en lui donnant une part."
        elif total != FULL_SHARE:
            self.errors[""] = (f"Les parts font {_percent(total)} % au total : elles doivent faire 100 %.")
        return None if self.errors else chosen


def _percent(basis_points):
    return f"{basis_points / 100:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def current_shares(beneficiaries):
    """The share fields' values for existing beneficiaries (an application's or a merchant's)."""
    return {Shares.name("o" if row.organization_id else "c", row.organization_id or row.campaign_id):
            _percent(row.share_basis_points) for row in beneficiaries}
