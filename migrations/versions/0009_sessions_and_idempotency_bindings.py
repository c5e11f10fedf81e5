"""Session versions and idempotency keys bound to their request

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Each signed-in session carries its user's version: a new password or a deactivation bumps it.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    # The SHA-256 of the request that used a gift's Idempotency-Key: another body with the key is a 409.
    # Gifts made before keep NULL: a replay of their key is refused rather than trusted blindly.
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_fingerprint', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_column('idempotency_fingerprint')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
