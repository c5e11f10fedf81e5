"""Revision 0003 moves the bearer keys of 0002 to one scheme: every key issued before still opens the API."""
import hashlib
import hmac

from flask_migrate import upgrade
from sqlalchemy import JSON, column, select, table

from app import create_app
from app.extensions import db
from app.types import UTCDateTime, utcnow
from donations.roundup import hotpath

STAFF_TOKEN = "sol_" + "s" * 43
MERCHANT_KEY = "mk_" + "m" * 43


def insert_keys_as_0002_did(pepper):
    """An administrator with a staff token and a shop with a checkout key, hashed the way 0002's code did."""
    now = utcnow()
    users = table("users", column("id"), column("email"), column("name"), column("role"), column("active"),
                  column("created_at", UTCDateTime()))
    api_tokens = table("api_tokens", column("user_id"), column("token_hash"), column("prefix"), column("label"),
                       column("created_at", UTCDateTime()))
    merchants = table("merchants", *(column(name) for name in (
        "id", "slug", "name", "siret", "address_line1", "postal_code", "city", "email", "rounding_step_cents",
        "round_exact_baskets", "match_ratio_percent", "active", "rule_version")),
        column("top_ups_cents", JSON()), column("created_at", UTCDateTime()))
    merchant_keys = table("merchant_keys", column("merchant_id"), column("key_hash"), column("prefix"),
                          column("label"), column("created_at", UTCDateTime()))
    with db.engine.begin() as connection:
        connection.execute(users.insert().values(id=1, email="admin@sceaux.example", name="", role="admin",
                                                 active=True, created_at=now))
        connection.execute(api_tokens.insert().values(
            user_id=1, token_hash=hashlib.sha256(STAFF_TOKEN.encode()).hexdigest(),
            prefix=STAFF_TOKEN[:12], label="", created_at=now))
        connection.execute(merchants.insert().values(
            id=1, slug="boulangerie", name="Boulangerie", siret="73282932000074", address_line1="10 rue Houdan",
            postal_code="92330", city="Sceaux", email="", rounding_step_cents=100, round_exact_baskets=False,
            top_ups_cents=[], match_ratio_percent=0, active=True, rule_version=1, created_at=now))
        connection.execute(merchant_keys.insert().values(
            merchant_id=1, key_hash=hmac.new(pepper.encode(), MERCHANT_KEY.encode(), hashlib.sha256).hexdigest(),
            prefix=MERCHANT_KEY[:10], label="caisse", created_at=now))


def test_staff_tokens_and_merchant_keys_issued_before_0003_still_authenticate(base_config, empty_database_url):
    from app.auth.models import KEYED_HASH, ApiToken

    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0002")
        # 0002's merchant keys were peppered with ROUNDUP_KEY_PEPPER, else the SECRET_KEY (as here).
        insert_keys_as_0002_did(base_config["SECRET_KEY"])
        upgrade()
    client = app.test_client()
    staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    shop = {"Authorization": f"Bearer {MERCHANT_KEY}"}
    try:
        assert client.get("/api/v1/organizations", headers=staff).status_code == 200
        with app.app_context():
            # Used once, the token is kept as the keyed hash like any token issued today...
            row = db.session.scalar(select(ApiToken))
            assert row.hash_version == KEYED_HASH
            assert row.key_hash == hmac.new(b"test-secret", STAFF_TOKEN.encode(), hashlib.sha256).hexdigest()
        # ...and keeps working.
        assert client.get("/api/v1/organizations", headers=staff).status_code == 200

        quote = client.post("/api/v1/roundups/quote", json={"basket_cents": 1230}, headers=shop)
        assert quote.status_code == 200 and quote.json["roundup_cents"] == 70
        recorded = client.post("/api/v1/roundups", headers=shop,
                               json={"external_id": "T1", "basket_cents": 1230, "roundup_cents": 70})
        assert recorded.status_code == 201, recorded.json
        keys = client.get("/api/v1/merchants/boulangerie/keys", headers=staff).json
        assert [(k["prefix"], k["label"]) for k in keys] == [(MERCHANT_KEY[:10], "caisse")]

        forged = {"Authorization": "Bearer sol_" + "x" * 43}
        assert client.get("/api/v1/organizations", headers=forged).status_code == 401
    finally:
        with app.app_context():
            db.session.remove()
            hotpath.dispose(app)
            db.engine.dispose()
