"""The back office's log of administrative actions, and users of merchants

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 13:30:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ROLES_BEFORE = ('admin', 'finance', 'holder', 'partner')
ROLES = ROLES_BEFORE + ('merchant',)
SCOPE_BEFORE = ("(role IN ('finance', 'holder') AND organization_id IS NOT NULL AND partner_id IS NULL)"
                " OR (role = 'partner' AND partner_id IS NOT NULL AND organization_id IS NULL)"
                " OR (role = 'admin' AND organization_id IS NULL AND partner_id IS NULL)")
SCOPE = ("(role IN ('finance', 'holder') AND organization_id IS NOT NULL AND partner_id IS NULL"
         " AND merchant_id IS NULL)"
         " OR (role = 'partner' AND partner_id IS NOT NULL AND organization_id IS NULL AND merchant_id IS NULL)"
         " OR (role = 'merchant' AND merchant_id IS NOT NULL AND organization_id IS NULL AND partner_id IS NULL)"
         " OR (role = 'admin' AND organization_id IS NULL AND partner_id IS NULL AND merchant_id IS NULL)")


def _roles_check(roles):
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def upgrade():
    op.create_table(
        'admin_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('user_email', sa.String(length=254), nullable=False),
        sa.Column('action', sa.String(length=80), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_admin_actions_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_actions')),
    )
    with op.batch_alter_table('admin_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_actions_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_actions_user_id'), ['user_id'], unique=False)

    # A shop's staff sign in like other users: role `merchant`, scoped to one merchant.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merchant_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_merchant_id_merchants'), 'merchants', ['merchant_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_users_role_scope'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_scope'), SCOPE)
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role'), _roles_check(ROLES))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role'), _roles_check(ROLES_BEFORE))
        batch_op.drop_constraint(batch_op.f('ck_users_role_scope'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_scope'), SCOPE_BEFORE)
        batch_op.drop_constraint(batch_op.f('fk_users_merchant_id_merchants'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_merchant_id'))
        batch_op.drop_column('merchant_id')
    with op.batch_alter_table('admin_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_actions_user_id'))
        batch_op.drop_index(batch_op.f('ix_admin_actions_at'))
    op.drop_table('admin_actions')
