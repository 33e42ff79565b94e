"""Benchmarks of the partner directory and the hotline, on the demo data and on ten times a year.

Runs against a throwaway SQLite file (or DATABASE_URL if set), with the real settings. Targets:
  * hotline statistics for a year at the four sites (about 6,200 consultations): under 1 s;
  * the same at ten times the volume (about 62,000 in the year): under 3 s, since the counting is
    done by the database in a fixed number of grouped queries;
  * the printable directory (about 60 organisations, Russian edition): under 10 s;
  * HSDS export of the directory as a ZIP, and the check of that ZIP for import: under 5 s each.
"""

import io
import sys
import time

from _django import configure  # first: the throwaway database, before anything of Waypoint

configure(WAYPOINT_DEMO="true")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from waypoint.accounts import demo as accounts_demo  # noqa: E402
from waypoint.hotline import demo as hotline_demo  # noqa: E402
from waypoint.hotline import statistics  # noqa: E402
from waypoint.hotline.models import Consultation  # noqa: E402
from waypoint.partners import demo as partners_demo  # noqa: E402
from waypoint.partners import printable  # noqa: E402
from waypoint.partners.hsds import export, importing  # noqa: E402

SCALE = 10


def best_of(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def a_year_of_statistics() -> None:
    today = timezone.localdate()
    statistics.compute(today.replace(year=today.year - 1), today, protect=True)


def multiply_consultations(times: int) -> int:
    """Copies every consultation (with its topics) `times - 1` more times, on the same dates."""
    originals = list(Consultation.objects.prefetch_related("topics"))
    through = Consultation.topics.through
    with transaction.atomic():
        for _ in range(times - 1):
            copies = []
            for consultation in originals:
                copy = Consultation(**{
                    field.attname: getattr(consultation, field.attname)
                    for field in Consultation._meta.concrete_fields if not field.primary_key
                })
                copies.append(copy)
            Consultation.objects.bulk_create(copies, batch_size=2000)
            links = [
                through(consultation_id=copy.pk, topic_id=topic.pk)
                for original, copy in zip(originals, copies, strict=True) for topic in original.topics.all()
            ]
            through.objects.bulk_create(links, batch_size=5000)
    return Consultation.objects.count()


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    quiet = io.StringIO()
    partners_demo.load(quiet)
    accounts_demo.load(quiet)
    start = time.perf_counter()
    hotline_demo.load(quiet)
    print(f"hotline demo (a year at four sites): {Consultation.objects.count():,} consultations "
          f"loaded in {time.perf_counter() - start:.1f} s")

    results = [("hotline statistics, a year, all sites", best_of(3, a_year_of_statistics), 1.0)]
    count = multiply_consultations(SCALE)
    results.append((f"hotline statistics, {count:,} in a year", best_of(3, a_year_of_statistics), 3.0))

    pdf = b""

    def print_directory() -> None:
        nonlocal pdf
        pdf = printable.directory_pdf("ru")

    results.append(("printable directory, Russian", best_of(1, print_directory), 10.0))
    package = b""

    def export_zip() -> None:
        nonlocal package
        package = export.zip_bytes(export.collect())

    results.append(("HSDS export (ZIP of CSV)", best_of(3, export_zip), 5.0))

    def check_for_import() -> None:
        parsed = importing.check(importing.read_package(package, "directory.zip"))
        assert not parsed.errors, parsed.errors[:3]

    results.append(("HSDS import check of that ZIP", best_of(3, check_for_import), 5.0))
    print(f"(directory PDF: {len(pdf) // 1024} KB; HSDS ZIP: {len(package) // 1024} KB)")

    ok = True
    for label, seconds, target in results:
        verdict = "ok" if seconds <= target else "ABOVE TARGET"
        ok = ok and seconds <= target
        print(f"{label:<42} {seconds:>8.2f} s   target <= {target:g} s   {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
