"""Demo data for the Sceaux territory: associations, partners and one user of each role."""
from sqlalchemy import select

from app.auth.models import User
from app.auth.services import create_user
from app.extensions import db
from campaigns import services
from campaigns.models import Organization, OrganizationCategory, Partner, PartnerKind, ReceiptRegime

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


def load_organizations():
    for values in ORGANIZATIONS:
        if not db.session.scalar(select(Organization.id).where(Organization.slug == values["slug"])):
            services.create_organization(**values)
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


def load_campaigns():
    return []
