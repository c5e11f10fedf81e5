"""One bearer-key table for staff API tokens and merchant keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 11:15:00

"""


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
