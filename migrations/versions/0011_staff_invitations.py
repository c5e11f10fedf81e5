"""Staff invitations and password resets: single-use links to choose a password; the ledger's
money per month and source, for the administrators' dashboard

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 13:30:00

"""
from collections import defaultdict
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import app.types

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # Only the keyed hash of each link's token is stored (app/auth/invitations.py).
    op.create_table(
        'login_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('invitation', 'password_reset', name='linkpurpose', native_enum=False,
                                     create_constraint=True, length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', app.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_links_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_links_token_hash')),
    )
    with op.batch_alter_table('login_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_links_user_id'), ['user_id'], unique=False)

    sources = ('online', 'offline', 'company', 'roundup', 'match', 'grant')
    totals = op.create_table(
        'monthly_source_totals',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('source', sa.Enum(*sources, name='contributionsource', native_enum=False, create_constraint=True,
                                    length=20), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('month', 'source', name=op.f('pk_monthly_source_totals')),
    )
    _count_the_ledger_by_month(totals)


def _count_the_ledger_by_month(totals):
    """What the ledger holds already, net of reversals, by month of each line in Paris (the service's
    default TIMEZONE; from now on campaigns.services.ledger moves these totals with every line)."""
    contributions = sa.table('contributions', sa.column('source', sa.String()), sa.column('amount_cents', sa.BigInteger()),
                             sa.column('reversed_cents', sa.BigInteger()),
                             sa.column('created_at', app.types.UTCDateTime(timezone=True)))
    zone = ZoneInfo('Europe/Paris')
    sums = defaultdict(int)
    rows = op.get_bind().execute(sa.select(contributions.c.source, contributions.c.amount_cents,
                                           contributions.c.reversed_cents, contributions.c.created_at))
    for source, amount, reversed_cents, created_at in rows:
        sums[(created_at.astimezone(zone).date().replace(day=1), source)] += amount - reversed_cents
    if sums:
        op.bulk_insert(totals, [{'month': month, 'source': source, 'amount_cents': cents}
                                for (month, source), cents in sorted(sums.items())])


def downgrade():
    op.drop_table('monthly_source_totals')
    with op.batch_alter_table('login_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_links_user_id'))
    op.drop_table('login_links')
