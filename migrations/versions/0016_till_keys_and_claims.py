"""Till keys and customers' claims of round-ups

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 13:30:00

A merchant key gets a kind: `api` (every key so far) or `till` (a device at the counter). Customers'
claims need no table: a claim link is signed and dated, and works once because claiming fills the
round-up's `donor_email` only while it is empty.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('merchant_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('api', 'till', name='merchantkeykind', native_enum=False,
                                                      create_constraint=True, length=10),
                                      server_default='api', nullable=False))


def downgrade():
    with op.batch_alter_table('merchant_keys', schema=None) as batch_op:
        # The enum's CHECK names the column: on SQLite the rebuilt table would keep it otherwise.
        batch_op.drop_constraint(batch_op.f('ck_merchant_keys_merchantkeykind'), type_='check')
        batch_op.drop_column('kind')
