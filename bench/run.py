"""Benchmarks of the foundation: how fast the audit trail appends and verifies.

Runs against a throwaway SQLite file (or DATABASE_URL if set), with the real settings.
`make bench` prints one line per measurement. Targets:
  * appending an audit event: >= 300 events/s on SQLite with synchronous=FULL (every event is
    its own durable commit, as in production);
  * verifying the chain: >= 20,000 events/s, so a year of events (~1 M) verifies in under a minute.
"""

import sys
import time

from _django import configure  # first: the throwaway database, before anything of Waypoint

configure()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from waypoint.audit.services import record, verify  # noqa: E402

APPENDS = 2000
TARGET_APPENDS_PER_SECOND = 300
TARGET_VERIFIED_PER_SECOND = 20_000


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")

    start = time.perf_counter()
    for number in range(APPENDS):
        record("view", object_type="bench.object", object_id=str(number), username="bench")
    appends_per_second = APPENDS / (time.perf_counter() - start)

    # Verification of 2,000 events takes tens of milliseconds: keep the best of five runs.
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        checked, broken = verify()
        timings.append(time.perf_counter() - start)
    verified_per_second = checked / min(timings)
    if broken is not None or checked != APPENDS:
        print(f"the chain written by the benchmark does not verify: {broken}")
        return 1

    ok = True
    for label, value, target in [
        ("audit append (durable commit each)", appends_per_second, TARGET_APPENDS_PER_SECOND),
        ("audit verify", verified_per_second, TARGET_VERIFIED_PER_SECOND),
    ]:
        verdict = "ok" if value >= target else "BELOW TARGET"
        ok = ok and value >= target
        print(f"{label:<38} {value:>10,.0f} events/s   target >= {target:,}   {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
