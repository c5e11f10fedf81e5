"""Merchant applications

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 13:30:00

Shops apply to join the round-up from /devenir-commercant; the town approves (the merchant is then
created) or refuses with a reason. One application waits per SIRET.
"""
import sqlalchemy as sa
from alembic import op

import app.types

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

STATUSES = ('pending', 'approved', 'refused')


def upgrade():
    op.create_table(
        'merchant_applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum(*STATUSES, name='applicationstatus', native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('siret', sa.String(length=14), nullable=False),
        sa.Column('address_line1', sa.String(length=200), nullable=False),
        sa.Column('postal_code', sa.String(length=10), nullable=False),
        sa.Column('city', sa.String(length=120), nullable=False),
        sa.Column('contact_name', sa.String(length=200), nullable=False),
        sa.Column('contact_email', sa.String(length=254), nullable=False),
        sa.Column('contact_phone', sa.String(length=20), nullable=False),
        sa.Column('rounding_step_cents', sa.Integer(), nullable=False),
        sa.Column('round_exact_baskets', sa.Boolean(), nullable=False),
        sa.Column('top_ups_cents', sa.JSON(), nullable=False),
        sa.Column('max_roundup_cents', sa.Integer(), nullable=True),
        sa.Column('charter_text', sa.Text(), nullable=False),
        sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_at', app.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('rounding_step_cents > 0 AND rounding_step_cents <= 100000',
                           name=op.f('ck_merchant_applications_step_positive')),
        sa.CheckConstraint('max_roundup_cents IS NULL OR max_roundup_cents > 0',
                           name=op.f('ck_merchant_applications_max_positive')),
        sa.CheckConstraint("(status = 'pending') = (decided_at IS NULL)",
                           name=op.f('ck_merchant_applications_decided_when_not_pending')),
        sa.CheckConstraint("status <> 'approved' OR merchant_id IS NOT NULL",
                           name=op.f('ck_merchant_applications_approved_has_merchant')),
        sa.CheckConstraint("status <> 'refused' OR refusal_reason <> ''",
                           name=op.f('ck_merchant_applications_refused_has_reason')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_merchant_applications_decided_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'],
                                name=op.f('fk_merchant_applications_merchant_id_merchants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_applications')),
    )
    with op.batch_alter_table('merchant_applications', schema=None) as batch_op:
        batch_op.create_index('uq_merchant_applications_pending_siret', ['siret'], unique=True,
                              postgresql_where=sa.text("status = 'pending'"),
                              sqlite_where=sa.text("status = 'pending'"))

    op.create_table(
        'merchant_application_beneficiaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('share_basis_points', sa.Integer(), nullable=False),
        sa.CheckConstraint('(organization_id IS NULL) <> (campaign_id IS NULL)',
                           name=op.f('ck_merchant_application_beneficiaries_one_target')),
        sa.CheckConstraint('share_basis_points > 0 AND share_basis_points <= 10000',
                           name=op.f('ck_merchant_application_beneficiaries_share_range')),
        sa.ForeignKeyConstraint(['application_id'], ['merchant_applications.id'],
                                name=op.f('fk_merchant_application_beneficiaries_application_id_merchant_applications'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_merchant_application_beneficiaries_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_merchant_application_beneficiaries_organization_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_application_beneficiaries')),
        sa.UniqueConstraint('application_id', 'organization_id', 'campaign_id',
                            name=op.f('uq_merchant_application_beneficiaries_application_id_organization_id_campaign_id')),
    )
    with op.batch_alter_table('merchant_application_beneficiaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merchant_application_beneficiaries_application_id'),
                              ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('merchant_application_beneficiaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merchant_application_beneficiaries_application_id'))
    op.drop_table('merchant_application_beneficiaries')
    with op.batch_alter_table('merchant_applications', schema=None) as batch_op:
        batch_op.drop_index('uq_merchant_applications_pending_siret', sqlite_where=sa.text("status = 'pending'"),
                            postgresql_where=sa.text("status = 'pending'"))
    op.drop_table('merchant_applications')
