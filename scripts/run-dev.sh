#!/usr/bin/env bash
# `make run`: migrate, start localstripe, load the Sceaux demo, then the scheduler and the web
# server, all on loopback. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-5000}
STRIPE_PORT=${STRIPE_PORT:-8420}
export PORT STRIPE_PORT
flask=(.venv/bin/flask --app wsgi)
mkdir -p instance

pids=()
stop_all() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "Solidaire stopped."
}
trap stop_all EXIT INT TERM

echo "== starting localstripe (the fake Stripe) on port $STRIPE_PORT"
.venv/bin/python -m fakes.localstripe_server --port "$STRIPE_PORT" --data instance/localstripe.pickle \
  > instance/localstripe.log 2>&1 &
pids+=($!)
.venv/bin/python - "$STRIPE_PORT" <<'PY'
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2).close()
        break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("localstripe did not start; see instance/localstripe.log")
PY

echo "== migrating the database"
"${flask[@]}" db upgrade
echo "== loading the Sceaux demo (its gifts go through localstripe: a minute the first time)"
"${flask[@]}" demo load
# localstripe delivers its events to our webhook, signed with the configured secret, as Stripe would.
"${flask[@]}" stripe register-webhook --url "http://127.0.0.1:$PORT/api/v1/stripe/webhook"

echo "== starting the scheduler and the web server"
"${flask[@]}" scheduler run > instance/scheduler.log 2>&1 &
pids+=($!)
.venv/bin/gunicorn --workers 2 --bind "127.0.0.1:$PORT" --access-logfile - wsgi:app \
  > instance/server.log 2>&1 &
pids+=($!)

echo
echo "Solidaire runs at http://127.0.0.1:$PORT/  (API document: http://127.0.0.1:$PORT/api/v1/openapi.json)"
echo "localstripe at http://127.0.0.1:$STRIPE_PORT/ ; logs in instance/*.log ; Ctrl-C stops everything."
wait -n "${pids[@]}"
