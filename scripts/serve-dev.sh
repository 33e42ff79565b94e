#!/usr/bin/env bash
# The demo server: a background task worker (it sends the emails) and Django's server.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py db_worker --interval 2 --no-startup-delay &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Waypoint on http://127.0.0.1:8000 — sign in with a demo login above (Ctrl-C stops)."
.venv/bin/python manage.py runserver 127.0.0.1:8000
