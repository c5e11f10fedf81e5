"""One bearer-key scheme for staff API tokens and merchant keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 11:15:00

Both kinds are now kept as app.keys.hash_key: HMAC-SHA256 under the pepper (KEY_PEPPER, formerly
ROUNDUP_KEY_PEPPER, else SECRET_KEY), in tables of the same columns. No issued key stops working:

- merchant_keys already held exactly that hash: nothing to move.
- api_tokens held a plain SHA-256 of each token, from which the keyed hash cannot be computed without
  the token. Its column takes the shared name, key_hash, and its rows are marked hash_version 1; the
  application finds such a row by its SHA-256 the next time the token is used and rehashes it then
  (app.auth.services.user_for_token). New tokens are hash_version 2.

No pepper is needed here, so this revision runs the same whatever the configuration.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint('uq_api_tokens_token_hash', type_='unique')
        batch_op.alter_column('token_hash', new_column_name='key_hash', existing_type=sa.String(length=64),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('hash_version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_api_tokens_key_hash'), ['key_hash'])
        # The default only marked the rows already there; the application sets the version of new ones.
        batch_op.alter_column('hash_version', server_default=None, existing_type=sa.Integer(),
                              existing_nullable=False)


def downgrade():
    # Tokens issued or rehashed since (hash_version 2) no longer authenticate under revision 0002,
    # which compares plain SHA-256 only; tokens never used since keep working.
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint('uq_api_tokens_key_hash', type_='unique')
        batch_op.alter_column('key_hash', new_column_name='token_hash', existing_type=sa.String(length=64),
                              existing_nullable=False)
        batch_op.drop_column('hash_version')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_api_tokens_token_hash'), ['token_hash'])
