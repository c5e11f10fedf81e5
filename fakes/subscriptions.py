"""What localstripe lacks of Stripe's subscription updates: `proration_behavior`.

localstripe 1.15.10 knows only the older `prorate` parameter (any other makes it answer 500) and always
credits the "unused time" of the old plan. Stripe's current API takes `proration_behavior`
(https://docs.stripe.com/api/subscriptions/update); with "none" the subscription moves onto its new
plan and nothing is credited nor charged until the next period: the donor space changes a monthly
gift's amount that way. `install(app)` is called by fakes/localstripe_server.py before it serves.
"""
from localstripe import resources

BEHAVIORS = (None, "none", "create_prorations", "always_invoice")


def install(app=None):
    update = resources.Subscription._update
    if getattr(update, "accepts_proration_behavior", False):
        return

    def _update(self, *args, proration_behavior=None, **kwargs):
        if proration_behavior not in BEHAVIORS:
            raise resources.UserError(400, "Bad request")
        before = set(dict.keys(resources.store))
        result = update(self, *args, **kwargs)
        if proration_behavior == "none":
            for key in set(dict.keys(resources.store)) - before:
                item = dict.__getitem__(resources.store, key)
                if isinstance(item, resources.InvoiceItem) and item.proration:
                    dict.__delitem__(resources.store, key)
        return result

    _update.accepts_proration_behavior = True
    resources.Subscription._update = _update
