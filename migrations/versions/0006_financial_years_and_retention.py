"""Organizations' financial years; retention of receipts and donors' data

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 11:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # The day the financial year closes (article 222 bis CGI counts the gifts of the last closed year).
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('financial_year_end', sa.String(length=5), server_default='12-31',
                                      nullable=False))
    # A complementary annual receipt refers to the donor's first annual receipt of the year; a
    # receipt whose retention period ended (LPF art. L102 B) records when its donor data were erased.
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complements_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('personal_data_erased_at', app.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_receipts_complements_id_receipts'), 'receipts',
                                    ['complements_id'], ['id'])


def downgrade():
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_receipts_complements_id_receipts'), type_='foreignkey')
        batch_op.drop_column('personal_data_erased_at')
        batch_op.drop_column('complements_id')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('financial_year_end')
