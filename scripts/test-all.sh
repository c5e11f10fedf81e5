#!/usr/bin/env bash
# The suite twice: on SQLite (the embedded default) and on PostgreSQL ($PG_URL, from with-postgres.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
echo "== test suite on SQLite =="
.venv/bin/python -m pytest ${PYTEST_ARGS:-}
sqlite_status=$?
echo "== test suite on PostgreSQL =="
TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest ${PYTEST_ARGS:-}
postgres_status=$?
[ $sqlite_status -eq 0 ] && [ $postgres_status -eq 0 ]
