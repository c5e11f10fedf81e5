"""French HTML pages of the territory's campaigns."""
from flask import Blueprint, render_template

bp = Blueprint("campaign_pages", __name__, template_folder="templates")


def home():
    return render_template("campaigns/home.html")


def init_app(app):
    app.add_url_rule("/", "home", home)
    app.register_blueprint(bp)
