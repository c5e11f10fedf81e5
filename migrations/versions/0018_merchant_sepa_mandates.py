"""Merchants' SEPA Direct Debit mandates for their statements

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 14:30:00

A merchant signs, per beneficiary organization, a SEPA Direct Debit mandate kept at Stripe on the
organization's account (`merchant_mandates`: its ids, the acceptance, the IBAN's last four digits; one
active per merchant and organization). Each statement is then debited once per organization
(`statement_debits`, one per statement and organization: processing, succeeded or failed).
"""
import sqlalchemy as sa
from alembic import op

import app.types

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'merchant_mandates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('stripe_account_id', sa.String(length=255), nullable=False),
        sa.Column('stripe_customer_id', sa.String(length=255), nullable=False),
        sa.Column('stripe_payment_method_id', sa.String(length=255), nullable=False),
        sa.Column('stripe_setup_intent_id', sa.String(length=255), nullable=False),
        sa.Column('mandate_reference', sa.String(length=100), nullable=False),
        sa.Column('stripe_mandate_id', sa.String(length=255), nullable=True),
        sa.Column('account_holder', sa.String(length=70), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('iban_last4', sa.String(length=4), nullable=False),
        sa.Column('accepted_at', app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('accepted_ip', sa.String(length=45), nullable=False),
        sa.Column('revoked_at', app.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('length(iban_last4) = 4', name=op.f('ck_merchant_mandates_last4')),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'],
                                name=op.f('fk_merchant_mandates_merchant_id_merchants'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_merchant_mandates_organization_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_mandates')),
        sa.UniqueConstraint('stripe_setup_intent_id', name=op.f('uq_merchant_mandates_stripe_setup_intent_id')),
    )
    with op.batch_alter_table('merchant_mandates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merchant_mandates_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merchant_mandates_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_merchant_mandates_active', ['merchant_id', 'organization_id'], unique=True,
                              postgresql_where=sa.text('revoked_at IS NULL'),
                              sqlite_where=sa.text('revoked_at IS NULL'))

    op.create_table(
        'statement_debits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('settlement_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('mandate_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('stripe_payment_intent_id', sa.String(length=255), nullable=True),
        sa.Column('status', sa.Enum('processing', 'succeeded', 'failed', name='debitstatus', native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column('failure_reason', sa.String(length=300), nullable=True),
        sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('settled_at', app.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint('amount_cents > 0', name=op.f('ck_statement_debits_amount_positive')),
        sa.CheckConstraint("(status = 'failed') = (failure_reason IS NOT NULL)",
                           name=op.f('ck_statement_debits_failed_has_reason')),
        sa.CheckConstraint("(status = 'processing') = (settled_at IS NULL)",
                           name=op.f('ck_statement_debits_settled_when_answered')),
        sa.ForeignKeyConstraint(['settlement_id'], ['settlements.id'],
                                name=op.f('fk_statement_debits_settlement_id_settlements'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_statement_debits_organization_id_organizations')),
        sa.ForeignKeyConstraint(['mandate_id'], ['merchant_mandates.id'],
                                name=op.f('fk_statement_debits_mandate_id_merchant_mandates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_debits')),
        sa.UniqueConstraint('settlement_id', 'organization_id',
                            name=op.f('uq_statement_debits_settlement_id_organization_id')),
        sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_statement_debits_stripe_payment_intent_id')),
    )
    with op.batch_alter_table('statement_debits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_debits_settlement_id'), ['settlement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_debits_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_debits_mandate_id'), ['mandate_id'], unique=False)


def downgrade():
    op.drop_table('statement_debits')
    op.drop_table('merchant_mandates')
