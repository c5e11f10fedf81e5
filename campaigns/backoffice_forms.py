"""Forms of the administrators' pages for organizations and partners (campaigns/backoffice/).

Each form carries French messages; its data go through the same marshmallow schema as the API (so a
page accepts exactly what the API accepts), then to the campaigns services. What the schema or a
service refuses comes back as a French message on the field it names.
"""
import re
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.fields import MAX_CENTS
from app.text import SLUG_RE
from campaigns.models import (
    OrganizationCategory,
    PartnerKind,
    PartnerPaymentMethod,
    ReceiptRegime,
)

REGIME_LABELS = {
    ReceiptRegime.general_interest: "Intérêt général : reçus fiscaux (art. 200-1 du CGI)",
    ReceiptRegime.aid_to_people_in_difficulty: "Aide aux personnes en difficulté : reçus fiscaux (art. 200-1 ter du CGI)",
    ReceiptRegime.not_eligible: "Aucun reçu fiscal : les dons n'ouvrent pas de réduction d'impôt",
}
CATEGORY_LABELS = {
    OrganizationCategory.general_interest: "Œuvre ou organisme d'intérêt général",
    OrganizationCategory.public_utility: "Association ou fondation reconnue d'utilité publique",
    OrganizationCategory.local_authority: "Collectivité territoriale ou établissement public",
    OrganizationCategory.endowment_fund: "Fonds de dotation",
    OrganizationCategory.cultural: "Organisme de présentation au public d'œuvres (spectacle, musique, cinéma)",
}
PARTNER_KIND_LABELS = {
    PartnerKind.company: "Entreprise (mécénat)",
    PartnerKind.public_body: "Organisme public (la Ville, une collectivité)",
    PartnerKind.foundation: "Fondation",
    PartnerKind.platform: "Plateforme",
}
METHOD_LABELS = {
    PartnerPaymentMethod.transfer: "Virement",
    PartnerPaymentMethod.cheque: "Chèque",
    PartnerPaymentMethod.direct_debit: "Prélèvement",
}
IMAGE_LABELS = {"logo": "Logo", "signature": "Signature (imprimée sur les reçus)", "stamp": "Cachet"}

REFUSED = "Cette valeur n'est pas acceptée."
FRENCH_REFUSALS = {
    "siren": "Ce numéro SIREN n'est pas valable (9 chiffres, clé de contrôle).",
    "rna": "Ce numéro RNA n'est pas valable (W suivi de 9 chiffres).",
    "slug": "Lettres minuscules, chiffres et tirets seulement.",
    "email": "Cette adresse e-mail n'est pas valable.",
    "website": "Indiquez une adresse complète, commençant par https://.",
    "financial_year_end": "Un jour de l'année sous la forme MM-JJ, par exemple 12-31 ou 06-30.",
    "postal_code": "Le code postal compte 5 chiffres.",
    "amount_cents": "Ce montant n'est pas possible ici.",
    "received_on": "La date de réception ne peut pas être dans le futur.",
    "reference": "Cette référence a déjà servi pour un autre paiement.",
    "campaign": "Cette campagne ne peut plus recevoir d'engagement.",
    "total_cap_cents": "Le plafond total est un montant positif.",
}


def required(message):
    return DataRequired(message)


def _optional_text(max_length, label):
    return StringField(label, validators=[Optional(), Length(max=max_length, message=f"{max_length} caractères au plus.")])


class EurosField(StringField):
    """An amount in euros as people type it (`1 234,56`, `1234.5`, `50 €`), kept as integer cents in `cents`."""

    def __init__(self, label=None, validators=None, *, required=True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.cents = None

    def pre_validate(self, form):
        text = re.sub(r"[\s\u00a0\u202f€]", "", self.data or "").replace(",", ".")
        self.cents = None
        if not text:
            if self.required:
                raise ValidationError("Indiquez un montant en euros.")
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError("Un montant en euros, par exemple 1 500 ou 12,50.") from None
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError("Au plus deux chiffres après la virgule.")
        cents = int(value * 100)
        if cents < 1 or cents > MAX_CENTS:
            raise ValidationError("Un montant positif, raisonnable.")
        self.cents = cents


def choices(pairs):
    """SelectField choices from (value, label) pairs or an {enum: label} mapping."""
    pairs = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(getattr(value, "value", value), label) for value, label in pairs]


class OrganizationForm(FlaskForm):
    name = StringField("Nom", validators=[required("Indiquez le nom."), Length(min=2, max=200, message="2 à 200 caractères.")])
    slug = StringField("Adresse courte (dans les liens)", validators=[
        Optional(), Length(max=80, message="80 caractères au plus."),
        Regexp(SLUG_RE, message=FRENCH_REFUSALS["slug"])])
    legal_form = StringField("Forme juridique", validators=[
        required("Indiquez la forme juridique (par exemple Association loi 1901)."),
        Length(min=2, max=120, message="2 à 120 caractères.")])
    siren = _optional_text(20, "SIREN")
    rna = _optional_text(20, "Numéro RNA")
    address_line1 = StringField("Adresse", validators=[required("Indiquez l'adresse."), Length(min=2, max=200, message="2 à 200 caractères.")])
    address_line2 = _optional_text(200, "Complément d'adresse")
    postal_code = StringField("Code postal", validators=[required("Indiquez le code postal."),
                                                          Regexp(r"^\d{5}$", message=FRENCH_REFUSALS["postal_code"])])
    city = StringField("Commune", validators=[required("Indiquez la commune."), Length(max=120, message="120 caractères au plus.")])
    objet = TextAreaField("Objet (tel qu'imprimé sur les reçus)", validators=[
        required("Indiquez l'objet de l'association."), Length(min=10, max=2000, message="10 à 2 000 caractères.")])
    category = SelectField("Qualité du bénéficiaire (case cochée sur le reçu)", choices=choices(CATEGORY_LABELS))
    receipt_regime = SelectField("Reçus fiscaux", choices=choices(REGIME_LABELS))
    signatory_name = StringField("Nom du signataire des reçus", validators=[
        required("Indiquez qui signe les reçus."), Length(min=2, max=200, message="2 à 200 caractères.")])
    signatory_title = StringField("Qualité du signataire", validators=[
        required("Indiquez sa qualité (par exemple Présidente)."), Length(min=2, max=200, message="2 à 200 caractères.")])
    email = _optional_text(254, "Adresse e-mail de contact")
    website = _optional_text(300, "Site web")
    financial_year_end = StringField("Clôture de l'exercice (MM-JJ)", default="12-31", validators=[
        Optional(), Regexp(r"^\d\d-\d\d$", message=FRENCH_REFUSALS["financial_year_end"])])

    API_FIELDS = ("name", "slug", "legal_form", "siren", "rna", "address_line1", "address_line2", "postal_code",
                  "city", "objet", "category", "receipt_regime", "signatory_name", "signatory_title", "email",
                  "website", "financial_year_end")

    def api_data(self):
        """The form as the API's JSON: empty optional fields left out (or null for the identifiers)."""
        data = {}
        for name in self.API_FIELDS:
            value = (getattr(self, name).data or "").strip()
            if value or name in ("siren", "rna"):
                data[name] = value or None
        return data

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not (self.siren.data or "").strip() and not (self.rna.data or "").strip():
            self.siren.errors = [*self.siren.errors, "Indiquez le SIREN ou le numéro RNA (au moins l'un des deux)."]
            valid = False
        return valid


class ImageForm(FlaskForm):
    image = FileField("Image PNG ou JPEG", validators=[FileRequired("Choisissez un fichier PNG ou JPEG.")])


class PartnerForm(FlaskForm):
    name = StringField("Nom", validators=[required("Indiquez le nom."), Length(min=2, max=200, message="2 à 200 caractères.")])
    kind = SelectField("Nature", choices=choices(PARTNER_KIND_LABELS))
    siren = _optional_text(20, "SIREN")
    legal_form = _optional_text(120, "Forme juridique")
    address_line1 = _optional_text(200, "Adresse")
    postal_code = StringField("Code postal", validators=[Optional(), Regexp(r"^\d{5}$", message=FRENCH_REFUSALS["postal_code"])])
    city = _optional_text(120, "Commune")
    website = _optional_text(300, "Site web")

    API_FIELDS = ("name", "kind", "siren", "legal_form", "address_line1", "postal_code", "city", "website")

    def api_data(self, fields=API_FIELDS):
        return {name: getattr(self, name).data.strip() for name in fields if (getattr(self, name).data or "").strip()}


class PledgeForm(FlaskForm):
    campaign = SelectField("Campagne", choices=[], validate_choice=True)
    ratio_numerator = IntegerField("Le partenaire donne", default=1, validators=[
        InputRequired("Indiquez un nombre entier."), NumberRange(1, 100, "Un nombre entier de 1 à 100.")])
    ratio_denominator = IntegerField("pour chaque tranche de (en euros donnés par les citoyens)", default=1, validators=[
        InputRequired("Indiquez un nombre entier."), NumberRange(1, 100, "Un nombre entier de 1 à 100.")])
    total_cap = EurosField("Plafond total (euros)")
    per_gift_cap = EurosField("Plafond par don (euros, facultatif)", required=False)
    max_gifts_per_donor = IntegerField("Dons abondés par donateur (facultatif)", validators=[
        Optional(), NumberRange(1, 10_000, "Un nombre entier positif.")])


class GrantForm(FlaskForm):
    campaign = SelectField("Campagne", choices=[], validate_choice=True)
    amount = EurosField("Montant de la subvention ou du mécénat (euros)")
    reference = _optional_text(200, "Référence (convention, délibération)")


class PaymentForm(FlaskForm):
    campaign = SelectField("Campagne", choices=[], validate_choice=True)
    amount = EurosField("Montant reçu (euros)")
    received_on = DateField("Reçu le", validators=[InputRequired("Indiquez le jour où l'argent est arrivé.")])
    method = SelectField("Moyen de paiement", choices=choices(METHOD_LABELS))
    reference = StringField("Référence du virement ou du chèque", validators=[
        required("Indiquez la référence de la banque ou le numéro du chèque."),
        Length(max=200, message="200 caractères au plus.")])


def load_with(schema, form, data, *, field_names=None):
    """The API's schema applied to `data`: the loaded values, or None with French messages on the
    form's fields (`field_names` maps a schema field to the form's when they differ)."""
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        refuse(form, error.messages_dict.keys(), field_names)
        return None


def refuse(form, names, field_names=None, message=None):
    """Put a French refusal on each named field (the first field of the form when none matches)."""
    placed = False
    for name in names:
        target = getattr(form, (field_names or {}).get(name, name), None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message or FRENCH_REFUSALS.get(name, REFUSED)]
            placed = True
    if not placed:
        first = next(iter(form))
        first.errors = [*first.errors, message or REFUSED]
