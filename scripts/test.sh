#!/usr/bin/env bash
# The whole suite: lint, every test on SQLite, again on a throwaway PostgreSQL, then the
# browser tests in headless Chromium. Exits non-zero when anything fails.
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
# logs printed in turn), which brings the whole suite well under CI's 20-minute budget on two cores.
side_by_side() {
  local name=$1 log=$2; shift 2
  ( "$@" > "$log" 2>&1; echo $? > "$log.status" ) &
}
side_by_side "Tests on SQLite" test-artifacts/sqlite.log .venv/bin/pytest -m "not browser" -q -p no:cacheprovider \
  --junitxml=test-artifacts/sqlite.xml
side_by_side "Tests on PostgreSQL" test-artifacts/postgresql.log scripts/with-postgres.sh .venv/bin/pytest \
  -m "not browser" -q -p no:cacheprovider --junitxml=test-artifacts/postgresql.xml
wait
for pair in "Tests on SQLite:sqlite" "Tests on PostgreSQL:postgresql"; do
  echo
  echo "=== ${pair%%:*} ==="
  tail -n 40 "test-artifacts/${pair##*:}.log"
  [ "$(cat "test-artifacts/${pair##*:}.log.status")" = 0 ] || status=1
done
phase "Browser tests (headless Chromium)" .venv/bin/pytest -m browser -q -p no:cacheprovider \
  --junitxml=test-artifacts/browser.xml
echo
.venv/bin/python scripts/test_summary.py test-artifacts/sqlite.xml test-artifacts/postgresql.xml \
  test-artifacts/browser.xml || status=1
exit $status
