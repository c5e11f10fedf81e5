"""One sweep over every page of the service, read from the application's own URL map, with the Sceaux
demo loaded: each page answers at 320 and 390 px wide with no sideways scroll and no axe-core
violation; every /gestion URL sends a visitor with no session to /connexion, and a user of another
organization, partner or shop gets a 404 on every back-office page about one object.

A new GET route must appear in PAGES (how to reach it: who signs in, an example URL) or in NOT_PAGES
(why it is not an HTML page): otherwise the sweep fails, so that no page escapes it."""
import html
import secrets
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.support import csrf_from, sideways, sign_in_browser, violations

PASSWORD = "sceaux-demo-2026"  # campaigns/demo.py DEMO_PASSWORD
ADMIN = "admin@sceaux.example"
FINANCE = "tresorier@jardin-menagerie.example"
HOLDER = "projets@jardin-menagerie.example"
PARTNER = "partenariats@laposte.example"
MERCHANT = "commercant@sceaux.example"  # Boulangerie des Blagis
DONOR = "louise.bonnet@example.org"  # gives monthly
# Users of another organization, partner and shop than the objects the examples name.
OUTSIDERS = ["tresorier@epicerie-sceaux.example", "projets@epicerie-sceaux.example", "mecenat@banque-sceaux.example",
             "commercant2@sceaux.example"]

# endpoint -> [(who signs in: None, a staff email, or "donor"), example URL with {values}]
PAGES = {
    "home": [(None, "/")],
    "legal.accessibility": [(None, "/accessibilite")],
    "legal.privacy": [(None, "/confidentialite")],
    "legal.notice": [(None, "/mentions-legales")],
    "auth.login": [(None, "/connexion")],
    "auth.forgot_password": [(None, "/mot-de-passe-oublie")],
    "auth.choose_password": [(None, "/mot-de-passe/{password_token}")],
    "campaign_pages.campaign": [(None, "/campagnes/{campaign}"), (None, "/campagnes/ruches-parc-de-sceaux")],
    "donation_pages.give": [(None, "/campagnes/{campaign}/don")],
    "donation_pages.thanks": [(None, "/dons/{thanks_token}/merci")],
    "donation_pages.monthly": [(None, "/dons/{monthly_token}/mensuel")],
    "news_unsubscribe.unsubscribe": [(None, "{unsubscribe_path}")],
    "roundup_pages.demo_checkout": [(None, "/commercant/demo/{merchant}")],
    "shops.index": [(None, "/commerces")],
    "join.apply": [(None, "/devenir-commercant")],
    "join.thanks": [(None, "/devenir-commercant/merci")],
    "opendata.index": [(None, "/donnees-ouvertes")],
    "receipt_pages.donor_receipts": [(None, "/recus/{receipts_token}")],
    "receipt_pages.roundup_identity": [(None, "/recus/arrondi/{roundup_token}")],
    "receipt_pages.verify": [(None, "{verify_path}")],
    "roundup_claims.claim": [(None, "{claim_path}")],
    "till.till": [(None, "/caisse")],
    "donor_space.start": [(None, "/espace-donateur")],
    "donor_space.redeem": [(None, "/espace-donateur/connexion/{donor_link}")],
    "donor_space.home": [("donor", "/espace-donateur/mon-espace")],
    "donor_space.stop": [("donor", "/espace-donateur/mensuel/{monthly_public_id}/arreter")],
    "donor_space.erase": [("donor", "/espace-donateur/effacement")],
    "roundup_pages.dashboard": [(MERCHANT, "/commercant")],
    "roundup_mandates.sign": [(MERCHANT, "/commercant/prelevement")],
    "finance_pages.index": [(FINANCE, "/finance")],
    "gestion.home": [(ADMIN, "/gestion"), (FINANCE, "/gestion"), (HOLDER, "/gestion"), (PARTNER, "/gestion"),
                     (MERCHANT, "/gestion")],
    "gestion.journal": [(ADMIN, "/gestion/journal")],
    "staff.index": [(ADMIN, "/gestion/equipe")],
    "calls_pages.index": [(ADMIN, "/gestion/appels-de-fonds"), (PARTNER, "/gestion/appels-de-fonds")],
    "organization_pages.index": [(ADMIN, "/gestion/associations")],
    "organization_pages.create": [(ADMIN, "/gestion/associations/nouvelle")],
    "organization_pages.edit": [(ADMIN, "/gestion/associations/{organization}")],
    "campaign_admin.index": [(ADMIN, "/gestion/campagnes"), (HOLDER, "/gestion/campagnes")],
    "campaign_admin.create": [(HOLDER, "/gestion/campagnes/nouvelle")],
    "campaign_admin.edit": [(HOLDER, "/gestion/campagnes/{campaign}/modifier")],
    "campaign_follow.show": [(HOLDER, "/gestion/campagnes/{campaign}")],
    "campaign_follow.news": [(HOLDER, "/gestion/campagnes/{campaign}/actualites")],
    "campaign_follow.edit_news": [(HOLDER, "/gestion/campagnes/{campaign}/actualites/{news_id}")],
    "campaign_review_pages.queue": [(ADMIN, "/gestion/campagnes/examen")],
    "merchant_admin.index": [(ADMIN, "/gestion/commercants")],
    "merchant_admin.create": [(ADMIN, "/gestion/commercants/nouveau")],
    "merchant_admin.show": [(ADMIN, "/gestion/commercants/{merchant}")],
    "merchant_admin.edit": [(ADMIN, "/gestion/commercants/{merchant}/modifier")],
    "merchant_statements.show": [(ADMIN, "/gestion/commercants/{merchant}/releves/{settlement_id}")],
    "merchant_applications.index": [(ADMIN, "/gestion/commercants/demandes")],
    "merchant_applications.show": [(ADMIN, "/gestion/commercants/demandes/{application_id}")],
    "gift_pages.index": [(FINANCE, "/gestion/dons")],
    "gift_pages.gift": [(FINANCE, "/gestion/dons/{donation_id}")],
    "gift_pages.record": [(FINANCE, "/gestion/dons/nouveau")],
    "donor_pages.donors": [(HOLDER, "/gestion/dons/campagnes/{campaign}/donateurs")],
    "donor_pages.write": [(HOLDER, "/gestion/dons/campagnes/{campaign}/ecrire")],
    "partner_dashboard.dashboard": [(PARTNER, "/gestion/partenaire/{partner}")],
    "partner_pages.index": [(ADMIN, "/gestion/partenaires")],
    "partner_pages.create": [(ADMIN, "/gestion/partenaires/nouveau")],
    "partner_pages.edit": [(ADMIN, "/gestion/partenaires/{partner}")],
    "partner_money.index": [(ADMIN, "/gestion/partenaires/{partner}/financements")],
    "receipt_backoffice.show": [(FINANCE, "/gestion/recus/{organization}/{receipt_number}")],
    "receipt_backoffice.for_gift": [(FINANCE, "/gestion/recus/don/{donation_id}")],
    "receipt_backoffice.settings": [(FINANCE, "/gestion/recus/reglages")],
    "treasury.index": [(FINANCE, "/gestion/tresorerie")],
    "payouts_pages.index": [(FINANCE, "/gestion/versements")],
}

# endpoint -> why it is no HTML page; the /gestion ones carry an example URL for the access checks.
NOT_PAGES = {
    "campaign_pages.cover": "the cover image",
    "campaign_pages.manage_news": "a permanent redirect to /gestion/campagnes/<slug>/actualites",
    "till.manifest": "the till's web app manifest (JSON)",
    "till.service_worker": "the till's service worker (JavaScript)",
    "roundup_pages.widget_js": "the checkout widget's JavaScript",
    "roundup_pages.widget_rule": "the widget's rule (JSON)",
    "roundup_pages.statement_csv": "a statement (CSV)",
    "roundup_pages.statement_pdf": "a statement (PDF)",
    "roundup_poster.poster": "the counter poster (PDF)",
    "opendata.funding_csv": "open data (CSV)",
    "opendata.funding_json": "open data (JSON)",
    "opendata.funding_schema_json": "open data schema (JSON)",
    "opendata.subsidies_csv": "open data (CSV)",
    "opendata.subsidies_schema_json": "open data schema (JSON)",
    "donor_receipt_link.gift_receipt": "the thank-you page's receipt link (JSON)",
    "donor_space.export": "the donor's data (JSON)",
    "donor_space.year_zip": "a year's receipts (ZIP)",
    "donor_space.receipt_pdf": "a receipt (PDF)",
    "receipt_pages.donor_pdf": "a receipt (PDF)",
    "finance_pages.export_zip": "receipts (ZIP)",
    "finance_pages.export_csv": "receipts (CSV)",
    "finance_pages.receipt_pdf": "a receipt (PDF)",
    "finance_pages.register_csv": "the register (CSV)",
    "finance_pages.register_pdf": "the register (PDF)",
    "calls_pages.call_csv": ("a call for funds (CSV)", "/gestion/appels-de-fonds/{call_id}.csv"),
    "calls_pages.call_pdf": ("a call for funds (PDF)", "/gestion/appels-de-fonds/{call_id}.pdf"),
    "organization_pages.image": ("an organization's image (PNG)", "/gestion/associations/{organization}/images/signature.png"),
    "merchant_admin.statement": ("a statement (PDF)",
                                 "/gestion/commercants/{merchant}/releves/{settlement_id}.pdf"),
    "donor_pages.donors_csv": ("a campaign's donors (CSV)", "/gestion/dons/campagnes/{campaign}/donateurs.csv"),
    "partner_dashboard.summary_csv": ("a partner's summary (CSV)", "/gestion/partenaire/{partner}/bilan.csv"),
    "treasury.journal": ("the accounting journal (FEC or CSV)",
                         "/gestion/tresorerie/ecritures?du=2026-01-01&au=2026-10-31"),
    "partner_dashboard.mine": ("a redirect to the signed-in partner's dashboard", "/gestion/partenaire"),
    "partner_dashboard.summary_pdf": ("a partner's summary (PDF)", "/gestion/partenaire/{partner}/bilan.pdf"),
}


def get_routes(app):
    """{endpoint: rule} of every GET route but the JSON API (schemathesis covers it) and static files."""
    return {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static/"))
            and rule.endpoint != "static" and not rule.endpoint.endswith(".static")}


def load_demo(app):
    """The Sceaux demo, a second shop's user, and the values the example URLs need."""
    from app.auth import invitations
    from app.auth import services as auth_services
    from app.auth.models import LinkPurpose, User
    from app.demo import load_all
    from app.keys import hash_key
    from app.types import utcnow
    from campaigns.models import (
        CallForFunds,
        Campaign,
        MatchPledge,
        Organization,
        Partner,
    )
    from campaigns.services import add_news
    from donations.models import Donation
    from donations.roundup.applications import MerchantApplication
    from donations.roundup.models import Merchant, MerchantKey, Roundup, Settlement
    from donations.roundup.services import claims
    from donations.services import links as gift_links
    from donations.services import news_mail
    from receipts.donor_space.models import DonorSignInLink
    from receipts.models import Receipt
    from receipts.services import links

    with app.app_context():
        load_all(app)
        librairie = db.session.scalar(select(Merchant).where(Merchant.slug == "librairie-page-sceaux"))
        auth_services.create_user(OUTSIDERS[3], "merchant", merchant_id=librairie.id, password=PASSWORD)
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "jardin-partage-menagerie"))
        organization = db.session.get(Organization, campaign.organization_id)
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "boulangerie-des-blagis"))
        gift = db.session.scalar(select(Donation).where(Donation.campaign_id == campaign.id,
                                                        Donation.email == "camille.lefevre@example.org"))
        monthly = db.session.scalar(select(Donation).where(Donation.email == DONOR, Donation.monthly.is_(True)))
        receipt = db.session.scalar(select(Receipt).where(Receipt.organization_id == organization.id)
                                    .order_by(Receipt.id))
        news = add_news(campaign, "Les bacs sont posés", "Merci à tous : les **bacs** sont posés.")
        # The demo's gifts are this month's: no call is owed yet; La Poste's call as it would come.
        call = CallForFunds(partner=db.session.scalar(select(Partner).where(Partner.slug == "la-poste")),
                            campaign=campaign, month=date(2026, 10, 1), earlier_cents=0, month_cents=12_000,
                            amount_cents=12_000)
        db.session.add(call)
        db.session.flush()
        unclaimed = db.session.scalar(select(Roundup).where(Roundup.merchant_id == merchant.id,
                                                            Roundup.donor_email.is_(None),
                                                            Roundup.voided_at.is_(None)).order_by(Roundup.id.desc()))
        donor_link = secrets.token_urlsafe(32)
        db.session.add(DonorSignInLink(token_hash=hash_key(donor_link), email=DONOR, created_at=utcnow(),
                                       expires_at=utcnow() + timedelta(minutes=30)))
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        _, password_token = invitations.issue_link(admin, LinkPurpose.password_reset)
        values = {
            "campaign": campaign.slug, "organization": organization.slug, "merchant": merchant.slug, "partner": "la-poste",
            "donation_id": gift.id, "thanks_token": gift_links.donor_token(gift),
            "monthly_token": gift_links.donor_token(monthly, "monthly"), "monthly_public_id": monthly.public_id,
            "unsubscribe_path": urlsplit(news_mail.unsubscribe_url(campaign, gift.email)).path,
            "receipts_token": links.donor_token(organization.id, receipt.donor_email),
            "roundup_token": links.roundup_token("marie.dupont@example.org"),
            "verify_path": f"/verifier/{organization.slug}/{receipt.number}?k={receipt.verification_token}",
            "receipt_number": receipt.number, "news_id": news.id, "call_id": call.id, "donor_link": donor_link,
            "claim_path": urlsplit(claims.claim_for(merchant, unclaimed.external_id)["claim_url"]).path,
            "settlement_id": db.session.scalar(select(Settlement.id).where(Settlement.merchant_id == merchant.id)),
            "application_id": db.session.scalar(select(MerchantApplication.id)),
            "password_token": password_token,
            "user_id": db.session.scalar(select(User.id).where(User.email == HOLDER)),
            "key_id": db.session.scalar(select(MerchantKey.id).where(MerchantKey.merchant_id == merchant.id)),
            "pledge_id": db.session.scalar(select(MatchPledge.id).join(Partner, Partner.id == MatchPledge.partner_id)
                                           .where(Partner.slug == "la-poste").order_by(MatchPledge.id)),
        }
        db.session.commit()
    return values


def test_every_route_is_a_listed_page_or_said_not_to_be_one(app):
    routes = get_routes(app)
    assert sorted(set(routes) - set(PAGES) - set(NOT_PAGES)) == [], "new routes: add them to PAGES or NOT_PAGES"
    assert sorted((set(PAGES) | set(NOT_PAGES)) - set(routes)) == [], "routes that are gone"


def gestion_urls(app, values):
    """(endpoint, URL) of every /gestion GET route, with its example."""
    routes = get_routes(app)
    urls = [(endpoint, path.format(**values)) for endpoint, examples in PAGES.items() for _, path in examples
            if routes.get(endpoint, "").startswith("/gestion")]
    urls += [(endpoint, reason[1].format(**values)) for endpoint, reason in NOT_PAGES.items()
             if routes[endpoint].startswith("/gestion")]
    assert {endpoint for endpoint, _ in urls} == {e for e, rule in routes.items() if rule.startswith("/gestion")}
    return urls


def sign_in(client, email):
    client.post("/deconnexion", data={"csrf_token": csrf_from(client.get("/connexion").text)})
    signed_in = client.post("/connexion", data={"email": email, "password": PASSWORD,
                                                "csrf_token": csrf_from(client.get("/connexion").text)})
    assert signed_in.status_code == 302, email


def test_every_back_office_url_needs_a_session_and_hides_other_organizations_objects(app, client):
    values = load_demo(app)
    urls = gestion_urls(app, values)
    for endpoint, url in urls:
        answer = client.get(url)
        assert answer.status_code == 302, (endpoint, url, answer.status_code)
        assert answer.headers["Location"].startswith("/connexion?next=/gestion"), (endpoint, url)
    # Every example object belongs to the Jardin de la Ménagerie, La Poste or the Boulangerie des Blagis.
    objects = [(endpoint, url) for endpoint, url in urls if "{" in _example(endpoint)]
    assert len(objects) >= 20
    for outsider in OUTSIDERS:
        sign_in(client, outsider)
        for endpoint, url in objects:
            assert client.get(url).status_code == 404, (outsider, endpoint, url)
    # The shop's own statements, outside /gestion: another shop's user gets a 404, the shop its files.
    for extension in ("pdf", "csv"):
        statement = f"/commercant/releves/{values['settlement_id']}.{extension}"
        assert client.get(statement).status_code == 404, statement  # still signed in as the other shop
        assert _opens(client, MERCHANT, statement), statement
        sign_in(client, OUTSIDERS[3])
    # ...and the examples are right: their owners (or the administrator) open them.
    for endpoint, url in objects:
        owners = [who for who, path in PAGES.get(endpoint, [])] or [ADMIN, FINANCE, HOLDER, PARTNER]
        assert any(_opens(client, who, url) for who in owners), (endpoint, url)


def _example(endpoint):
    return PAGES[endpoint][0][1] if endpoint in PAGES else NOT_PAGES[endpoint][1]


def _opens(client, who, url):
    sign_in(client, who)
    return client.get(url).status_code == 200


@pytest.mark.browser
def test_every_page_fits_a_phone_and_passes_axe(app, live_server, page):
    """Each page at 390 px then 320 px: it answers 200, is axe-core clean at both widths and never
    wider than the screen. Failures are gathered so that one run names them all."""
    values = load_demo(app)
    visits = {}
    for endpoint, examples in PAGES.items():
        for who, path in examples:
            visits.setdefault(who, []).append((endpoint, path.format(**values)))
    problems, questions = [], 0
    for who, urls in visits.items():
        context = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
        tab = context.new_page()
        if who == "donor":
            tab.goto(f"{live_server}/espace-donateur/connexion/{values['donor_link']}")
            tab.get_by_role("button", name="Ouvrir mon espace donateur").click()
            tab.wait_for_url("**/espace-donateur/mon-espace")
        elif who:
            sign_in_browser(tab, live_server, who, PASSWORD)
        for endpoint, url in urls:
            tab.set_viewport_size({"width": 390, "height": 844})
            answer = tab.goto(live_server + url)
            if answer.status != 200 or urlsplit(tab.url).path != urlsplit(url).path:
                problems.append((who, endpoint, url, answer.status, tab.url))
                continue
            problems += [(who, endpoint, 390, found) for found in violations(tab)]
            # At 320 px, with every confirmation question open (forms.html `confirm`: a <details>).
            questions += tab.evaluate(
                "[...document.querySelectorAll('details')].map(d => { d.open = true; return 1; }).length")
            tab.set_viewport_size({"width": 320, "height": 720})
            if sideways(tab) > 0:
                problems.append((who, endpoint, 320, f"{sideways(tab)} px wider than the screen"))
            problems += [(who, endpoint, 320, found) for found in violations(tab)]
        context.close()
    assert not problems, "\n".join(map(str, problems))
    assert questions > 10, "the pages' confirmation questions were opened and checked"


def test_a_page_about_something_unknown_answers_in_french(client):
    """A refusal meant for the API (in English) never reaches a page as is."""
    for path in ("/campagnes/inconnue", "/campagnes/inconnue/don", "/dons/inconnu/merci", "/recus/inconnu",
                 "/recus/arrondi/inconnu"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Page introuvable" in answer.text, path
        assert "Cette page n&#39;existe pas, ou son lien est incomplet ou n&#39;est plus valable." in answer.text, path
        assert not any(english in answer.text for english in ("no campaign", "no such", "not valid")), path


def test_the_action_log_names_every_action_in_french():
    """Each action code the sources record has its French label on /gestion/journal."""
    import re

    from app.audit import ACTION_LABELS, action_label, subject_label
    from tests.support import project_modules

    codes = set()
    for _, _, path in project_modules():
        for call in re.findall(r"record_action\([^\n]*", path.read_text()):
            codes |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', call))
    codes |= {"organization.logo", "organization.stamp", "pledge.pause", "pledge.resume"}  # built with f-strings
    assert len(codes) > 30
    assert sorted(codes - set(ACTION_LABELS)) == []
    assert action_label("campaign.submit") == "Campagne soumise à l'examen"
    assert subject_label("campaign:jardin-partage") == "campagne jardin-partage"
    assert subject_label("système") == "système"


def test_a_campaign_refused_publication_is_told_why_in_french(app, client):
    """The demo's submitted campaign and its draft, their dates now past: approving or publishing them is
    refused with the French reason, not the service's English one."""
    from datetime import UTC, datetime

    from campaigns.models import Campaign

    load_demo(app)
    with app.app_context():
        for slug in ("potager-ecole-blagis", "fete-musique-2027"):
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            campaign.starts_at = datetime(2025, 1, 1, tzinfo=UTC)
            campaign.ends_at = datetime(2025, 2, 1, tzinfo=UTC)
        db.session.commit()
    sign_in(client, ADMIN)
    token = csrf_from(client.get("/gestion/campagnes/examen").text)
    for action in ("potager-ecole-blagis/approuver", "fete-musique-2027/publier"):
        answer = client.post(f"/gestion/campagnes/{action}", data={"csrf_token": token, "confirm": "1"},
                             follow_redirects=True)
        assert ("Le dernier jour de la collecte est passé : choisissez-en un autre d'abord."
                in html.unescape(answer.text)), action
        assert "the end date" not in answer.text, action


def _wtforms_english():
    """The English messages WTForms writes itself (its message catalogue), placeholders cut out."""
    import re
    from pathlib import Path

    from wtforms.i18n import messages_path

    catalogue = (Path(messages_path()) / "wtforms.pot").read_text()
    pieces = (max(re.split(r"%\(\w+\)[sd]", msgid), key=len) for msgid in re.findall(r'msgid "(.+)"', catalogue))
    return {piece.strip() for piece in pieces if len(piece.strip()) > 8}


def test_every_form_sent_empty_answers_in_french(app, client):
    """Each page's forms, sent with nothing filled in but their CSRF token, by the role that sees the page:
    never a server error, no CSRF refusal, no message left in WTForms' English, and a refused form (400)
    marks its fields aria-invalid, each described by messages that are on the page."""
    import html
    import re

    english = _wtforms_english()
    assert "Not a valid choice." in english
    values = load_demo(app)
    skipped = ("/deconnexion", "supprimer", "revoquer", "desactiver", "effacement")  # they end the session or erase
    forms_of = re.compile(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", flags=re.IGNORECASE | re.DOTALL)
    sent = refused = 0
    for endpoint, examples in PAGES.items():
        for who, path in examples:
            if who == "donor" or endpoint.startswith("donor_space"):
                continue  # the donor space's forms: tests/donor_space
            visitor = client if who else app.test_client()
            url = path.format(**values)
            for index in range(len(forms_of.findall(visitor.get(url).text))):
                if who:
                    sign_in(client, who)  # a form sent before may have changed the session
                forms = forms_of.findall(visitor.get(url).text)
                if index >= len(forms):
                    break  # an earlier form changed the page (a key issued adds its revoke form...)
                form = forms[index]
                action = re.search(r'action="([^"]*)"', form.split(">", 1)[0])
                action = html.unescape(action.group(1)) if action else url
                if any(word in action for word in skipped):
                    continue
                token = re.search(r'name="([\w-]*csrf_token)"[^>]*value="([^"]+)"', form)
                answer = visitor.post(action, data={token[1]: token[2]} if token else {}, follow_redirects=True)
                where = (endpoint, action, answer.status_code)
                sent += 1
                assert answer.status_code < 500, where
                assert "Nous n&#39;avons pas pu répondre à votre demande." not in answer.text, where  # CSRF refused
                assert [text for text in english if text in html.unescape(answer.text)] == [], where
                if answer.status_code == 400:
                    refused += 1
                    invalid = re.findall(r'<[^>]*aria-invalid="true"[^>]*>', answer.text)
                    ids = set(re.findall(r'\bid="([^"]+)"', answer.text))
                    assert invalid, where
                    for field in invalid:
                        described = re.search(r'aria-describedby="([^"]*)"', field)
                        assert described and set(described[1].split()) <= ids, (where, field)
    assert sent > 40 and refused > 15


def test_every_back_office_form_url_needs_a_session(app, client):
    """Every /gestion URL that takes a POST (any object: the guard comes first) sends a visitor with no
    session to sign in, and writes nothing."""
    from werkzeug.routing.converters import AnyConverter, IntegerConverter

    from app.audit import AdminAction

    adapter = app.url_map.bind("localhost")
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods and rule.rule.startswith("/gestion")]
    assert len(posts) > 30
    for rule in posts:
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                values[name] = min(converter.items)
            else:
                values[name] = 1 if isinstance(converter, IntegerConverter) else "exemple"
        url = adapter.build(rule.endpoint, values)
        answer = client.post(url, data={"confirm": "1"})
        assert answer.status_code == 302, (rule.endpoint, url, answer.status_code)
        assert answer.headers["Location"].startswith("/connexion?next=/gestion"), (rule.endpoint, url)
    with app.app_context():
        assert db.session.scalar(select(AdminAction.id)) is None


# POST URLs about one object (of the Jardin de la Ménagerie, La Poste or the Boulangerie des Blagis): an
# outsider gets a 404 and changes nothing. Left out: /gestion/tresorerie/releves/<id>/recu, scoped by the
# finance officer's own organization (a shop's statement has a line for each association it gives to).
OBJECT_POSTS = [
    "/gestion/associations/{organization}", "/gestion/associations/{organization}/equipe",
    "/gestion/associations/{organization}/images/logo", "/gestion/associations/{organization}/images/signature/retirer",
    "/gestion/campagnes/{campaign}/actualites", "/gestion/campagnes/{campaign}/actualites/{news_id}",
    "/gestion/campagnes/{campaign}/actualites/{news_id}/supprimer", "/gestion/campagnes/potager-ecole-blagis/approuver",
    "/gestion/campagnes/{campaign}/couverture", "/gestion/campagnes/{campaign}/modifier",
    "/gestion/campagnes/{campaign}/publier", "/gestion/campagnes/potager-ecole-blagis/renvoyer",
    "/gestion/campagnes/{campaign}/soumettre", "/gestion/commercants/{merchant}/cles",
    "/gestion/commercants/{merchant}/cles/{key_id}/revoquer", "/gestion/commercants/{merchant}/equipe",
    "/gestion/commercants/{merchant}/modifier",
    "/gestion/commercants/{merchant}/releves/{settlement_id}/{organization}/recu",
    "/gestion/commercants/demandes/{application_id}/accepter", "/gestion/commercants/demandes/{application_id}/refuser",
    "/gestion/dons/{donation_id}/rembourser", "/gestion/dons/campagnes/{campaign}/ecrire",
    "/gestion/equipe/{user_id}/desactiver", "/gestion/equipe/{user_id}/reactiver", "/gestion/equipe/{user_id}/renvoyer",
    "/gestion/partenaires/{partner}", "/gestion/partenaires/{partner}/equipe",
    "/gestion/partenaires/{partner}/financements/engagements",
    "/gestion/partenaires/{partner}/financements/engagements/{pledge_id}/suspendre",
    "/gestion/partenaires/{partner}/financements/paiements", "/gestion/partenaires/{partner}/financements/subventions",
    "/gestion/recus/{organization}/{receipt_number}/annuler", "/gestion/tresorerie/appels/{call_id}/recu",
    "/gestion/versements/{organization}/compte", "/gestion/versements/{organization}/inscription",
]


def test_other_organizations_cannot_post_to_an_objects_forms(app, client):
    """Every /gestion POST URL with a path argument is listed above (or said why not); each answers 404
    to the users of another organization, partner or shop, even with a valid form and its confirmation."""
    from app.audit import AdminAction

    values = load_demo(app)
    adapter = app.url_map.bind("localhost")
    listed = {adapter.match(path.format(**values), method="POST")[0] for path in OBJECT_POSTS}
    scoped = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and rule.rule.startswith("/gestion") and rule.arguments}
    assert sorted(scoped - listed - {"treasury.statement_received"}) == []
    with app.app_context():
        before = db.session.scalar(select(db.func.count(AdminAction.id)))
    for outsider in OUTSIDERS:
        sign_in(client, outsider)
        token = csrf_from(client.get("/gestion").text)
        for path in OBJECT_POSTS:
            url = path.format(**values)
            answer = client.post(url, data={"csrf_token": token, "confirm": "1", "reason": "Essai",
                                            "email": "intrus@exemple.fr", "role": "finance"})
            assert answer.status_code == 404, (outsider, url, answer.status_code)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(AdminAction.id))) == before


@pytest.mark.browser
def test_every_refused_form_fits_a_phone_and_passes_axe(app, live_server, page):
    """Each staff page's forms sent empty in the browser (its own checks bypassed, as an old browser
    would): the page that refuses it (400), with its messages beside the fields, is axe-core clean at 390
    and 320 px and fits a 320 px screen."""
    values = load_demo(app)
    skipped = ("/deconnexion", "supprimer", "revoquer", "desactiver", "effacement")
    problems, refused = [], 0
    for who in (ADMIN, FINANCE, HOLDER, PARTNER, MERCHANT):
        context = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
        tab = context.new_page()
        sign_in_browser(tab, live_server, who, PASSWORD)
        for endpoint, examples in PAGES.items():
            for _, path in (example for example in examples if example[0] == who):
                url = live_server + path.format(**values)
                tab.goto(url)
                count = tab.locator("form[method=post]").count()
                for index in range(count):
                    tab.set_viewport_size({"width": 390, "height": 844})
                    tab.goto(url)
                    form = tab.locator("form[method=post]").nth(index)
                    if form.count() == 0 or any(word in (form.get_attribute("action") or "") for word in skipped):
                        continue
                    with tab.expect_navigation() as sent:
                        form.evaluate("f => { f.noValidate = true; HTMLFormElement.prototype.submit.call(f); }")
                    if sent.value.status != 400:
                        continue
                    refused += 1
                    where = (who, endpoint, index)
                    problems += [(where, 390, found) for found in violations(tab)]
                    tab.set_viewport_size({"width": 320, "height": 720})
                    if sideways(tab) > 0:
                        problems.append((where, 320, f"{sideways(tab)} px wider than the screen"))
                    problems += [(where, 320, found) for found in violations(tab)]
        context.close()
    assert refused > 15
    assert not problems, "\n".join(map(str, problems))
