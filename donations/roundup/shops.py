"""The public page of the shops that offer the round-up (/commerces): a plain list, no map script."""
from flask import Blueprint, render_template, request

from donations.roundup.services.directory import public_shops, shop_cities

bp = Blueprint("shops", __name__, template_folder="templates")


@bp.get("/commerces")
def index():
    asked = request.args.get("commune", "").strip()[:120].lower()
    cities = shop_cities()
    # The commune as the shops write it; one that has no shop is ignored rather than listing nothing.
    city = next((name for name in cities if name.lower() == asked), "") if asked else ""
    return render_template("roundup/shops.html", shops=public_shops(city or None), cities=cities, city=city)


def init_app(app):
    app.register_blueprint(bp)
