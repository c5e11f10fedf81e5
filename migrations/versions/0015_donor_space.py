"""The donor space: sign-in links, erasures asked by donors, a monthly gift's changed amount

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 13:30:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Single-use, expiring sign-in links of the donor space; only the keyed hash of the token is kept.
    op.create_table('donor_sign_in_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_donor_sign_in_links_expires_after_creation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donor_sign_in_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_donor_sign_in_links_token_hash'))
    )
    with op.batch_alter_table('donor_sign_in_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donor_sign_in_links_email'), ['email'], unique=False)

    # Each erasure a donor asked for, with what was erased and kept; the email only as a keyed hash.
    op.create_table('donor_erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('erased_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('gifts_erased', sa.Integer(), nullable=False),
    sa.Column('gifts_kept', sa.Integer(), nullable=False),
    sa.Column('receipts_kept', sa.Integer(), nullable=False),
    sa.CheckConstraint('gifts_erased >= 0 AND gifts_kept >= 0 AND receipts_kept >= 0',
                       name=op.f('ck_donor_erasures_counts_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donor_erasures'))
    )
    with op.batch_alter_table('donor_erasures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donor_erasures_email_hash'), ['email_hash'], unique=False)

    # The amount a monthly gift takes from next month, once the donor changed it.
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monthly_amount_cents', sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_donations_monthly_amount_positive'),
                                         'monthly_amount_cents IS NULL OR monthly_amount_cents > 0')
    # A donor's gifts by their email, whatever its case.
    op.create_index('ix_donations_email_lower', 'donations', [sa.text('lower(email)')], unique=False)


def downgrade():
    op.drop_index('ix_donations_email_lower', table_name='donations')
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_donations_monthly_amount_positive'), type_='check')
        batch_op.drop_column('monthly_amount_cents')

    with op.batch_alter_table('donor_erasures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donor_erasures_email_hash'))
    op.drop_table('donor_erasures')

    with op.batch_alter_table('donor_sign_in_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donor_sign_in_links_email'))
    op.drop_table('donor_sign_in_links')
