"""Session versions and idempotency keys bound to their request

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 11:40:00

"""


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
