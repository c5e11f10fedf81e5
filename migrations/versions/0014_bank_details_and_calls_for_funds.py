"""Bank details, payment references and partners' calls for funds

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 13:30:00

"""
from datetime import timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TERRITORY = ZoneInfo("Europe/Paris")


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_iban', sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column('bank_bic', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('bank_account_holder', sa.String(length=70), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_organizations_bank_details_whole'), '(bank_iban IS NULL) = (bank_account_holder IS NULL)')
        batch_op.create_check_constraint(
            op.f('ck_organizations_bic_with_iban'), 'bank_bic IS NULL OR bank_iban IS NOT NULL')

    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('paid_at', app.types.UTCDateTime(timezone=True), nullable=True))
    # A statement already paid had all its lines paid the day it was marked (in the territory's calendar).
    connection = op.get_bind()
    lines = sa.table('settlement_lines', sa.column('id'), sa.column('settlement_id'), sa.column('paid_on', sa.Date()),
                     sa.column('paid_at', app.types.UTCDateTime(timezone=True)))
    settlements = sa.table('settlements', sa.column('id'), sa.column('status'),
                           sa.column('paid_at', app.types.UTCDateTime(timezone=True)))
    for settlement_id, paid_at in connection.execute(
            sa.select(settlements.c.id, settlements.c.paid_at).where(settlements.c.status == 'paid',
                                                                     settlements.c.paid_at.is_not(None))).all():
        if paid_at.tzinfo is None:
            paid_at = paid_at.replace(tzinfo=timezone.utc)
        connection.execute(sa.update(lines).where(lines.c.settlement_id == settlement_id).values(
            paid_at=paid_at, paid_on=paid_at.astimezone(TERRITORY).date()))
    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_settlement_lines_paid_whole'), '(paid_on IS NULL) = (paid_at IS NULL)')

    op.create_table('calls_for_funds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('earlier_cents', sa.BigInteger(), nullable=False),
    sa.Column('month_cents', sa.BigInteger(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('issued_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_cents = earlier_cents + month_cents AND amount_cents > 0',
                       name=op.f('ck_calls_for_funds_amount_adds_up')),
    sa.CheckConstraint('earlier_cents >= 0 AND month_cents >= 0', name=op.f('ck_calls_for_funds_parts_not_negative')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_calls_for_funds_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_calls_for_funds_partner_id_partners')),
    sa.ForeignKeyConstraint(['payment_id'], ['partner_payments.id'],
                            name=op.f('fk_calls_for_funds_payment_id_partner_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls_for_funds')),
    sa.UniqueConstraint('partner_id', 'campaign_id', 'month', name='uq_calls_for_funds_month'),
    sa.UniqueConstraint('payment_id', name=op.f('uq_calls_for_funds_payment_id'))
    )
    with op.batch_alter_table('calls_for_funds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_for_funds_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_for_funds_partner_id'), ['partner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('calls_for_funds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_for_funds_partner_id'))
        batch_op.drop_index(batch_op.f('ix_calls_for_funds_campaign_id'))
    op.drop_table('calls_for_funds')
    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_settlement_lines_paid_whole'), type_='check')
        batch_op.drop_column('paid_at')
        batch_op.drop_column('paid_on')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organizations_bic_with_iban'), type_='check')
        batch_op.drop_constraint(op.f('ck_organizations_bank_details_whole'), type_='check')
        batch_op.drop_column('bank_account_holder')
        batch_op.drop_column('bank_bic')
        batch_op.drop_column('bank_iban')
