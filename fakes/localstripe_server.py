"""Run localstripe (the fake Stripe server) on loopback, with a data file of our own choosing, and with
Stripe Connect, fees, payouts and disputes added (fakes/connect.py, fakes/balance.py).

localstripe's own entry point listens on every interface and pickles its store to one fixed file in
the system temp folder, which parallel runs would share. `make run` and the tests start it through
this module instead:

    python -m fakes.localstripe_server --port 8420 [--data instance/localstripe.pickle]

Without --data the store lives in memory only.
"""
import argparse
import logging
import os
import pickle
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("STRIPE_PORT", "8420")))
    parser.add_argument("--data", help="file where the store is kept between runs")
    parser.add_argument("--card-fee-bps", type=int, help="Stripe's fee on a card charge, in basis points")
    parser.add_argument("--card-fee-cents", type=int, help="Stripe's fixed fee on a card charge, in cents")
    parser.add_argument("--sepa-seconds", type=float, help="how long a SEPA debit stays processing (default 2)")
    args = parser.parse_args(argv)

    from aiohttp import web
    from localstripe import resources, server

    from fakes import balance, connect, mandates, subscriptions

    connect.install(server.app)
    balance.install(server.app)
    subscriptions.install(server.app)
    mandates.install(server.app)  # after connect: it wraps connect's reading of the request
    if args.card_fee_bps is not None:
        balance.FEES["card_bps"] = args.card_fee_bps
    if args.card_fee_cents is not None:
        balance.FEES["card_cents"] = args.card_fee_cents
    if args.sepa_seconds is not None:
        balance.SEPA["seconds"] = args.sepa_seconds

    data = Path(args.data) if args.data else None

    def load(store):
        if data and data.exists():
            with data.open("rb") as handle:
                store.clear()
                dict.update(store, pickle.load(handle))

    def dump(store):
        if data:
            partial = data.with_suffix(".tmp")
            with partial.open("wb") as handle:
                pickle.dump(dict(dict.items(store)), handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(data)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    resources.store.try_load_from_disk()
    logging.basicConfig(level=logging.WARNING)
    print(f"localstripe listening on http://{args.host}:{args.port}", flush=True)
    web.run_app(server.app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
