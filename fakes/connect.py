"""Stripe Connect for localstripe: the smallest faithful subset of Stripe's documented API.

localstripe 1.15.10 has no Connect. This adds, following https://docs.stripe.com/connect:
- `POST/GET /v1/accounts`, `GET/POST /v1/accounts/{id}`, `GET /v1/account` and `POST /v1/account_links`;
- objects scoped by the `Stripe-Account` header (or Stripe.js's `_stripe_account` parameter): whatever is
  created with it belongs to that account and is seen only with it; without it, only the platform's;
- events of a connected account carry `"account": "acct_..."` and go to the Connect webhooks
  (`POST /_config/connect/webhooks/{id}`, same body as localstripe's `/_config/webhooks/{id}`), the
  platform's own events to localstripe's webhooks;
- `account.updated` when onboarding completes: visiting an account link's URL completes it (every flag
  on) and redirects to its `return_url`; `POST /_config/connect/accounts/{id}` sets the flags one by one
  (test-only).

The store stays localstripe's one dict: a connected account's keys are prefixed by its id, so every
lookup, list and pickle of localstripe goes through the account of the request without knowing it.
Tasks that localstripe schedules (webhook delivery, SEPA debits) keep the account of the request that
scheduled them, because asyncio copies the context variable into them.
"""
import asyncio
import contextvars
import hashlib
import hmac
import json
import logging
import secrets
import time
from contextlib import contextmanager

import aiohttp
from aiohttp import web
from localstripe import resources, server, webhooks
from localstripe.errors import UserError

log = logging.getLogger("aiohttp.access")
current_account = contextvars.ContextVar("stripe_account", default=None)
CONNECT_WEBHOOKS = {}
STRIPE_JS = None
LINK_LIFETIME_SECONDS = 300  # Stripe: an account link expires a few minutes after it is created


@contextmanager
def platform():
    """Act as the platform (accounts and links live there) whatever the request's account."""
    token = current_account.set(None)
    try:
        yield
    finally:
        current_account.reset(token)


class ScopedStore(resources.Store):
    """localstripe's store, each connected account's objects under keys prefixed by its id."""

    def _key(self, key):
        account = current_account.get()
        return f"{account}/{key}" if account else key

    def _scoped(self):
        account = current_account.get()
        prefix = f"{account}/" if account else None
        for key, value in list(dict.items(self)):
            if prefix is None and "/" not in key:
                yield key, value
            elif prefix is not None and key.startswith(prefix):
                yield key[len(prefix):], value

    def __getitem__(self, key):
        return dict.__getitem__(self, self._key(key))

    def __setitem__(self, key, value):
        dict.__setitem__(self, self._key(key), value)
        self.dump_to_disk()

    def __delitem__(self, key):
        dict.__delitem__(self, self._key(key))
        self.dump_to_disk()

    def __contains__(self, key):
        return dict.__contains__(self, self._key(key))

    def get(self, key, default=None):
        return dict.get(self, self._key(key), default)

    def keys(self):
        return [key for key, _ in self._scoped()]

    def items(self):
        return list(self._scoped())

    def values(self):
        return [value for _, value in self._scoped()]


class Account(resources.StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(self, type="standard", country="FR", email=None, business_type=None, business_profile=None,
                 metadata=None, default_currency="eur", **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        if type not in ("standard", "express", "custom") or not isinstance(country, str) or len(country) != 2:
            raise UserError(400, "Bad request")
        if current_account.get():
            raise UserError(403, "Only a platform can create connected accounts")
        super().__init__()
        self.type = type
        self.country = country.upper()
        self.email = email
        self.business_type = business_type
        self.business_profile = business_profile or {}
        self.metadata = metadata or {}
        self.default_currency = default_currency
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False

    @property
    def requirements(self):
        due = [] if self.details_submitted else ["business_profile.url", "external_account", "tos_acceptance.date"]
        return {"currently_due": due, "eventually_due": due, "past_due": [], "disabled_reason":
                None if self.charges_enabled else "requirements.past_due"}

    def _set_flags(self, **flags):
        for name, value in flags.items():
            setattr(self, name, bool(value))
        with acting_as(self.id):  # the event is the connected account's own, delivered to Connect endpoints
            resources.schedule_webhook(resources.Event("account.updated", self))

    # Accounts are the platform's objects, whichever account the request names.
    @classmethod
    def _api_retrieve(cls, id):
        with platform():
            return super()._api_retrieve(id)

    @classmethod
    def _api_list_all(cls, url, limit=None, starting_after=None, **kwargs):
        with platform():
            return super()._api_list_all(url, limit=limit, starting_after=starting_after, **kwargs)

    @classmethod
    def _api_delete(cls, id):
        raise UserError(405, "Method Not Allowed")


@contextmanager
def acting_as(account_id):
    token = current_account.set(account_id)
    try:
        yield
    finally:
        current_account.reset(token)


class AccountLink(resources.StripeObject):
    """Single use: its URL completes onboarding once, then sends to `refresh_url`."""
    object = "account_link"
    _id_prefix = "acctlink_"

    def __init__(self, account=None, refresh_url=None, return_url=None, type=None, collect=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        if type not in ("account_onboarding", "account_update") or not all(
                isinstance(url, str) and url.startswith("http") for url in (refresh_url, return_url)):
            raise UserError(400, "Bad request")
        Account._api_retrieve(account)  # 404 when unknown
        with platform():
            super().__init__()
        self.account = account
        self.expires_at = self.created + LINK_LIFETIME_SECONDS
        self._return_url, self._refresh_url, self._used = return_url, refresh_url, False
        self._token = secrets.token_urlsafe(16)
        self.url = f"{_base_url.get()}/_config/connect/onboarding/{self.id}/{self._token}"


_base_url = contextvars.ContextVar("base_url", default="http://127.0.0.1")


def _event_init(original):
    def init(self, type, data):
        original(self, type, data)
        if current_account.get():
            self.account = current_account.get()
    return init


def schedule_webhook(event):
    asyncio.ensure_future(_deliver(event))


async def _deliver(event):
    """localstripe's delivery (one attempt after about a second), to the endpoints of the event's side."""
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode("utf-8")
    await asyncio.sleep(1)
    endpoints = CONNECT_WEBHOOKS if getattr(event, "account", None) else webhooks._webhooks
    for endpoint in list(endpoints.values()):
        if endpoint.events is not None and event.type not in endpoint.events:
            continue
        signature = hmac.new(endpoint.secret.encode("utf-8"), b"%d.%s" % (event.created, payload),
                             hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "Stripe-Signature": f"t={event.created},v1={signature}"}
        try:
            async with aiohttp.ClientSession() as session, \
                    session.post(endpoint.url, data=payload, headers=headers) as response:
                log.info("webhook %s to %s: %d", event.type, endpoint.url, response.status)
        except aiohttp.ClientError as error:
            log.info("webhook %s to %s failed: %s", event.type, endpoint.url, error)


_original_get_post_data = server.get_post_data


async def get_post_data(request, remove_auth=True):
    data = await _original_get_post_data(request, remove_auth=remove_auth)
    if data and remove_auth:
        data.pop("_stripe_account", None)
    return data


def stripe_js():
    """localstripe's stand-in for Stripe.js, taught `Stripe(key, {stripeAccount})` as Stripe.js has it:
    each request it makes then names the account (`_stripe_account`, as Stripe.js sends it)."""
    with open(resources.__file__.rsplit("/", 1)[0] + "/localstripe-v3.js") as handle:
        text = handle.read()
    for old, new in (("Stripe = (apiKey) => {", ("Stripe = (apiKey, stripeOptions) => {\n"
                                                "  const stripeAccount = (stripeOptions || {}).stripeAccount;")),
                     ("key: apiKey,", "key: apiKey, _stripe_account: stripeAccount,"),
                     ("body.push('key=' + apiKey);", ("body.push('key=' + apiKey);\n"
                                                      "      if (stripeAccount) body.push('_stripe_account=' + "
                                                      "stripeAccount);"))):
        if old not in text:
            raise RuntimeError(f"localstripe-v3.js changed: {old!r} not found")
        text = text.replace(old, new)
    return text


@web.middleware
async def account_middleware(request, handler):
    """The account a request acts for: the `Stripe-Account` header, or Stripe.js's `_stripe_account`."""
    if request.path == "/js.stripe.com/v3/":
        return web.Response(text=STRIPE_JS, content_type="application/javascript")
    account = request.headers.get("Stripe-Account")
    if not account and request.method == "POST" and not request.path.startswith("/_config/"):
        data = await _original_get_post_data(request, remove_auth=False)
        account = (data or {}).get("_stripe_account") or None
    if account:
        try:
            Account._api_retrieve(account)
        except UserError:
            raise UserError(403, f"The provided key does not have access to account '{account}' "
                                 "(or that account does not exist).", {"code": "account_invalid"}) from None
    token, base = current_account.set(account), _base_url.set(f"{request.scheme}://{request.host}")
    try:
        return await handler(request)
    finally:
        current_account.reset(token)
        _base_url.reset(base)


def retrieve_own_account(**_):
    account = current_account.get()
    if not account:
        raise UserError(400, "The platform's own account is not modelled: name a connected account")
    return Account._api_retrieve(account)


async def complete_onboarding(request):
    with platform():
        link = AccountLink._api_retrieve(request.match_info["id"])
    if link._used or time.time() > link.expires_at or not secrets.compare_digest(link._token,
                                                                                  request.match_info["token"]):
        raise web.HTTPFound(link._refresh_url)
    link._used = True
    Account._api_retrieve(link.account)._set_flags(details_submitted=True, charges_enabled=True,
                                                   payouts_enabled=True)
    raise web.HTTPFound(link._return_url)


async def set_account_flags(request):
    data = await _original_get_post_data(request) or {}
    flags = {name: resources.try_convert_to_bool(data[name]) for name in
             ("charges_enabled", "payouts_enabled", "details_submitted") if name in data}
    if not flags or not all(isinstance(value, bool) for value in flags.values()):
        raise UserError(400, "Bad request")
    account = Account._api_retrieve(request.match_info["id"])
    account._set_flags(**flags)
    return server.json_response(account._export())


async def config_connect_webhook(request):
    data = await _original_get_post_data(request) or {}
    url, secret, events = data.get("url"), data.get("secret"), data.get("events")
    if not url or not secret or not url.startswith("http") or (events is not None and not isinstance(events, list)):
        raise UserError(400, "Bad request")
    CONNECT_WEBHOOKS[request.match_info["id"]] = webhooks.Webhook(url, secret, events)
    return web.Response()


def install(app):
    """Hook Connect into localstripe's server (before it starts)."""
    resources.store.__class__ = ScopedStore
    resources.Event.__init__ = _event_init(resources.Event.__init__)
    resources.schedule_webhook = schedule_webhook
    server.get_post_data = get_post_data
    global STRIPE_JS
    STRIPE_JS = stripe_js()
    app.middlewares.append(account_middleware)
    app.router.add_post("/_config/connect/webhooks/{id}", config_connect_webhook)
    app.router.add_post("/_config/connect/accounts/{id}", set_account_flags)
    app.router.add_get("/_config/connect/onboarding/{id}/{token}", complete_onboarding)
    app.router.add_get("/v1/account", server.api_extra(retrieve_own_account, "/v1/account"))
    for method, url, make in (("POST", "/v1/accounts", server.api_create),
                              ("GET", "/v1/accounts/{id}", server.api_retrieve),
                              ("POST", "/v1/accounts/{id}", server.api_update),
                              ("GET", "/v1/accounts", server.api_list_all)):
        app.router.add_route(method, url, make(Account, url))
    app.router.add_post("/v1/account_links", server.api_create(AccountLink, "/v1/account_links"))
