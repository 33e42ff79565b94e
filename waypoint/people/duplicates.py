"""The batch duplicate scan: every likely pair of records of one person in the registry, for review.

Comparing all pairs of a million persons is 5e11 comparisons; the scan compares only persons that share
a *selective* matching key (see `matching.name_keys`): kind "f" (family + given name), "y" (family name +
birth year) and "p" (first letters of the family name + birth year, for a typo later in the family name),
which is how a duplicate is found at registration too. It runs in bounded memory:

1. one compact integer per person (birth date, its precision and sex: 4 bytes, no names) is read, so
   that blocks can be split and hopeless pairs dropped without loading anyone;
2. the `NameKey` rows of those kinds are streamed in key order; persons sharing a key form a *block*;
3. a block of a common name (more than `COMMON_NAME` persons) is split by exact birth date: namesakes
   are paired only when their dates agree (see `_block`); a part still above `BLOCK_CAP` is skipped and
   reported rather than compared quadratically;
4. each pair whose birth dates and sexes alone already rule out `min_score` (a different exact date
   weighs -9: no name agreement makes up for it) is dropped; the others are collected, deduplicated, up
   to `PENDING_LIMIT` pairs at a time (then scored, and the stream resumes after the last key);
5. the persons of a batch of pairs are loaded with their other names in one query (only the fields the
   matcher reads), each pair is scored as the best over every name form of both sides, and pairs at or
   above `min_score` are written as `DuplicatePair` rows for a programme manager to review.

A pair already judged (different people, or merged) is never reopened; an open pair gets its new score.
"""

from __future__ import annotations

import math
import time
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import TextIO

from django.db import transaction
from django.db.models import Max

from . import index
from .matching import _PRIOR, FIELDS, SAME_PERSON_THRESHOLD, Match, compare
from .models import BirthDatePrecision, DuplicatePair, NameKey, Person, ReviewStatus
from .transliteration import latinise

SCAN_KINDS = (index.KINDS["f"], index.KINDS["y"], index.KINDS["p"])
BLOCK_CAP = 100  # persons compared pairwise in one block (4,950 pairs at most)
COMMON_NAME = 10  # a block larger than this is a common name: namesakes are told apart by exact dates only
PENDING_LIMIT = 500_000  # candidate pairs held before they are scored (about 40 MB)
STREAM_CHUNK = 20_000  # NameKey rows fetched per round trip
BATCH_PERSONS = 900  # persons loaded per query (below every database's parameter limit)
RECORD_CACHE = 100_000  # persons whose name records are kept between batches
WRITE_BATCH = 5_000  # pairs written per transaction
_SCORING_FIELDS = (
    "id", "given_name", "family_name", "patronymic", "given_name_latin", "family_name_latin",
    "patronymic_latin", "sex", "birth_date", "birth_date_precision", "citizenships", "merged_into_id",
)
_SEX_CODES = {"F": 1, "M": 2}


@dataclass
class ScanResult:
    """What a scan did, for the command's summary and the benchmark."""

    persons: int = 0  # persons in the registry that may have duplicates (not merged away)
    blocks: int = 0  # keys shared by at least two persons
    oversized_blocks: int = 0  # blocks above BLOCK_CAP, compared only by parts (see `_block`)
    skipped_blocks: int = 0  # parts of blocks still above BLOCK_CAP after splitting: not compared
    skipped_persons: int = 0  # persons in those parts (a person may be counted in several)
    vague_pairs_left_out: int = 0  # pairs of a common name, one side without an exact date (see `_block`)
    candidates: int = 0  # distinct pairs that birth date and sex did not rule out
    pairs_scored: int = 0
    pairs_written: int = 0  # new open pairs
    pairs_updated: int = 0  # open pairs whose score or reasons changed
    seconds: float = 0.0
    largest_skipped: list[tuple[int, int]] = field(default_factory=list)  # (key kind, persons), the biggest


# --- Person attributes: one int per person --------------------------------------------------------
# bit 0: present (not merged away); bits 1-2: sex (0 unknown, 1 F, 2 M); bit 3: exact date;
# bits 4-: birth date as YYYYMMDD (0 when unknown). 99991231 << 4 still fits a signed 32-bit int.


def _encode(birth_date, precision: str, sex: str) -> int:
    date = birth_date.year * 10000 + birth_date.month * 100 + birth_date.day if birth_date else 0
    exact = 1 if birth_date and precision == BirthDatePrecision.EXACT else 0
    return (date << 4) | (exact << 3) | (_SEX_CODES.get(sex, 0) << 1) | 1


def _person_codes() -> tuple[array, int]:
    """A code per person id (0: absent or merged away), read in one streamed pass."""
    top = Person.objects.aggregate(top=Max("pk"))["top"] or 0
    codes = array("i", bytes(4 * (top + 1)))
    count = 0
    rows = Person.objects.filter(merged_into__isnull=True).values_list(
        "pk", "birth_date", "birth_date_precision", "sex"
    )
    for pk, birth_date, precision, sex in rows.iterator(chunk_size=STREAM_CHUNK):
        codes[pk] = _encode(birth_date, precision, sex)
        count += 1
    return codes, count


def _max_name_evidence() -> float:
    """The most the names, patronymic and citizenship can add up to: two identical records without date
    or sex. Derived from the matcher itself, so the pre-filter follows any change of its weights."""
    record = {"given": "Anna", "family": "Ivanova", "patronymic": "Ivanovna", "citizenship": "RU"}
    score = compare(record, record).score
    return math.log(score / (1 - score)) - _PRIOR


_NAME_EVIDENCE = _max_name_evidence()


def _date_weight(a: int, b: int) -> float:
    """The weight `matching._birth_date` gives two coded dates (kept in step by a test)."""
    date_a, date_b = a >> 4, b >> 4
    if not (date_a and date_b):
        return 0.0
    if (a >> 3) & 1 and (b >> 3) & 1:
        if date_a == date_b:
            return 4.5
        if date_a // 10000 == date_b // 10000 and date_a % 100 == (date_b // 100) % 100 and (
            (date_a // 100) % 100 == date_b % 100
        ):
            return 1.5
        text_a, text_b = str(date_a), str(date_b)
        if len(text_a) == len(text_b) and sum(x != y for x, y in zip(text_a, text_b, strict=True)) == 1:
            return -1.0
        return -9.0
    return 1.5 if date_a // 10000 == date_b // 10000 else -7.0


def _sex_weight(a: int, b: int) -> float:
    """Upper bound of the sex evidence: -9 when both records state different sexes."""
    sex_a, sex_b = (a >> 1) & 3, (b >> 1) & 3
    if sex_a and sex_b:
        return 0.5 if sex_a == sex_b else -9.0
    return 0.0


def _logit(score: float) -> float:
    if score <= 0:
        return -math.inf
    if score >= 1:
        return math.inf
    return math.log(score / (1 - score))


def may_reach(a: int, b: int, needed: float) -> bool:
    """False when birth dates and sexes alone keep the pair below the score (log-odds `needed`)."""
    return _NAME_EVIDENCE + _date_weight(a, b) + _sex_weight(a, b) + _PRIOR >= needed


# --- Blocks -------------------------------------------------------------------------------------


def _split(members: list[int], codes: array, key) -> list[list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for pk in members:
        groups[key(codes[pk])].append(pk)
    return list(groups.values())


def _year(code: int) -> int:
    return (code >> 4) // 10000


def _date(code: int) -> int:
    return code >> 4


def _date_alike(code: int) -> int:
    """The same for two exact dates that are equal or have day and month swapped (0: no exact date)."""
    if not (code >> 3) & 1:
        return 0
    date = code >> 4
    year, month, day = date // 10000, (date // 100) % 100, date % 100
    return year * 10000 + min(month, day) * 100 + max(month, day)


def _parts(members: list[int], codes: array, result: ScanResult) -> list[list[int]]:
    """The groups of a block whose members are compared pairwise (see `_block`)."""
    if len(members) > COMMON_NAME:
        exact = sum(1 for pk in members if (codes[pk] >> 3) & 1)
        n = len(members)
        result.vague_pairs_left_out += n * (n - 1) // 2 - exact * (exact - 1) // 2
        return [group for group in _split(members, codes, _date_alike) if len(group) > 1 and codes[group[0]] & 8]
    if len(members) <= BLOCK_CAP:
        return [members]
    parts = []
    for by_year in _split(members, codes, _year):
        parts.extend(_split(by_year, codes, _date) if len(by_year) > BLOCK_CAP else [by_year])
    return parts


def _block(members: list[int], codes: array, needed: float, result: ScanResult, pending: set[int], kind: int):
    """Add the pairs of one block (the persons sharing one key) that may reach the score.

    A name shared by more than COMMON_NAME persons says little by itself: two of its holders are paired
    only when their exact birth dates agree (or have day and month swapped), so the block is split by
    exact date. Matched on the name alone (no date on one side, only a year, dates a digit apart), every
    holder of a common name would be paired with every other, flooding the review with namesakes whom
    neither the matcher nor a reviewer could tell apart. (With COMMON_NAME raised above BLOCK_CAP, a block
    above BLOCK_CAP is split by birth year, then by date.) A part still above BLOCK_CAP (one common name,
    one birth date) is not compared pair by pair: it is counted and reported.
    """
    members = list(dict.fromkeys(members))
    if len(members) < 2:
        return
    result.blocks += 1
    if len(members) > BLOCK_CAP:
        result.oversized_blocks += 1
    for part in _parts(members, codes, result):
        if len(part) > BLOCK_CAP:
            result.skipped_blocks += 1
            result.skipped_persons += len(part)
            result.largest_skipped = sorted([*result.largest_skipped, (kind, len(part))], key=lambda x: -x[1])[:10]
        elif len(part) > 1:
            _add_pairs(part, codes, needed, pending)


def _add_pairs(members: list[int], codes: array, needed: float, pending: set[int]) -> None:
    members = sorted(members)
    for i, a in enumerate(members):
        code_a = codes[a]
        for b in members[i + 1:]:
            if may_reach(code_a, codes[b], needed):
                pending.add((a << 32) | b)


def _stream(after: int | None) -> Iterator[tuple[int, int, int]]:
    rows = NameKey.objects.filter(kind__in=SCAN_KINDS)
    if after is not None:
        rows = rows.filter(key__gt=after)
    yield from rows.order_by("key", "person_id").values_list("key", "person_id", "kind").iterator(
        chunk_size=STREAM_CHUNK
    )


def _candidate_batches(codes: array, needed: float, result: ScanResult) -> Iterator[set[int]]:
    """Sets of candidate pairs (a << 32 | b, a < b), each of about PENDING_LIMIT pairs at most, deduplicated.

    When the limit is reached the read stops at a key boundary; it resumes after that key once the pairs
    are scored, so no read is left open while pairs are written.
    """
    pending: set[int] = set()
    after: int | None = None
    while True:
        current_key, current_kind, members = None, 0, []
        resume_after = None
        rows = _stream(after)
        for key, person_id, kind in rows:
            if key != current_key:
                _block(members, codes, needed, result, pending, current_kind)
                if len(pending) >= PENDING_LIMIT and current_key is not None:
                    resume_after = current_key
                    break
                current_key, current_kind, members = key, kind, []
            if person_id < len(codes) and codes[person_id]:  # absent: merged away, or added since the start
                members.append(person_id)
        else:
            _block(members, codes, needed, result, pending, current_kind)
        rows.close()
        result.candidates += len(pending)
        yield pending
        pending = set()
        if resume_after is None:
            return
        after = resume_after


# --- Scoring --------------------------------------------------------------------------------------


class _Light:
    """What `index.person_records` reads of a person, without a model instance (a million of those
    cost minutes of object construction alone)."""

    __slots__ = ("aliases", *_SCORING_FIELDS)
    birth_date_text = Person.birth_date_text


_ALIAS_FIELDS = ("aliases__given_name", "aliases__family_name", "aliases__patronymic")


def _load_people(ids: list[int]) -> dict[int, _Light]:
    """The persons (not merged away) with their other names, in one query: one row per other name."""
    people: dict[int, _Light] = {}
    rows = (
        Person.objects.filter(pk__in=ids, merged_into__isnull=True)
        .order_by("pk", "aliases__id")
        .values_list(*_SCORING_FIELDS, *_ALIAS_FIELDS)
    )
    for row in rows:
        person = people.get(row[0])
        if person is None:
            person = people[row[0]] = _Light()
            for name, value in zip(_SCORING_FIELDS, row, strict=False):
                setattr(person, name, value)
            person.aliases = []
        given, family, patronymic = row[len(_SCORING_FIELDS):]
        if given is not None or family is not None:
            person.aliases.append(SimpleNamespace(given_name=given or "", family_name=family or "",
                                                  patronymic=patronymic or ""))
    return people


def distinct_forms(records: list[dict]) -> list[dict]:
    """The records that differ once latinised: the matcher reads every name through `latinise`, so the
    computed Latin form of a Cyrillic name scores exactly as the name itself and need not be compared."""
    seen, kept = set(), []
    for record in records:
        key = tuple(latinise(record.get(part) or "") for part in ("given", "family", "patronymic"))
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept


def _comparable(record: dict, citizenship: str | None) -> tuple[str, ...]:
    """A record as the matcher reads it: names latinised (all it ever looks at), as a hashable tuple."""
    return (
        latinise(record.get("given") or ""), latinise(record.get("family") or ""),
        latinise(record.get("patronymic") or ""), record.get("birth_date") or "", record.get("sex") or "",
        citizenship if citizenship is not None else record.get("citizenship") or "",
    )


def _date_pair(a: str, b: str) -> tuple[str, str]:
    """The dates as the matcher compares them: nothing when one is missing, the years when one is a year."""
    if not (a and b):
        return "", ""
    if len(a) != len(b):
        return a[:4], b[:4]
    return a, b


@lru_cache(maxsize=50_000)
def _compare_cached(a: tuple[str, ...], b: tuple[str, ...]) -> Match:
    return compare(dict(zip(FIELDS, a, strict=True)), dict(zip(FIELDS, b, strict=True)))


def best_match(records_a: list[dict], records_b: list[dict], citizenships_a=(), citizenships_b=()) -> Match:
    """The best score over every name form of each side (a person is every name they are known by).

    Comparisons are memoised on what the matcher actually reads (latinised names; dates reduced to what
    the two sides share), so the many pairs of common names with vague dates cost one comparison each.
    """
    shared = sorted(set(citizenships_a or ()) & set(citizenships_b or ()))
    citizenship = shared[0] if shared else None
    best: Match | None = None
    for record_a in records_a:
        a = _comparable(record_a, citizenship)
        for record_b in records_b:
            b = _comparable(record_b, citizenship)
            date_a, date_b = _date_pair(a[3], b[3])
            key_a, key_b = (*a[:3], date_a, *a[4:]), (*b[:3], date_b, *b[4:])
            match = _compare_cached(*sorted((key_a, key_b)))
            if best is None or match.score > best.score:
                best = match
    return best or Match(0.0)


def compare_people(a: Person, b: Person) -> Match:
    """Score two persons as the scan does (used by the review pages too)."""
    forms_a, forms_b = distinct_forms(index.person_records(a)), distinct_forms(index.person_records(b))
    return best_match(forms_a, forms_b, a.citizenships, b.citizenships)


def reasons_json(match: Match) -> list[dict]:
    return [{"field": r.field, "code": r.code, "weight": round(r.weight, 2)} for r in match.reasons]


class _Records:
    """Name records and citizenships of persons, loaded by batch and kept in a bounded cache."""

    def __init__(self) -> None:
        self.cache: OrderedDict[int, tuple[list[dict], list[str]] | None] = OrderedDict()

    def load(self, ids: set[int]) -> None:
        missing = sorted(pk for pk in ids if pk not in self.cache)
        for start in range(0, len(missing), BATCH_PERSONS):
            chunk = missing[start:start + BATCH_PERSONS]
            found = {
                pk: (distinct_forms(index.person_records(person, person.aliases)), person.citizenships or [])
                for pk, person in _load_people(chunk).items()
            }
            for pk in chunk:
                self.cache[pk] = found.get(pk)  # None: merged away or gone since the scan began
        while len(self.cache) > RECORD_CACHE:
            self.cache.popitem(last=False)

    def get(self, pk: int):
        return self.cache.get(pk)


def _score_batch(pairs: list[int], records: _Records, min_score: float, result: ScanResult) -> list[tuple]:
    records.load({p >> 32 for p in pairs} | {p & 0xFFFFFFFF for p in pairs})
    found = []
    for pair in pairs:
        a, b = pair >> 32, pair & 0xFFFFFFFF
        side_a, side_b = records.get(a), records.get(b)
        if side_a is None or side_b is None:
            continue
        match = best_match(side_a[0], side_b[0], side_a[1], side_b[1])
        result.pairs_scored += 1
        if match.score >= min_score:
            found.append((a, b, match))
    return found


def _write(found: list[tuple], result: ScanResult) -> None:
    """Insert new pairs as open, refresh open ones, leave judged ones (different people, merged) alone."""
    if not found:
        return
    firsts = sorted({a for a, _b, _m in found})
    existing = {}
    for start in range(0, len(firsts), BATCH_PERSONS):
        rows = DuplicatePair.objects.filter(first_id__in=firsts[start:start + BATCH_PERSONS]).only(
            "id", "first_id", "second_id", "score", "reasons", "status"
        )
        existing.update({(pair.first_id, pair.second_id): pair for pair in rows})
    new, changed = [], []
    for a, b, match in found:
        score, reasons = round(match.score, 4), reasons_json(match)
        pair = existing.get((a, b))
        if pair is None:
            new.append(DuplicatePair(first_id=a, second_id=b, score=score, reasons=reasons))
        elif pair.status == ReviewStatus.OPEN and (pair.score != score or pair.reasons != reasons):
            pair.score, pair.reasons = score, reasons
            changed.append(pair)
    with transaction.atomic():
        DuplicatePair.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        DuplicatePair.objects.bulk_update(changed, ["score", "reasons"], batch_size=500)
    result.pairs_written += len(new)
    result.pairs_updated += len(changed)


def scan(*, min_score: float = SAME_PERSON_THRESHOLD, stdout: TextIO | None = None) -> ScanResult:
    """Find likely duplicates in the whole registry and queue them for review (see the module doc)."""
    started = time.perf_counter()
    result = ScanResult()
    codes, result.persons = _person_codes()
    needed = _logit(min_score)
    records = _Records()
    for batch in _candidate_batches(codes, needed, result):
        ordered = sorted(batch)
        batch.clear()
        found: list[tuple] = []
        for start in range(0, len(ordered), BATCH_PERSONS // 2):
            found.extend(_score_batch(ordered[start:start + BATCH_PERSONS // 2], records, min_score, result))
            if len(found) >= WRITE_BATCH:
                _write(found, result)
                found = []
        _write(found, result)
        if stdout is not None:
            stdout.write(
                f"… {result.candidates} candidate pairs, {result.pairs_scored} scored, "
                f"{result.pairs_written} new ({time.perf_counter() - started:.0f} s)\n"
            )
    result.seconds = time.perf_counter() - started
    return result
