"""Stripe connected accounts of organizations

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
