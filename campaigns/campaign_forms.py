"""Forms of the holders' campaign pages (campaigns/backoffice/): a campaign with its reward tiers and
stretch goals, the town's reason when it returns one, news, the cover image.

A campaign form is turned into the API's JSON and loaded with the API's own schema (CampaignIn /
CampaignPatch), then handed to the same services: a page accepts exactly what the API accepts. What
the schema or a service refuses comes back as a French message on the field it concerns."""
import re
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
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
from app.formatting import local_zone, to_local
from campaigns.models import FundingModel
from campaigns.models.campaigns import CATEGORY_LABELS, FROZEN_AFTER_PUBLICATION

FUNDING_LABELS = {
    FundingModel.all_or_nothing: "Tout ou rien : les dons sont remboursés si l'objectif n'est pas atteint",
    FundingModel.keep_it_all: "Tout est gardé : l'association garde ce qui a été donné",
}
BLANK_TIERS = 2  # empty rows offered below the existing reward tiers (no script needed to add one)
BLANK_GOALS = 1

# French messages for what the API's schema or the services refuse, by the form field concerned.
REFUSALS = {
    "title": "Le titre compte de 3 à 200 caractères.",
    "summary": "Le résumé compte 500 caractères au plus.",
    "description": "Décrivez le projet (50 000 caractères au plus) avant de le soumettre.",
    "commune": "Indiquez la commune du projet.",
    "insee_code": "Le code INSEE compte 5 caractères (92071 pour Sceaux).",
    "category": "Choisissez un thème de la liste.",
    "goal": "L'objectif est un montant positif en euros.",
    "min_gift": "Le don minimum est un montant positif en euros.",
    "starts_on": "Indiquez le premier jour de la collecte.",
    "ends_on": "La collecte finit après son premier jour, et pas dans le passé.",
    "funding_model": "Choisissez le mode de financement.",
    "tiers": "Une contrepartie a un titre et un montant minimum ; sa valeur ne dépasse pas ce montant, et une "
             "contrepartie déjà choisie par un donateur ne peut être ni retirée ni rendue plus chère.",
    "stretch_goals": "Chaque palier a un titre et un montant différent, au-dessus de l'objectif.",
    "status": "Cette campagne ne peut plus être modifiée ici.",
    "organization": "Choisissez l'association qui porte la campagne.",
}
FIELD_OF = {"goal_cents": "goal", "min_gift_cents": "min_gift", "starts_at": "starts_on", "ends_at": "ends_on"}


def parse_euros(text):
    """Cents of an amount typed in euros (`1 234,56`, `50 €`); None when empty; ValueError if not one."""
    text = re.sub(r"[\s\u00a0\u202f€]", "", text or "").replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("Un montant en euros, par exemple 1 500 ou 12,50.") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError("Un montant en euros, avec au plus deux chiffres après la virgule.")
    cents = int(value * 100)
    if not 0 <= cents <= MAX_CENTS:
        raise ValueError("Un montant positif, raisonnable.")
    return cents


def euros_text(cents):
    if cents is None:
        return ""
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents // 100},{cents % 100:02d}"


class Euros(StringField):
    """An amount in euros, kept as integer cents in `.cents` after validation."""

    def __init__(self, label=None, validators=None, *, required=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required, self.cents = required, None

    def pre_validate(self, form):
        try:
            self.cents = parse_euros(self.data)
        except ValueError as refused:
            raise ValidationError(str(refused)) from None
        if self.cents is None and self.required:
            raise ValidationError("Indiquez un montant en euros.")


class TierForm(Form):
    id = HiddenField()
    title = StringField("Titre", validators=[Optional(), Length(max=200, message="200 caractères au plus.")])
    description = StringField("Description", validators=[Optional(), Length(max=2000, message="2 000 caractères au plus.")])
    min_amount = Euros("À partir de (euros)")
    quantity_limit = IntegerField("Quantité (vide : illimitée)", validators=[
        Optional(), NumberRange(1, 1_000_000, "Un nombre entier positif.")])
    fair_value = Euros("Valeur de la contrepartie (euros)")


class StretchGoalForm(Form):
    title = StringField("Titre du palier", validators=[Optional(), Length(max=200, message="200 caractères au plus.")])
    amount = Euros("Montant du palier (euros)")
    description = StringField("Ce qu'il permettra", validators=[Optional(), Length(max=2000, message="2 000 caractères au plus.")])


class CampaignForm(FlaskForm):
    organization = SelectField("Association", choices=[], validate_choice=False)
    title = StringField("Titre de la campagne", validators=[DataRequired(REFUSALS["title"]), Length(3, 200, REFUSALS["title"])])
    summary = TextAreaField("Résumé (affiché dans la liste)", validators=[Optional(), Length(max=500, message=REFUSALS["summary"])])
    description = TextAreaField("Description du projet (Markdown)", validators=[
        Optional(), Length(max=50_000, message=REFUSALS["description"])])
    commune = StringField("Commune", default="Sceaux", validators=[DataRequired(REFUSALS["commune"]), Length(max=120)])
    insee_code = StringField("Code INSEE de la commune", default="92071", validators=[
        DataRequired(REFUSALS["insee_code"]), Regexp(r"^(\d{5}|2[AB]\d{3})$", message=REFUSALS["insee_code"])])
    category = SelectField("Thème", choices=[SelectChoice(key.value, label) for key, label in CATEGORY_LABELS.items()])
    goal = Euros("Objectif (euros)", required=True)
    min_gift = Euros("Don minimum (euros)", default="5")
    starts_on = DateField("Premier jour de la collecte", validators=[InputRequired(REFUSALS["starts_on"])])
    ends_on = DateField("Dernier jour de la collecte", validators=[InputRequired(REFUSALS["ends_on"])])
    funding_model = RadioField("Mode de financement", default=FundingModel.keep_it_all.value,
                               choices=[SelectChoice(key.value, label) for key, label in FUNDING_LABELS.items()])
    tiers = FieldList(FormField(TierForm), min_entries=0)
    stretch_goals = FieldList(FormField(StretchGoalForm), min_entries=0)
    section_errors = None  # {"tiers": message, "stretch_goals": message} after a refusal

    @classmethod
    def for_campaign(cls, campaign):
        """The form filled from a campaign, with blank rows to add a tier or a stretch goal."""
        form = cls(formdata=None, data={
            "title": campaign.title, "summary": campaign.summary, "description": campaign.description_md,
            "commune": campaign.commune, "insee_code": campaign.insee_code, "category": campaign.category.value,
            "goal": euros_text(campaign.goal_cents), "min_gift": euros_text(campaign.min_gift_cents),
            "starts_on": to_local(campaign.starts_at).date(),
            "ends_on": (to_local(campaign.ends_at) - timedelta(microseconds=1)).date(),
            "funding_model": campaign.funding_model.value,
            "tiers": [{"id": str(t.id), "title": t.title, "description": t.description,
                       "min_amount": euros_text(t.min_amount_cents), "quantity_limit": t.quantity_limit,
                       "fair_value": euros_text(t.fair_value_cents)} for t in campaign.tiers],
            "stretch_goals": [{"title": g.title, "amount": euros_text(g.amount_cents), "description": g.description}
                              for g in campaign.stretch_goals],
        })
        form.add_blank_rows()
        return form

    def add_blank_rows(self):
        for _ in range(BLANK_TIERS):
            self.tiers.append_entry()
        for _ in range(BLANK_GOALS):
            self.stretch_goals.append_entry()

    def api_data(self, frozen=False):
        """The form as the API's JSON (CampaignIn); `frozen` leaves out what a published campaign keeps."""
        zone = local_zone()
        data = {
            "title": self.title.data.strip(), "summary": (self.summary.data or "").strip(),
            "description": self.description.data or "", "commune": self.commune.data.strip(),
            "insee_code": self.insee_code.data.strip().upper(), "category": self.category.data,
            "goal_cents": self.goal.cents, "min_gift_cents": self.min_gift.cents or 100,
            "funding_model": self.funding_model.data,
            "starts_at": datetime.combine(self.starts_on.data, time(0), zone).isoformat(),
            # The last day is included: the collection ends at midnight after it.
            "ends_at": datetime.combine(self.ends_on.data + timedelta(days=1), time(0), zone).isoformat(),
            "tiers": [], "stretch_goals": [],
        }
        for row in self.tiers:
            tier = row.form
            if not (tier.title.data or "").strip():
                continue  # a blank row, or a tier whose title was emptied to remove it
            item = {"title": tier.title.data.strip(), "description": (tier.description.data or "").strip(),
                    "min_amount_cents": tier.min_amount.cents, "quantity_limit": tier.quantity_limit.data,
                    "fair_value_cents": tier.fair_value.cents or 0}
            if (tier.id.data or "").isdigit():
                item["id"] = int(tier.id.data)
            data["tiers"].append(item)
        for row in self.stretch_goals:
            goal = row.form
            if (goal.title.data or "").strip() or goal.amount.cents:
                data["stretch_goals"].append({"title": (goal.title.data or "").strip(),
                                              "amount_cents": goal.amount.cents,
                                              "description": (goal.description.data or "").strip()})
        if frozen:
            for name in FROZEN_AFTER_PUBLICATION:
                data.pop(name, None)
        return data

    def refuse(self, names, message=None):
        """Put a French message on each field a schema or service named (the title if none matches)."""
        placed = False
        for name in names:
            base = FIELD_OF.get(str(name).split(".")[0], str(name).split(".")[0])
            if base in ("tiers", "stretch_goals"):  # a list: its message stands above its rows
                self.section_errors = {**(self.section_errors or {}), base: message or REFUSALS[base]}
                placed = True
                continue
            target = getattr(self, base, None)
            if base == "organization" and not self.organization.choices:
                target = None  # a holder's campaign is their organization's: nothing to choose
            if target is not None and hasattr(target, "errors"):
                target.errors = [*(target.errors or []),
                                 message or REFUSALS.get(base, "Cette valeur n'est pas acceptée.")]
                placed = True
        if not placed:
            self.title.errors = [*(self.title.errors or []), message or "Cette campagne n'a pas pu être enregistrée."]


def load_campaign(schema, form, data):
    """The API's schema applied to the form's data: the loaded values, or None with French messages."""
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        form.refuse(error.messages_dict.keys())
        return None


class ReturnForm(FlaskForm):
    reason = TextAreaField("Ce que le porteur doit changer", validators=[
        DataRequired("Dites au porteur ce qu'il doit changer."), Length(max=2000, message="2 000 caractères au plus.")])


class NewsForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired("Le titre compte de 2 à 200 caractères."),
                                             Length(2, 200, "Le titre compte de 2 à 200 caractères.")])
    body = TextAreaField("Texte (Markdown)", validators=[
        DataRequired("Écrivez le texte de l'actualité."), Length(max=20_000, message="20 000 caractères au plus.")])


class CoverForm(FlaskForm):
    cover = FileField("Nouvelle image (PNG, JPEG ou WebP)", validators=[FileRequired("Choisissez une image.")])

