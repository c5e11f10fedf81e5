"""Organizations' stamp; cancelled receipts' marked PDF

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp_png', sa.LargeBinary(), nullable=True))
    # A cancelled receipt's copy with its "ANNULÉ" mark, rendered once; the issued PDF stays unchanged.
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_pdf_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('cancelled_pdf', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_column('cancelled_pdf')
        batch_op.drop_column('cancelled_pdf_sha256')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('stamp_png')
