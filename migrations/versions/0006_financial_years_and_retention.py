"""Organizations' financial years; retention of receipts and donors' data

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 11:20:00

"""


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
