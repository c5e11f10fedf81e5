"""The donor space's fixtures: the receipts' gifts (tests/receipts/conftest.py), monthly gifts started
through the API and localstripe, and the sign-in link read from the outbox as the donor reads it."""
import email
import email.policy
import re
from pathlib import Path

import pytest
import stripe

from tests.receipts.conftest import Gifts, pdf_text  # noqa: F401  (pdf_text: for the tests)
from tests.support import csrf_from

DONOR = {"first_name": "Marie", "last_name": "Curie", "address_line1": "12 rue des Écoles", "postal_code": "92330",
         "city": "Sceaux"}


class Donors(Gifts):
    def __init__(self, app, client, localstripe):
        super().__init__(app, client, localstripe)
        outbox = Path(app.config["OUTBOX_DIR"])
        self._earlier_mail = set(outbox.glob("*.eml"))  # the outbox is shared by the whole session

    def monthly(self, campaign, amount_cents=1_500, email="marie.curie@example.org"):
        """A monthly gift started as the donation form starts it, its first month paid; returns its public id."""
        from donations.jobs import reconcile_pending_gifts
        from donations.services import get_donation

        started = self.client.post(f"/api/v1/campaigns/{campaign}/donations",
                                   json={"amount_cents": amount_cents, "monthly": True, "email": email, **DONOR})
        assert started.status_code == 201, started.json
        setup_id = started.json["client_secret"].split("_secret_")[0]
        browser = stripe.StripeClient("sk_test_browser", base_addresses={"api": self.localstripe})
        with self.app.app_context():  # Stripe.js acts on the organization's account, as the page sets it up
            account = get_donation(started.json["id"]).stripe_account_id
        card = browser.v1.setup_intents.confirm(setup_id, params={"payment_method": "pm_card_visa"},
                                                options={"stripe_account": account}).payment_method
        confirmed = self.client.post(f"/api/v1/donations/{started.json['id']}/confirm",
                                     json={"token": started.json["token"], "payment_method": card})
        assert confirmed.status_code == 200, confirmed.json
        with self.app.app_context():
            reconcile_pending_gifts(older_than_minutes=0)
            return get_donation(started.json["id"]).public_id

    def subscription(self, public_id):
        """The gift's subscription as localstripe has it (on the organization's connected account)."""
        from sqlalchemy import select

        from app.extensions import db
        from donations.models import Donation

        with self.app.app_context():
            subscription_id, account = db.session.execute(
                select(Donation.stripe_subscription_id, Donation.stripe_account_id)
                .where(Donation.public_id == public_id)).one()
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": self.localstripe})
        return client.v1.subscriptions.retrieve(subscription_id, options={"stripe_account": account})

    def mails_to(self, address):
        outbox = Path(self.app.config["OUTBOX_DIR"])
        found = []
        for path in sorted(set(outbox.glob("*.eml")) - self._earlier_mail):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == address:
                found.append(message)
        return found

    def sign_in_link(self, address):
        """The path of the latest sign-in link mailed to `address` (None if none was)."""
        mails = self.mails_to(address)
        if not mails:
            return None
        body = mails[-1].get_payload(decode=True).decode("utf-8")
        return re.search(r"https?://[^/\s]+(/espace-donateur/connexion/\S+)", body).group(1)

    def sign_in(self, client, address):
        """Ask for a link, follow it and press the button, as the donor does; returns the space's page."""
        page = client.get("/espace-donateur")
        client.post("/espace-donateur", data={"email": address, "csrf_token": csrf_from(page.text)})
        link = self.sign_in_link(address)
        assert link, f"no sign-in link mailed to {address}"
        opened = client.post(link, data={"csrf_token": csrf_from(client.get(link).text)})
        assert opened.status_code == 302 and opened.headers["Location"].endswith("/espace-donateur/mon-espace")
        return client.get("/espace-donateur/mon-espace")


@pytest.fixture
def donors(app, client, localstripe, actors):
    actors.organization("asso-test")
    return Donors(app, client, localstripe)
