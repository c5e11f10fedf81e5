"""Partner payments, round-up payment modes and company receipts for partners and merchants

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ONE_SUBJECT = ("(CASE WHEN donation_id IS NULL THEN 0 ELSE 1 END)"
               " + (CASE WHEN contribution_id IS NULL THEN 0 ELSE 1 END)"
               " + (CASE WHEN partner_payment_id IS NULL THEN 0 ELSE 1 END)"
               " + (CASE WHEN settlement_line_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    op.create_table('partner_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('transfer', 'cheque', 'direct_debit', name='partnerpaymentmethod', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_partner_payments_amount_positive')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_partner_payments_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_payments_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_payments')),
    sa.UniqueConstraint('partner_id', 'reference', name='uq_partner_payments_reference')
    )
    with op.batch_alter_table('partner_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_payments_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_payments_partner_id'), ['partner_id'], unique=False)

    op.create_table('partner_payment_contributions',
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('contribution_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_partner_payment_contributions_amount_positive')),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_partner_payment_contributions_contribution_id_contributions')),
    sa.ForeignKeyConstraint(['payment_id'], ['partner_payments.id'], name=op.f('fk_partner_payment_contributions_payment_id_partner_payments')),
    sa.PrimaryKeyConstraint('payment_id', 'contribution_id', name=op.f('pk_partner_payment_contributions'))
    )
    with op.batch_alter_table('partner_payment_contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_payment_contributions_contribution_id'), ['contribution_id'], unique=False)

    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_cents', sa.BigInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_contributions_paid_range'),
                                         'paid_cents >= 0 AND paid_cents <= amount_cents')
    # Before this revision a grant was recorded as money received and receipted from its queue row:
    # a grant whose row was processed (receipted, or refused a receipt) counts as paid, so no payment
    # receipts it again. A grant whose row still waited (an all-or-nothing campaign) is receipted the
    # new way, when the partner's payment is recorded: its row is closed saying so.
    op.execute("UPDATE contributions SET paid_cents = amount_cents - reversed_cents WHERE source = 'grant'"
               " AND id NOT IN (SELECT contribution_id FROM receipt_requests"
               " WHERE contribution_id IS NOT NULL AND processed_at IS NULL)")
    op.execute("UPDATE receipt_requests SET processed_at = CURRENT_TIMESTAMP,"
               " outcome = 'receipted when the partner''s payment is recorded'"
               " WHERE contribution_id IS NOT NULL AND processed_at IS NULL")

    with op.batch_alter_table('roundups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_method', sa.Enum('card', 'cash', name='rounduppaymentmethod', native_enum=False, create_constraint=True, length=10), server_default='card', nullable=False))

    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_cents', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_settlement_lines_match_not_negative'), 'match_cents >= 0')

    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('period_end', sa.Date(), nullable=True))

    with op.batch_alter_table('receipt_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_payment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('settlement_line_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('waiting_for_partner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_receipt_requests_partner_payment_id'), ['partner_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipt_requests_settlement_line_id'), ['settlement_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipt_requests_waiting_for_partner_id'), ['waiting_for_partner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_receipt_requests_partner_payment_id_partner_payments'),
                                    'partner_payments', ['partner_payment_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_receipt_requests_settlement_line_id_settlement_lines'),
                                    'settlement_lines', ['settlement_line_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_receipt_requests_one_subject'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_receipt_requests_one_subject'), ONE_SUBJECT)


def downgrade():
    op.execute("DELETE FROM receipt_requests WHERE partner_payment_id IS NOT NULL OR settlement_line_id IS NOT NULL")
    with op.batch_alter_table('receipt_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_receipt_requests_one_subject'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_receipt_requests_one_subject'),
                                         '(donation_id IS NULL) <> (contribution_id IS NULL)')
        batch_op.drop_constraint(batch_op.f('fk_receipt_requests_settlement_line_id_settlement_lines'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_receipt_requests_partner_payment_id_partner_payments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_receipt_requests_waiting_for_partner_id'))
        batch_op.drop_index(batch_op.f('ix_receipt_requests_settlement_line_id'))
        batch_op.drop_index(batch_op.f('ix_receipt_requests_partner_payment_id'))
        batch_op.drop_column('waiting_for_partner_id')
        batch_op.drop_column('settlement_line_id')
        batch_op.drop_column('partner_payment_id')

    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_column('period_end')
        batch_op.drop_column('period_start')

    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_settlement_lines_match_not_negative'), type_='check')
        batch_op.drop_column('match_cents')

    with op.batch_alter_table('roundups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_roundups_rounduppaymentmethod'), type_='check')
        batch_op.drop_column('payment_method')

    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contributions_paid_range'), type_='check')
        batch_op.drop_column('paid_cents')

    with op.batch_alter_table('partner_payment_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_payment_contributions_contribution_id'))
    op.drop_table('partner_payment_contributions')

    with op.batch_alter_table('partner_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_payments_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_partner_payments_partner_id'))
    op.drop_table('partner_payments')
