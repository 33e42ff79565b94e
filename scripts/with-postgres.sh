#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on loopback:
#   scripts/with-postgres.sh .venv/bin/pytest -q
# initdb in a temp dir, its own free port, DATABASE_URL exported for the command, and the
# cluster stopped and removed afterwards, also when the command fails or is interrupted.
set -euo pipefail

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ]; then
  echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 2
fi

# initdb and pg_ctl refuse to run as root: run them as the postgres user when we are root.
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); else as_pg=(); fi

workdir=$(mktemp -d /tmp/waypoint-pg.XXXXXX)
chmod 755 "$workdir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$workdir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

stop() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT INT TERM

"${as_pg[@]}" "$pgbin/initdb" -D "$workdir/data" -U waypoint -A trust -E UTF8 --no-sync >"$workdir/initdb.log" 2>&1 \
  || { cat "$workdir/initdb.log" >&2; exit 2; }
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$workdir/server.log" >&2; exit 2; }

psql -q -h 127.0.0.1 -p "$port" -U waypoint -d postgres -c "CREATE DATABASE waypoint" >/dev/null
export DATABASE_URL="postgres://waypoint@127.0.0.1:$port/waypoint"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway)"
"$@"
