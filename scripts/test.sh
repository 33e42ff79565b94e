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
phase "Tests on SQLite" .venv/bin/pytest -m "not browser" -q -p no:cacheprovider \
  --junitxml=test-artifacts/sqlite.xml
phase "Tests on PostgreSQL" scripts/with-postgres.sh .venv/bin/pytest -m "not browser" -q \
  -p no:cacheprovider --junitxml=test-artifacts/postgresql.xml
phase "Browser tests (headless Chromium)" .venv/bin/pytest -m browser -q -p no:cacheprovider \
  --junitxml=test-artifacts/browser.xml
echo
.venv/bin/python scripts/test_summary.py test-artifacts/sqlite.xml test-artifacts/postgresql.xml \
  test-artifacts/browser.xml || status=1
exit $status
