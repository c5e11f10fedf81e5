"""Demo data for the Sceaux territory: associations, partners, users of each role, and campaigns in
every state with reward tiers, match pledges and grants."""
import io
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.auth.services import create_user
from app.extensions import db
from app.types import utcnow
from campaigns import services
from campaigns.services import review
from campaigns.models import Campaign, Organization, OrganizationCategory, Partner, PartnerKind, ReceiptRegime

ORGANIZATIONS = [
    dict(slug="epicerie-solidaire-sceaux", name="Épicerie solidaire de Sceaux",
         legal_form="Association loi 1901", rna="W922001234", siren="775672272",
         address_line1="12 rue Houdan", postal_code="92330", city="Sceaux",
         objet="Aide alimentaire et accompagnement des familles en difficulté du territoire de Sceaux.",
         category=OrganizationCategory.general_interest,
         receipt_regime=ReceiptRegime.aid_to_people_in_difficulty,
         signatory_name="Claire Martin", signatory_title="Présidente", email="contact@epicerie-sceaux.example"),
    dict(slug="amis-jardin-menagerie", name="Les Amis du Jardin de la Ménagerie",
         legal_form="Association loi 1901", rna="W922004321",
         address_line1="3 avenue de la Gare", postal_code="92330", city="Sceaux",
         objet="Création et entretien de jardins partagés, éducation à l'environnement.",
         category=OrganizationCategory.general_interest, receipt_regime=ReceiptRegime.general_interest,
         signatory_name="Paul Durand", signatory_title="Trésorier", email="bonjour@jardin-menagerie.example"),
    dict(slug="ville-de-sceaux", name="Ville de Sceaux", legal_form="Commune",
         siren="219200714", address_line1="122 rue Houdan", postal_code="92330", city="Sceaux",
         objet="Collectivité territoriale : projets culturels, sociaux et environnementaux de la commune.",
         category=OrganizationCategory.local_authority, receipt_regime=ReceiptRegime.general_interest,
         signatory_name="Philippe Laurent", signatory_title="Maire de Sceaux"),
    dict(slug="comite-des-fetes-sceaux", name="Comité des fêtes de Sceaux",
         legal_form="Association loi 1901", rna="W922007788",
         address_line1="68 rue Houdan", postal_code="92330", city="Sceaux",
         objet="Organisation des fêtes et animations de quartier de la ville.",
         category=OrganizationCategory.general_interest, receipt_regime=ReceiptRegime.not_eligible,
         signatory_name="Inès Bernard", signatory_title="Présidente"),
]

PARTNERS = [
    dict(slug="la-poste", name="La Poste", kind=PartnerKind.company, siren="356000000",
         legal_form="Société anonyme", address_line1="9 rue du Colonel Pierre Avia",
         postal_code="75015", city="Paris"),
    dict(slug="banque-cooperative-sceaux", name="Banque coopérative de Sceaux", kind=PartnerKind.company,
         siren="442306718", legal_form="Société coopérative", address_line1="45 rue Houdan",
         postal_code="92330", city="Sceaux"),
    dict(slug="ville-de-sceaux", name="Ville de Sceaux", kind=PartnerKind.public_body, siren="219200714",
         legal_form="Commune", address_line1="122 rue Houdan", postal_code="92330", city="Sceaux"),
    dict(slug="fondation-bievre-solidaire", name="Fondation Bièvre solidaire", kind=PartnerKind.foundation,
         siren="503194763", legal_form="Fondation", postal_code="92330", city="Sceaux"),
    dict(slug="sceaux-valley", name="Sceaux Valley", kind=PartnerKind.platform, siren="384950127",
         legal_form="Association loi 1901", postal_code="92330", city="Sceaux"),
]

DEMO_PASSWORD = "sceaux-demo-2026"
USERS = [
    dict(email="admin@sceaux.example", role="admin", name="Équipe ESS de la Ville"),
    dict(email="tresorier@epicerie-sceaux.example", role="finance", organization="epicerie-solidaire-sceaux",
         name="Trésorerie de l'épicerie"),
    dict(email="projets@epicerie-sceaux.example", role="holder", organization="epicerie-solidaire-sceaux",
         name="Porteuse de projet"),
    dict(email="tresorier@jardin-menagerie.example", role="finance", organization="amis-jardin-menagerie",
         name="Trésorier du jardin"),
    dict(email="projets@jardin-menagerie.example", role="holder", organization="amis-jardin-menagerie",
         name="Porteur de projet"),
    dict(email="finances@sceaux.example", role="finance", organization="ville-de-sceaux", name="Finances de la Ville"),
    dict(email="partenariats@laposte.example", role="partner", partner="la-poste", name="La Poste"),
    dict(email="mecenat@banque-sceaux.example", role="partner", partner="banque-cooperative-sceaux",
         name="Banque coopérative"),
]


def signature_png(name):
    """A demo signatory's scribble: receipts are signed, and none is issued without a signature image."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    seed = sum(map(ord, name))
    points = [(20 + step * 16, 60 + ((seed * (step + 3)) % 50) - 25) for step in range(20)]
    draw.line(points, fill=(20, 30, 90, 255), width=4, joint="curve")
    draw.line([(30, 100), (330, 92)], fill=(20, 30, 90, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def load_organizations():
    for values in ORGANIZATIONS:
        if not db.session.scalar(select(Organization.id).where(Organization.slug == values["slug"])):
            services.create_organization(**values)
        organization = services.get_organization(values["slug"])
        if organization.issues_receipts and organization.signature_png is None:
            services.set_organization_image(organization, "signature", signature_png(values["signatory_name"]))
    for values in PARTNERS:
        if not db.session.scalar(select(Partner.id).where(Partner.slug == values["slug"])):
            services.create_partner(**values)
    lines = [f"Demo sign-in at /connexion, password {DEMO_PASSWORD!r} for:"]
    for values in USERS:
        values = dict(values)
        organization = values.pop("organization", None)
        partner = values.pop("partner", None)
        if not db.session.scalar(select(User.id).where(User.email == values["email"])):
            create_user(
                password=DEMO_PASSWORD,
                organization_id=services.get_organization(organization).id if organization else None,
                partner_id=services.get_partner(partner).id if partner else None,
                **values,
            )
        lines.append(f"  {values['role']:8} {values['email']}")
    return lines


def _days(n):
    return utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=n)


CAMPAIGNS = [
    dict(slug="epicerie-mobile-blagis", organization="epicerie-solidaire-sceaux", state="published",
         title="Une épicerie solidaire mobile pour les Blagis",
         summary="Un triporteur réfrigéré pour apporter l'aide alimentaire au pied des immeubles.",
         description="Chaque semaine, **120 familles** des Blagis viennent à l'épicerie solidaire. "
                     "Beaucoup ne peuvent pas se déplacer.\n\nAvec un triporteur réfrigéré, nous irons vers elles :\n\n"
                     "- deux tournées par semaine ;\n- des produits frais toute l'année ;\n- un moment d'échange.",
         commune="Sceaux", insee_code="92071", category="solidarity", goal_cents=1_500_000, min_gift_cents=500,
         starts_at=-10, ends_at=35, funding_model="all_or_nothing", color=(11, 110, 79),
         tiers=[dict(title="Merci sur notre page", description="Votre prénom sur le mur des soutiens.",
                     min_amount_cents=1000),
                dict(title="Panier de saison", description="Un panier de légumes des maraîchers partenaires.",
                     min_amount_cents=5000, quantity_limit=40, fair_value_cents=1200),
                dict(title="Tournée avec l'équipe", description="Accompagnez une tournée du triporteur.",
                     min_amount_cents=15000, quantity_limit=6, fair_value_cents=0)],
         stretch_goals=[dict(amount_cents=2_000_000, title="Un second triporteur pour Robinson")],
         pledges=[dict(partner="la-poste", total_cap_cents=300_000, per_gift_cap_cents=10_000),
                  dict(partner="banque-cooperative-sceaux", total_cap_cents=100_000, ratio_numerator=1,
                       ratio_denominator=2, max_gifts_per_donor=1)],
         grants=[dict(partner="ville-de-sceaux", amount_cents=250_000, reference="demo-subvention-epicerie")],
         news=[("Le triporteur est commandé", "Merci ! Grâce à vos premiers dons, le triporteur est **commandé**.")]),
    dict(slug="jardin-partage-menagerie", organization="amis-jardin-menagerie", state="published",
         title="Un jardin partagé au square de la Ménagerie",
         summary="Bacs, composteur et récupérateur d'eau pour un jardin ouvert à tous les voisins.",
         description="Le square de la Ménagerie accueillera **douze bacs** cultivés par les voisins et les écoles.",
         commune="Sceaux", insee_code="92071", category="environment", goal_cents=800_000, min_gift_cents=200,
         starts_at=-20, ends_at=20, funding_model="keep_it_all", color=(84, 130, 53),
         tiers=[dict(title="Sachet de graines", min_amount_cents=1500, quantity_limit=100, fair_value_cents=300),
                dict(title="Parrainage d'un bac", description="Votre nom sur un bac du jardin.",
                     min_amount_cents=10000, quantity_limit=12, fair_value_cents=0)],
         pledges=[dict(partner="fondation-bievre-solidaire", total_cap_cents=200_000)],
         grants=[dict(partner="banque-cooperative-sceaux", amount_cents=150_000, reference="demo-mecenat-jardin")]),
    dict(slug="ruches-parc-de-sceaux", organization="amis-jardin-menagerie", state="succeeded",
         title="Des ruches pédagogiques près du parc", summary="Trois ruches et des ateliers pour les écoles.",
         description="Les ruches sont installées : merci à toutes et à tous !",
         commune="Sceaux", insee_code="92071", category="education", goal_cents=300_000, min_gift_cents=500,
         starts_at=-90, ends_at=-30, funding_model="all_or_nothing", color=(242, 165, 65),
         tiers=[dict(title="Pot de miel", min_amount_cents=2500, quantity_limit=30, fair_value_cents=600)],
         grants=[dict(partner="sceaux-valley", amount_cents=320_000, reference="demo-ruches-sceaux-valley")]),
    dict(slug="fresque-marche-bourg-la-reine", organization="comite-des-fetes-sceaux", state="failed",
         title="Une fresque pour le marché", summary="Une fresque participative sur le mur du marché.",
         description="Le projet n'a pas atteint son objectif ; il reviendra sous une autre forme.",
         commune="Bourg-la-Reine", insee_code="92014", category="culture", goal_cents=600_000, min_gift_cents=500,
         starts_at=-70, ends_at=-10, funding_model="all_or_nothing", color=(120, 60, 140)),
    dict(slug="fete-musique-2027", organization="comite-des-fetes-sceaux", state="draft",
         title="Fête de la musique 2027", summary="Trois scènes dans le centre-ville.",
         description="En préparation.", commune="Sceaux", insee_code="92071", category="culture",
         goal_cents=400_000, starts_at=30, ends_at=90, funding_model="keep_it_all", color=(60, 60, 60)),
    # Waiting in the town's review queue (/gestion/campagnes/examen).
    dict(slug="potager-ecole-blagis", organization="amis-jardin-menagerie", state="submitted",
         title="Un potager pour l'école des Blagis", summary="Des bacs de culture et des outils pour les enfants.",
         description="Nous construisons **six bacs** de culture dans la cour de l'école des Blagis.\n\n"
                     "- des outils à la taille des enfants\n- un récupérateur d'eau de pluie",
         commune="Sceaux", insee_code="92071", category="education", goal_cents=350_000, starts_at=10, ends_at=70,
         funding_model="keep_it_all", color=(70, 140, 60)),
    dict(slug="bibliotheque-de-rue", organization="ville-de-sceaux", state="cancelled",
         title="Une bibliothèque de rue", summary="Des boîtes à livres dans chaque quartier.",
         description="Projet repris directement par la Ville.", commune="Sceaux", insee_code="92071",
         category="culture", goal_cents=200_000, starts_at=-5, ends_at=40, funding_model="keep_it_all",
         color=(90, 90, 160)),
]


def _cover_png(color):
    """A plain banner in the campaign's colour: demo covers without shipping image files."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 500), color)
    draw = ImageDraw.Draw(image)
    for step in range(0, 1200, 80):
        draw.ellipse((step, 300 - step // 6, step + 220, 520), fill=tuple(min(255, c + 40) for c in color))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def load_campaigns():
    lines = []
    for spec in CAMPAIGNS:
        if db.session.scalar(select(Campaign.id).where(Campaign.slug == spec["slug"])):
            continue
        spec = dict(spec)
        organization = services.get_organization(spec.pop("organization"))
        state, color = spec.pop("state"), spec.pop("color")
        pledges, grants, news = spec.pop("pledges", []), spec.pop("grants", []), spec.pop("news", [])
        starts_at, ends_at = _days(spec.pop("starts_at")), _days(spec.pop("ends_at"))
        campaign = services.create_campaign(organization.id, starts_at=starts_at, ends_at=ends_at, **spec)
        services.set_cover(campaign, _cover_png(color))
        if state == "cancelled":
            services.cancel_campaign(campaign)
        elif state == "submitted":
            review.submit_campaign(campaign, None)
        elif state != "draft":
            services.publish_campaign(campaign, now=starts_at)
        for pledge in pledges:
            pledge = dict(pledge)
            services.create_pledge(campaign, services.get_partner(pledge.pop("partner")).id, **pledge)
        for grant in grants:
            services.record_grant(campaign, services.get_partner(grant["partner"]).id, grant["amount_cents"],
                                  reference=grant["reference"])
        for title, body in news:
            services.add_news(campaign, title, body)
        if state in ("succeeded", "failed"):
            services.close_campaign(campaign, now=ends_at)
        lines.append(f"Campaign /campagnes/{campaign.slug} ({campaign.status.value})")
    return lines
