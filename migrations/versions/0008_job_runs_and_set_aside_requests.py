"""Scheduler job runs and receipt requests set aside

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 11:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Every run of a scheduled job, failed run and skipped run (app/jobs_log.py).
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=100), nullable=False),
    sa.Column('started_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('running', 'done', 'failed', 'skipped', name='runoutcome', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('error', sa.String(length=2000), nullable=True),
    sa.Column('host', sa.String(length=100), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('alerted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_id_started_at', ['job_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_started_at'), ['started_at'], unique=False)

    # A queue row whose processing raised is set aside with its error; the queue goes on.
    with op.batch_alter_table('receipt_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_aside_at', app.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('error', sa.String(length=1000), nullable=True))


def downgrade():
    with op.batch_alter_table('receipt_requests', schema=None) as batch_op:
        batch_op.drop_column('error')
        batch_op.drop_column('set_aside_at')

    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_runs_started_at'))
        batch_op.drop_index('ix_job_runs_job_id_started_at')

    op.drop_table('job_runs')
