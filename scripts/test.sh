#!/usr/bin/env bash
# The whole suite: lint, every test on SQLite, again on a throwaway PostgreSQL, and the browser
# tests in headless Chromium. Exits non-zero when anything fails.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
status=0
phase() {
  local name=$1; shift
  echo
  echo "=== $name ==="
  "$@" || status=1
}
phase "Lint (ruff)" .venv/bin/ruff check .
# SQLite and PostgreSQL each keep one core busy: run them side by side (separate databases, separate
# logs printed in turn). The browser tests follow SQLite on its core while PostgreSQL, the longer phase,
# is still running: the whole suite stays well under CI's 20-minute budget on two cores.
side_by_side() {
  local log=$1; shift
  ( "$@" > "$log" 2>&1; echo $? > "$log.status" ) &
}
sqlite_then_browser() {
  .venv/bin/pytest -m "not browser" -q -p no:cacheprovider --junitxml=test-artifacts/sqlite.xml \
    > test-artifacts/sqlite.log 2>&1
  echo $? > test-artifacts/sqlite.log.status
  .venv/bin/pytest -m browser -q -p no:cacheprovider --junitxml=test-artifacts/browser.xml \
    > test-artifacts/browser.log 2>&1
  echo $? > test-artifacts/browser.log.status
}
sqlite_then_browser &
side_by_side test-artifacts/postgresql.log scripts/with-postgres.sh .venv/bin/pytest \
  -m "not browser" -q -p no:cacheprovider --junitxml=test-artifacts/postgresql.xml
wait
for pair in "Tests on SQLite:sqlite" "Tests on PostgreSQL:postgresql" "Browser tests (headless Chromium):browser"; do
  echo
  echo "=== ${pair%%:*} ==="
  tail -n 40 "test-artifacts/${pair##*:}.log"
  [ "$(cat "test-artifacts/${pair##*:}.log.status")" = 0 ] || status=1
done
echo
.venv/bin/python scripts/test_summary.py test-artifacts/sqlite.xml test-artifacts/postgresql.xml \
  test-artifacts/browser.xml || status=1
exit $status
