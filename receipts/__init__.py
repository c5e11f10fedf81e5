"""Tax receipts: numbering, PDFs, annual receipts, verification, exports and article 222 bis figures."""


def init_app(app):
    from app.demo import register_loader
    from campaigns.signals import campaign_failed, campaign_succeeded
    from donations.signals import gift_refunded, gift_succeeded
    from receipts import cli, demo, jobs, models, pages, summaries, views  # noqa: F401  (models: for create_all)

    views.init_app(app)
    pages.init_app(app)
    app.cli.add_command(cli.receipts_cli)
    jobs.register(app)
    summaries.init_app(app)
    register_loader(app, 50, demo.load_receipts)

    # Receivers run in the sender's transaction: they only write queue rows. The signals are
    # process-wide, so connecting once is enough however many apps a process creates.
    gift_succeeded.connect(_on_gift_succeeded, weak=False)
    gift_refunded.connect(_on_gift_refunded, weak=False)
    campaign_succeeded.connect(_on_campaign_succeeded, weak=False)
    campaign_failed.connect(_on_campaign_failed, weak=False)


def _on_gift_succeeded(donation, **_):
    from receipts.services.gifts import queue_gift

    queue_gift(donation)


def _on_gift_refunded(donation, refunded_cents=0, remaining_cents=0, **_):
    from receipts.services.gifts import queue_refund

    queue_refund(donation, remaining_cents)


def _on_campaign_succeeded(campaign, **_):
    from receipts.services.gifts import release_campaign

    release_campaign(campaign)


def _on_campaign_failed(campaign, **_):
    from receipts.services.gifts import drop_campaign

    drop_campaign(campaign)
