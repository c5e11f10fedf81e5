"""Receipt requests for partners' grants

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # A queue row is now about a gift or a partner's grant (its ledger line), exactly one of them.
    with op.batch_alter_table('receipt_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contribution_id', sa.Integer(), nullable=True))
        batch_op.alter_column('donation_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_receipt_requests_contribution_id'), ['contribution_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_receipt_requests_contribution_id_contributions'),
                                    'contributions', ['contribution_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_receipt_requests_one_subject'),
                                        '(donation_id IS NULL) <> (contribution_id IS NULL)')


def downgrade():
    op.execute("DELETE FROM receipt_requests WHERE donation_id IS NULL")
    with op.batch_alter_table('receipt_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_receipt_requests_one_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_receipt_requests_contribution_id_contributions'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_receipt_requests_contribution_id'))
        batch_op.alter_column('donation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('contribution_id')
