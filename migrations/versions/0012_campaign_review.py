"""Campaigns submitted for review: the `submitted` state, when it was submitted, and the town's reason
when it sent a campaign back to its holder; a gift's consent to receive the project's news

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 13:30:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

STATUSES_BEFORE = ('draft', 'published', 'succeeded', 'failed', 'closed', 'cancelled')
STATUSES = ('draft', 'submitted', 'published', 'succeeded', 'failed', 'closed', 'cancelled')


def _status_check(statuses):
    return "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")"


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', app.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('returned_at', app.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_campaigns_campaignstatus'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_campaigns_campaignstatus'), _status_check(STATUSES))
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('news_consent', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_column('news_consent')
    # A campaign under review goes back to its holder's drafts: the old lifecycle has no such state.
    op.execute("UPDATE campaigns SET status = 'draft' WHERE status = 'submitted'")
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_campaigns_campaignstatus'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_campaigns_campaignstatus'), _status_check(STATUSES_BEFORE))
        batch_op.drop_column('return_reason')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('submitted_at')
