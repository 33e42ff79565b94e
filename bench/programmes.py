"""Benchmark of the four programmes' pages at the demo's volume.

Loads the whole demo (`seed_demo`) into a throwaway SQLite file (or DATABASE_URL if set): 450 counter-trafficking
cases, about 1,800 resettlement cases over five quarters (the seeds' 791 / 935 / 603 individuals a quarter),
the return pilot and the Chechen families, 150 migration health cases, 60 enterprises with their grants. Then
it times, best of five, each page as the user who reads it, through the view and its policy:
  * the resettlement quarterly report and its CSV, the return, health and grant statistics (default periods);
  * the landing dashboard of the programme manager of all four programmes (every widget) and of the
    resettlement officer;
  * a resettlement family's case page (every panel) and the migration health queue.
Targets: a report or statistics page under 1 s, a dashboard under 1 s, a case page or queue under 0.5 s.
"""

from __future__ import annotations

import io
import sys
import time

from _django import configure  # first: the throwaway database, before anything of Waypoint

configure(WAYPOINT_DEMO="true")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import resolve, reverse  # noqa: E402

from waypoint.accounts.models import Programme, User  # noqa: E402
from waypoint.cases.models import Case  # noqa: E402

TARGETS = {"report": 1.0, "dashboard": 1.0, "page": 0.5}


def best_of(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = work()
        timings.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"the page answered {response.status_code}")
    return min(timings)


def page(username: str, url_name: str, *args: str):
    """A GET of the named page as this user, past the second factor (what the middleware would make of it)."""
    user = User.objects.get(username=username)
    user.is_verified = lambda: True
    path = reverse(url_name, args=args)
    match = resolve(path)

    def get():
        request = RequestFactory().get(path)
        request.user = user
        request.session = {}
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
        return response

    return get


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    start = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    cases = dict(Case.objects.values_list("programme").annotate(n=Count("id")))
    print(f"demo loaded in {time.perf_counter() - start:.1f} s: "
          + ", ".join(f"{cases.get(p, 0):,} {p}" for p in Programme.values if cases.get(p)) + " cases")
    family = (Case.objects.filter(programme=Programme.RESETTLEMENT, owner__username="resettlement")
              .annotate(size=Count("members")).order_by("-size", "reference").first())
    print(f"(the family's case {family.reference}: {family.size} members, status {family.status})")
    results = [
        ("resettlement report (quarter)", page("opsmanager", "resettlement:report"), TARGETS["report"]),
        ("resettlement report CSV", page("opsmanager", "resettlement:report_csv"), TARGETS["report"]),
        ("return statistics (12 months)", page("opsmanager", "returns:statistics"), TARGETS["report"]),
        ("health statistics", page("meofficer", "health:statistics"), TARGETS["report"]),
        ("grant statistics", page("opsmanager", "livelihoods:statistics"), TARGETS["report"]),
        ("dashboard, manager of four programmes", page("opsmanager", "core:dashboard"), TARGETS["dashboard"]),
        ("dashboard, resettlement officer", page("resettlement", "core:dashboard"), TARGETS["dashboard"]),
        ("resettlement family's case page", page("resettlement", "cases:detail", family.reference),
         TARGETS["page"]),
        ("migration health queue", page("doctor", "health:queue"), TARGETS["page"]),
    ]
    ok = True
    for label, get, target in results:
        seconds = best_of(5, get)
        verdict = "ok" if seconds <= target else "ABOVE TARGET"
        ok = ok and seconds <= target
        print(f"{label:<42} {seconds:>8.3f} s   target <= {target:g} s   {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
