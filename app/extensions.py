"""Extension singletons, bound to an application by `init_app` in the factory."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect, FlaskForm
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.api import ProblemApi

# Named constraints so that Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = ProblemApi()
csrf = CSRFProtect()
# Every form of the project is a FlaskForm: a message WTForms writes itself reads in French.
FlaskForm.Meta.locales = ("fr_FR", "fr")
