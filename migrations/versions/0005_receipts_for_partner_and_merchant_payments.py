"""Partner payments, round-up payment modes and company receipts for partners and merchants

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:20:00

"""


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
