"""Benchmark of the people registry at a million persons (issue 3: targets on this 2-core machine).

Loads N generated persons (``waypoint.people.generator``: realistic names in Cyrillic and Latin, with
re-registrations in other spellings and siblings) into a throwaway database, then measures, against the
issue's targets:

* search by a name spelling (``lookup.search``, top 20): p95 <= 100 ms;
* duplicate candidates for a new registration (``lookup.duplicate_candidates``): p95 <= 50 ms;
* ``find_duplicates`` over the whole registry (``duplicates.scan``): <= 10 minutes;
* import of 100,000 persons from CSV (``importing.read_file`` + ``import_rows``): <= 60 s.

The queries are spellings of existing persons in another script or transliteration scheme, sometimes
with a typo or swapped order (``generator.respell``); besides the times, the share of queries whose
person is found is printed, and misses are told apart: "outranked" (namesakes score at least as high, the
data cannot tell them apart) or "not retrieved" (the person would have ranked but was not a candidate).

Runs against DATABASE_URL when set (PostgreSQL: ``scripts/with-postgres.sh .venv/bin/python
bench/people_registry.py``), else a SQLite file in a temporary directory; never the user's database.
Fresh keys are generated for the run.  ``--quick`` is a smoke run (20,000 persons).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import sys
import tempfile
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from _django import configure  # the throwaway database and fresh keys

TARGET_SEARCH_P95_MS = 100
TARGET_CANDIDATES_P95_MS = 50
TARGET_SCAN_SECONDS = 600
TARGET_IMPORT_SECONDS = 60
PROGRAMMES = ("CT", "ICC", "AVRR", "RES", "MH")


# --------------------------------------------------------------------------------------------------
# What the benchmark knows about the generated data


@dataclass
class Truth:
    """Positions (generation order) of every record of a sample of persons, and who each record is."""

    sample: dict[int, Any]  # identity index -> Identity, for the persons the queries are about
    records: dict[int, list[int]]  # identity index -> positions of all its records
    identity_of: array  # position -> identity index
    duplicates: list[tuple[int, int]]  # (position of the first record, position of a re-registration)


def watched(people: Iterator[dict[str, Any]], n: int, wanted: int, seed: int) -> tuple[Iterator[dict], Truth]:
    """Pass the generated persons through, remembering what the measurements need to know."""
    rng = random.Random(seed)
    chosen = set(rng.sample(range(n), min(n, wanted * 2)))
    truth = Truth({}, {}, array("l"), [])

    def run() -> Iterator[dict[str, Any]]:
        for position, person in enumerate(people):
            identity = person["identity"]
            truth.identity_of.append(identity.index)
            if person["duplicate_of"] is not None:
                truth.duplicates.append((person["duplicate_of"], position))
            elif position in chosen and len(truth.sample) < wanted:
                truth.sample[identity.index] = identity
            if identity.index in truth.sample:
                truth.records.setdefault(identity.index, []).append(position)
            yield person

    return run(), truth


# --------------------------------------------------------------------------------------------------
# Measurements


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function()
    return result, (time.perf_counter() - started) * 1000


def as_record(person: Mapping[str, Any]) -> dict[str, str]:
    """A generated person as the matcher's record (what the registration form sends)."""
    date = person["birth_date"]
    text = "" if date is None else date.isoformat() if person["birth_date_precision"] == "exact" else str(date.year)
    return {
        "given": person["given_name"], "family": person["family_name"], "patronymic": person["patronymic"],
        "birth_date": text, "sex": person["sex"], "citizenship": (person["citizenships"] or [""])[0],
    }  # fmt: skip


def classify_miss(record: Mapping[str, str], intended: set[int], results: list[Any], limit: int) -> str:
    """Why the person is missing from the results: outranked by as good candidates, or never retrieved."""
    from waypoint.people import lookup
    from waypoint.people.models import Person

    people = lookup._scoring_queryset(Person.objects.filter(pk__in=intended))
    scores = [lookup._best_match(record, person).score for person in people]
    if not scores:
        return "not retrieved"
    if len(results) >= limit and max(scores) <= results[-1].score:
        return "outranked"
    return "not retrieved"


def measure_search(user: Any, truth: Truth, ids: list[int], rng: random.Random) -> dict[str, Any]:
    from waypoint.people import generator, lookup

    times, found, misses = [], 0, {"outranked": 0, "not retrieved": 0}
    queries = []
    for index, identity in truth.sample.items():
        spelling = generator.respell(identity, rng)
        parts = (spelling["family_name"], spelling["given_name"], spelling["patronymic"])
        text = " ".join(part for part in parts if part)
        queries.append((index, text, spelling))
    for _index, text, _spelling in queries[:5]:
        lookup.search(user, text)  # warm the caches and the connection
    for index, text, _spelling in queries:
        results, ms = timed(lambda text=text: lookup.search(user, text, limit=20))
        times.append(ms)
        intended = {ids[p] for p in truth.records[index]}
        if intended & {c.person.pk for c in results}:
            found += 1
        else:
            words = text.split()
            record = {"family": words[0], "given": " ".join(words[1:2]), "patronymic": " ".join(words[2:])}
            misses[classify_miss(record, intended, results, 20)] += 1
    return {"times": times, "found": found, "count": len(queries), "misses": misses}


def measure_candidates(user: Any, truth: Truth, ids: list[int], rng: random.Random) -> dict[str, Any]:
    from waypoint.people import generator, lookup

    times, found, misses = [], 0, {"outranked": 0, "not retrieved": 0}
    records = [(index, as_record(generator.respell(identity, rng))) for index, identity in truth.sample.items()]
    for _index, record in records[:5]:
        lookup.duplicate_candidates(user, record)
    for index, record in records:
        (visible, _hidden), ms = timed(lambda record=record: lookup.duplicate_candidates(user, record))
        times.append(ms)
        intended = {ids[p] for p in truth.records[index]}
        if intended & {c.person.pk for c in visible}:
            found += 1
        else:
            misses[classify_miss(record, intended, visible, 5)] += 1
    return {"times": times, "found": found, "count": len(records), "misses": misses}


def measure_scan(truth: Truth, ids: list[int]) -> dict[str, Any]:
    from waypoint.people import duplicates
    from waypoint.people.models import DuplicatePair

    result = duplicates.scan()
    pairs = set(DuplicatePair.objects.values_list("first_id", "second_id"))

    def position(pk: int) -> int:
        return bisect_left(ids, pk)  # ids are increasing in generation order

    true_pairs = {tuple(sorted((ids[a], ids[b]))) for a, b in truth.duplicates}
    found = len(true_pairs & pairs)
    correct = sum(1 for a, b in pairs if truth.identity_of[position(a)] == truth.identity_of[position(b)])
    return {"result": result, "recall": found / len(true_pairs) if true_pairs else 1.0,
            "precision": correct / len(pairs) if pairs else 1.0, "pairs": len(pairs)}  # fmt: skip


def measure_import(user: Any, rows: int, seed: int) -> dict[str, Any]:
    from waypoint.people import generator, importing

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["family_name", "given_name", "patronymic", "sex", "birth_date", "citizenships"])
    for person in generator.generate(rows, seed=seed):
        date = person["birth_date"]
        text = "" if date is None else date.isoformat() if person["birth_date_precision"] == "exact" else str(date.year)
        writer.writerow([person["family_name"], person["given_name"], person["patronymic"], person["sex"], text,
                         "; ".join(person["citizenships"])])  # fmt: skip
    data = buffer.getvalue().encode()
    started = time.perf_counter()
    parsed = importing.read_file(io.BytesIO(data), "bench.csv")
    read_seconds = time.perf_counter() - started
    if not parsed.ok:
        errors = list(parsed.errors)[:5] if hasattr(parsed, "errors") else []
        return {"error": f"the generated file did not pass the checks: {errors}", "read_seconds": read_seconds}
    imported = importing.import_rows(user, parsed, programme="CT")
    return {"seconds": time.perf_counter() - started, "read_seconds": read_seconds, "count": len(imported),
            "megabytes": len(data) / 1e6}  # fmt: skip


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quick", action="store_true", help="smoke run: 20,000 persons, 50 queries, 5,000 rows")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file for a look afterwards")
    args = parser.parse_args(argv)
    if args.quick:
        args.persons, args.queries, args.import_rows = 20_000, 50, 5_000

    workdir = tempfile.mkdtemp(prefix="waypoint-bench-registry-")
    try:
        configure(workdir, database="registry.sqlite3")
        return run(args)
    finally:
        if args.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection

    from waypoint.accounts.models import Office, Role, User
    from waypoint.people import generator

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}), {args.persons:,} persons", flush=True)
    office = Office.objects.create(code="bench", name="Bench office", kind=Office.Kind.MISSION_OFFICE, city="Moscow")
    user = User.objects.create(username="bench-manager", role=Role.PROGRAMME_MANAGER, office=office,
                               programmes=list(PROGRAMMES))  # fmt: skip

    people, truth = watched(generator.generate(args.persons, seed=args.seed), args.persons, args.queries, args.seed)
    started, cpu = time.perf_counter(), time.process_time()

    def progress(done: int) -> None:
        if done % 100_000 == 0 or done == args.persons:
            print(f"  loaded {done:>9,} in {time.perf_counter() - started:6.0f} s", flush=True)

    ids = generator.bulk_load(args.persons, programmes=dict.fromkeys(PROGRAMMES, user), seed=args.seed,
                              people=people, progress=progress)  # fmt: skip
    load_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does soon after a load this size: statistics, and the visibility map that
            # lets the look-ups count keys from the index alone.
            cursor.execute("VACUUM ANALYZE")
    print(f"load: {len(ids):,} persons in {load_seconds:.0f} s ({len(ids) / load_seconds:,.0f}/s; this process used "
          f"{time.process_time() - cpu:.0f} s of CPU, load average {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip

    rng = random.Random(args.seed + 7)
    rows: list[tuple[str, str, str, str]] = [  # label, measured, target, verdict
        (f"load {len(ids):,} generated persons", f"{load_seconds:.0f} s", "(none)", ""),
    ]
    ok = True

    def verdict(passed: bool) -> str:
        nonlocal ok
        ok = ok and passed
        return "PASS" if passed else "FAIL"

    search = measure_search(user, truth, ids, rng)
    p50, p95, worst = (percentile(search["times"], s) for s in (0.5, 0.95, 1.0))
    rows.append(("search by a name spelling, top 20", f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms",
                 f"p95 <= {TARGET_SEARCH_P95_MS} ms", verdict(p95 <= TARGET_SEARCH_P95_MS)))  # fmt: skip
    print(f"search: {rows[-1][1]}; person in the top 20 for {search['found']}/{search['count']} queries; "
          f"misses {search['misses']}", flush=True)  # fmt: skip

    candidates = measure_candidates(user, truth, ids, rng)
    p50, p95, worst = (percentile(candidates["times"], s) for s in (0.5, 0.95, 1.0))
    rows.append(("duplicate candidates, new registration", f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms",
                 f"p95 <= {TARGET_CANDIDATES_P95_MS} ms", verdict(p95 <= TARGET_CANDIDATES_P95_MS)))  # fmt: skip
    print(f"duplicate candidates: {rows[-1][1]}; person among the 5 shown for {candidates['found']}/"
          f"{candidates['count']}; misses {candidates['misses']}", flush=True)  # fmt: skip

    try:
        scan = measure_scan(truth, ids)
    except ImportError as error:
        rows.append(("find_duplicates, whole registry", f"not run ({error})", f"<= {TARGET_SCAN_SECONDS} s", "—"))
        ok = False
    else:
        result = scan["result"]
        rows.append(("find_duplicates, whole registry", f"{result.seconds:.0f} s", f"<= {TARGET_SCAN_SECONDS} s",
                     verdict(result.seconds <= TARGET_SCAN_SECONDS)))  # fmt: skip
        print(f"find_duplicates: {result.persons:,} persons, {result.blocks:,} blocks, {result.pairs_scored:,} pairs "
              f"scored, {result.pairs_written:,} written; generated re-registrations found {scan['recall']:.1%}, "
              f"pairs that are one person {scan['precision']:.1%} of {scan['pairs']:,}", flush=True)  # fmt: skip

    try:
        imported = measure_import(user, args.import_rows, args.seed + 100)
    except ImportError as error:
        rows.append((f"import {args.import_rows:,} persons from CSV", f"not run ({error})",
                     f"<= {TARGET_IMPORT_SECONDS} s", "—"))  # fmt: skip
        ok = False
    else:
        if "error" in imported:
            print(imported["error"])
            rows.append((f"import {args.import_rows:,} persons from CSV", "refused", "", verdict(False)))
        else:
            rows.append((f"import {args.import_rows:,} persons from CSV",
                         f"{imported['seconds']:.1f} s (reading {imported['read_seconds']:.1f} s)",
                         f"<= {TARGET_IMPORT_SECONDS} s", verdict(imported["seconds"] <= TARGET_IMPORT_SECONDS)))

    note = "" if args.persons >= 1_000_000 else f"  (targets are for 1,000,000 persons; this run has {args.persons:,})"
    print(f"\n{connection.vendor}, {args.persons:,} persons, {args.queries} queries{note}")
    print(f"{'measurement':<40} {'measured':<36} {'target':<16} result")
    for label, measured, target, result in rows:
        print(f"{label:<40} {measured:<36} {target:<16} {result}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
