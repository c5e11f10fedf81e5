"""Money on an account for localstripe: Stripe's fee on each card charge, disputes, and payouts that group
balance transactions, as https://docs.stripe.com/api/balance_transactions and /api/payouts describe them.

Test-only triggers (no key needed, like localstripe's other `/_config/` routes):
- `POST /_config/connect/accounts/{id}/payout`: pays out everything not yet paid out on that account
  (its available balance) as one automatic payout, whose transactions `GET /v1/balance_transactions
  ?payout=po_...` lists;
- `POST /_config/connect/accounts/{id}/disputes` `{"charge": "ch_..."}`: the cardholder's bank disputes
  the charge (`charge.dispute.created`); `.../disputes/{du}/close` `{"status": "won"|"lost"}` closes it.
"""
import asyncio
from decimal import ROUND_HALF_UP, Decimal

from localstripe import resources, server
from localstripe.errors import UserError

from fakes.connect import Account, acting_as, current_account

# Stripe's published pricing for businesses in the EEA, from 10 April 2023: standard EEA cards 1.5 % +
# 0.25 EUR per successful charge; a dispute costs 20 EUR (support.stripe.com, "Pricing updates for
# businesses based in the European Economic Area (EEA)"). Premium and non-EEA cards cost more: the fake
# treats every card as a standard EEA card. The launcher's --card-fee-bps and --card-fee-cents change it.
FEES = {"card_bps": 150, "card_cents": 25, "dispute_cents": 2000,
        # A SEPA Direct Debit: a fixed fee (stripe.com/fr/pricing shows 0,35 EUR; not re-checked here).
        "sepa_cents": 35}
# A SEPA debit stays `processing` for days at Stripe (up to 14 business days, docs.stripe.com/payments/
# sepa-debit); the fake settles it after this many seconds (--sepa-seconds), then succeeds or fails.
SEPA = {"seconds": 2.0}


def card_fee(amount):
    variable = (Decimal(amount) * FEES["card_bps"] / 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(variable) + FEES["card_cents"]


def _fee_details(fee, currency, description):
    return [{"amount": fee, "application": None, "currency": currency, "description": description,
             "type": "stripe_fee"}] if fee else []


def transaction(amount, type, source, category, fee=0, description=None):
    """A balance transaction of a kind localstripe's constructor refuses (payout, adjustment)."""
    txn = resources.BalanceTransaction.__new__(resources.BalanceTransaction)
    resources.StripeObject.__init__(txn)
    txn.amount, txn.currency, txn.description, txn.exchange_rate = amount, "eur", description, None
    txn.available_on, txn.status, txn.type, txn.reporting_category, txn.source = (
        txn.created, "available", type, category, source)
    txn.fee, txn.fee_details = fee, _fee_details(fee, "eur", "Stripe processing fees")
    txn._payout = None
    return txn


def _transaction_init(original):
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._payout = None
        if self.type == "charge" and self.amount > 0:
            self.fee = FEES["sepa_cents"] if _is_debit(self.source) else card_fee(self.amount)
            self.fee_details = _fee_details(self.fee, self.currency, "Stripe processing fees")
            platform_share = _application_fee_of(self.source)
            if platform_share:
                self.fee += platform_share
                self.fee_details.append({"amount": platform_share, "application": "ca_platform",
                                         "currency": self.currency, "description": "Application fee",
                                         "type": "application_fee"})
    return init


def _is_debit(charge_id):
    charge = resources.store.get(f"charge:{charge_id}")
    method = charge and resources.store.get(f"payment_method:{charge.payment_method}")
    return getattr(method, "type", None) == "sepa_debit"


def _initialize_charge(original):
    """localstripe marks an authorised SEPA debit succeeded at once; Stripe keeps it pending (its
    PaymentIntent `processing`) until the bank answers, then succeeds or fails it."""
    def initialize(self, on_success=None, on_failure_now=None, on_failure_later=None):
        if not (self._is_async_payment_method() and self.captured):
            return original(self, on_success, on_failure_now, on_failure_later)
        self.status = "pending"

        async def bank_answers():
            await asyncio.sleep(SEPA["seconds"])
            if not self._authorized:
                self._set_auth_failure()
                if on_failure_later:
                    on_failure_later()
                return
            txn = resources.BalanceTransaction(amount=self.amount, currency=self.currency, description=self.description,
                                               exchange_rate=1.0, reporting_category="charge", source=self.id,
                                               type="charge")
            self.balance_transaction, self.status = txn.id, "succeeded"
            if on_success:
                on_success()
        asyncio.ensure_future(bank_answers())
    return initialize


def _application_fee_of(charge_id):
    charge = resources.store.get(f"charge:{charge_id}")
    intent = charge and charge.payment_intent and resources.store.get(f"payment_intent:{charge.payment_intent}")
    return getattr(intent, "application_fee_amount", None) or 0


def _intent_init(original):
    """PaymentIntents take `application_fee_amount` on a connected account (the platform's share of a
    direct charge, added to the charge's balance transaction fee as Stripe does)."""
    def init(self, *args, application_fee_amount=None, **kwargs):
        fee = resources.try_convert_to_int(application_fee_amount)
        if fee is not None and (not isinstance(fee, int) or fee < 0):
            raise UserError(400, "Bad request")
        if fee and not current_account.get():
            raise UserError(400, "application_fee_amount is for a charge on a connected account")
        original(self, *args, **kwargs)
        self.application_fee_amount = fee
    return init


def _list_transactions(original):
    def list_all(cls, url, limit=None, starting_after=None, payout=None, type=None, source=None, **kwargs):
        found = original(url, limit=limit, starting_after=starting_after, **kwargs)
        found._list = [txn for txn in found._list
                       if (payout is None or getattr(txn, "_payout", None) == payout)
                       and (type is None or txn.type == type) and (source is None or txn.source == source)]
        return found
    return classmethod(list_all)


class Dispute(resources.StripeObject):
    object = "dispute"
    _id_prefix = "du_"

    def __init__(self, charge=None, reason="fraudulent", **kwargs):
        if kwargs or not isinstance(charge, str):
            raise UserError(400, "Bad request")
        disputed = resources.Charge._api_retrieve(charge)
        if disputed.status != "succeeded":
            raise UserError(400, "Only a succeeded charge can be disputed")
        super().__init__()
        self.charge, self.payment_intent = charge, disputed.payment_intent
        self.amount, self.currency, self.reason, self.status = disputed.amount, disputed.currency, reason, "needs_response"
        self.balance_transactions = [transaction(-self.amount, "adjustment", self.id, "dispute",
                                                 fee=FEES["dispute_cents"],
                                                 description=f"Chargeback withdrawal for {charge}")]
        resources.schedule_webhook(resources.Event("charge.dispute.created", self))

    def _close(self, status):
        if status not in ("won", "lost") or self.status in ("won", "lost"):
            raise UserError(400, "Bad request")
        self.status = status
        if status == "won":  # the amount comes back; the fake keeps the dispute fee
            self.balance_transactions.append(transaction(self.amount, "adjustment", self.id, "dispute_reversal",
                                                         description=f"Chargeback reversal for {self.charge}"))
        resources.schedule_webhook(resources.Event("charge.dispute.closed", self))

    @classmethod
    def _api_create(cls, **data):
        raise UserError(405, "Method Not Allowed")


async def pay_out(request):
    """Everything on the account not yet paid out, as one automatic payout (or 400 when nothing is due)."""
    with acting_as(_account(request)):
        due = [value for value in resources.store.values()
               if isinstance(value, resources.BalanceTransaction) and getattr(value, "_payout", None) is None
               and value.type != "payout"]
        net = sum(txn.net for txn in due)
        if net <= 0:
            raise UserError(400, "Nothing to pay out")
        payout = resources.Payout(amount=net, currency="eur", status="paid", description="STRIPE PAYOUT")
        payout.automatic = True
        own = transaction(-net, "payout", payout.id, "payout", description="STRIPE PAYOUT")
        payout.balance_transaction = own.id
        for txn in due + [own]:
            txn._payout = payout.id
        return server.json_response(payout._export())


async def open_dispute(request):
    data = await server.get_post_data(request) or {}
    with acting_as(_account(request)):
        return server.json_response(Dispute(**data)._export())


async def close_dispute(request):
    data = await server.get_post_data(request) or {}
    with acting_as(_account(request)):
        dispute = Dispute._api_retrieve(request.match_info["dispute"])
        dispute._close(data.get("status"))
        return server.json_response(dispute._export())


def _account(request):
    return Account._api_retrieve(request.match_info["id"]).id


def install(app):
    resources.BalanceTransaction.__init__ = _transaction_init(resources.BalanceTransaction.__init__)
    resources.PaymentIntent.__init__ = _intent_init(resources.PaymentIntent.__init__)
    resources.Charge._initialize_charge = _initialize_charge(resources.Charge._initialize_charge)
    resources.BalanceTransaction._api_list_all = _list_transactions(resources.BalanceTransaction._api_list_all)
    app.router.add_post("/_config/connect/accounts/{id}/payout", pay_out)
    app.router.add_post("/_config/connect/accounts/{id}/disputes", open_dispute)
    app.router.add_post("/_config/connect/accounts/{id}/disputes/{dispute}/close", close_dispute)
    app.router.add_get("/v1/disputes/{id}", server.api_retrieve(Dispute, "/v1/disputes/{id}"))
    app.router.add_get("/v1/disputes", server.api_list_all(Dispute, "/v1/disputes"))
