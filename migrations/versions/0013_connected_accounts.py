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
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('charges_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('payouts_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('details_submitted', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_organizations_stripe_account_id'), ['stripe_account_id'])
    # The connected account a gift was charged on: refunds, disputes and reconciliation act there.
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_column('stripe_account_id')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_organizations_stripe_account_id'), type_='unique')
        batch_op.drop_column('details_submitted')
        batch_op.drop_column('payouts_enabled')
        batch_op.drop_column('charges_enabled')
        batch_op.drop_column('stripe_account_id')
