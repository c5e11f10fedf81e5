"""What localstripe lacks of SEPA mandates: `mandate_data` on a SetupIntent's confirmation.

Stripe requires, when a server confirms a `sepa_debit` SetupIntent itself (not Stripe.js), the proof that
the payer accepted the mandate: `mandate_data[customer_acceptance]` with `type` "online" (and `online[ip_address]`,
`online[user_agent]`) or "offline" (https://docs.stripe.com/api/setup_intents/confirm). localstripe 1.15.10
refuses the parameter; the fake checks its shape, and the confirmed SetupIntent then names a `mandate`
id as Stripe's does. The mandate object itself (`/v1/mandates/{id}`) is not served.
`install(app)` is called by fakes/localstripe_server.py before it serves.
"""
import re

from localstripe import resources, server
from localstripe.errors import UserError

CONFIRM = re.compile(r"^/v1/setup_intents/(seti_\w+)/confirm$")


def _check(mandate_data):
    try:
        acceptance = mandate_data["customer_acceptance"]
        kind = acceptance["type"]
        assert kind in ("online", "offline")
        if kind == "online":
            online = acceptance["online"]
            assert isinstance(online["ip_address"], str) and isinstance(online["user_agent"], str)
    except (KeyError, TypeError, AssertionError):
        raise UserError(400, "Bad request: mandate_data[customer_acceptance] is incomplete") from None


def install(app=None):
    original = server.get_post_data
    if getattr(original, "takes_mandate_data", False):
        return

    async def get_post_data(request, remove_auth=True):
        data = await original(request, remove_auth=remove_auth)
        match = CONFIRM.match(request.path)
        # remove_auth=False is localstripe's own reading for the key, before the account is known.
        if remove_auth and data and match and "mandate_data" in data:
            _check(data.pop("mandate_data"))
            intent = resources.SetupIntent._api_retrieve(match.group(1))
            intent.mandate = "mandate_" + resources.random_id(24)
        return data

    get_post_data.takes_mandate_data = True
    server.get_post_data = get_post_data
