"""Matching core of the people registry: is record A the same person as record B?

Pure functions, no database.  A record is any mapping with the keys ``given``, ``family``,
``patronymic``, ``birth_date`` (``YYYY-MM-DD``, ``YYYY`` or empty), ``sex`` (``F``/``M``/empty) and
``citizenship`` (ISO 3166 alpha-2 or empty); missing keys and ``None`` count as empty.

How a pair is scored (a Fellegi-Sunter style record-linkage model):

* Every field contributes a *weight*, a log-odds in natural-log units: how much more likely the
  observed agreement or disagreement is among pairs of the same person than among pairs of different
  people.  Agreement on a name, after transliteration variants are collapsed (see
  :mod:`waypoint.people.transliteration`), is strong evidence; a clearly different given name or a
  different exact birth date is strong counter-evidence; a missing field contributes nothing.
* The weights are summed, ``_PRIOR`` (the log prior odds that two records sharing a look-up key are the
  same person) is added, and the logistic function turns the sum into a probability-like score in
  [0, 1].  ``SAME_PERSON_THRESHOLD`` is therefore 0.5: at or above it, same person is the more likely
  reading of the evidence.

The weights are set from the reasoning in each comment (how often the disagreement happens among true
duplicates), not fitted to the evaluation set; ``bench/matching_quality.py`` checks them.

Design decisions that matter for the traps:

* Gender forms of a family name (Ivanov/Ivanova, Kovalsky/Kovalskaya) share a stem, so they score as
  close names, but they imply different sexes.  When a record lacks ``sex``, the sex implied by a
  Slavic family-name or patronymic ending is used in its place, with a weaker weight than a recorded
  sex.  A male Ivanov and a female Ivanova are therefore different people (siblings, spouses).
* Brothers share family name, patronymic and citizenship; they differ in given name and birth date, and
  both of those are heavily weighted.  Namesakes differ in birth date only, which alone outweighs the
  two name agreements.
* Order swaps (given in the family field and vice versa) are tried and cost a little.  A missing
  patronymic is neutral.  A double surname matches one of its parts with a small discount.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Indel, JaroWinkler

from waypoint.people.names import GIVEN_NAME_GROUPS
from waypoint.people.transliteration import latinise, skeleton, skeletons

SAME_PERSON_THRESHOLD = 0.5
_PRIOR = -5.0  # log odds before evidence: two similar-looking records are usually not one person

FIELDS = ("given", "family", "patronymic", "birth_date", "sex", "citizenship")


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence: which field, a machine-readable code (translated by the UI), its weight."""

    field: str
    code: str
    weight: float
    similarity: float | None = None


@dataclass(slots=True)
class Match:
    """Result of :func:`compare`: the score in [0, 1] and the evidence behind it."""

    score: float
    reasons: list[Reason] = field(default_factory=list)

    @property
    def same_person(self) -> bool:
        return self.score >= SAME_PERSON_THRESHOLD


# ---------------------------------------------------------------------------------------------------
# Name parts


def _interpolate(value: float, points: tuple[tuple[float, float], ...]) -> float:
    """Piecewise-linear map from similarity to weight, flat outside the first and last point."""
    if value <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if value <= x1:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return points[-1][1]


def _fuzzy(a: frozenset[str], b: frozenset[str]) -> float:
    """Best similarity over readings: mean of Jaro-Winkler (prefix-friendly) and Indel (order-strict).

    Jaro-Winkler alone rates short different names highly (Ivan/Iliya); Indel alone punishes a typo in a
    short name too hard.  Their mean behaves like a careful reader on names of 3-12 letters.
    """
    best = 0.0
    for x in a:
        for y in b:
            sim = (JaroWinkler.normalized_similarity(x, y) + Indel.normalized_similarity(x, y)) / 2
            best = max(best, sim)
    return best


_GIVEN_GROUP: dict[str, int] = {}
for _index, _group in enumerate(GIVEN_NAME_GROUPS):
    for _name in _group:
        for _reading in skeletons(_name):
            _GIVEN_GROUP.setdefault(_reading, _index)


@lru_cache(maxsize=65536)
def _name_similarity(a: str, b: str, equivalents: bool) -> tuple[float, str]:
    """Similarity of two name strings in [0, 1] and how it was established."""
    if latinise(a) == latinise(b):
        return 1.0, "identical"
    sa, sb = skeletons(a), skeletons(b)
    if sa & sb:
        return 1.0, "same_after_transliteration"
    if equivalents:
        groups_a = {_GIVEN_GROUP[s] for s in sa if s in _GIVEN_GROUP}
        if groups_a & {_GIVEN_GROUP[s] for s in sb if s in _GIVEN_GROUP}:
            return 0.95, "equivalent_form"
    sim = _fuzzy(sa, sb)
    return sim, "similar_spelling" if sim >= 0.85 else "different"


# Slavic family-name gender forms: feminine ending -> masculine ending, on skeletons.
_FAMILY_FORMS = (("ska", "ski"), ("Qka", "Qki"), ("ova", "ov"), ("eva", "ev"), ("ina", "in"), ("ia", "i"))
_MASCULINE_FAMILY = re.compile(r"(ov|ev|in|ski|Qki)$")
_FEMININE_FAMILY = re.compile(r"(ova|eva|ina|ska|Qka)$")


def _family_stem(sk: str) -> str:
    for feminine, masculine in _FAMILY_FORMS:
        if sk.endswith(feminine) and len(sk) > len(feminine) + 2:
            return sk[: -len(feminine)] + masculine
    return sk


@lru_cache(maxsize=65536)
def _sex_from_family(family: str) -> str:
    sk = skeleton(family.split("-")[-1]) if family else ""
    if _FEMININE_FAMILY.search(sk):
        return "F"
    if _MASCULINE_FAMILY.search(sk):
        return "M"
    return ""


# Patronymics: Russian -ovich/-ovna, Central Asian "ugli/o'g'li/uulu" (son) and "qizi/kyzy/gizi" (daughter).
_PATRONYMIC_SUFFIX = re.compile(r"(oviC|eviC|iC|ovna|evna|iCna|na)$")
_SON_WORDS = frozenset({"uHli", "oHli", "ulu", "Hlu", "oHlu", "uHlu"})
_DAUGHTER_WORDS = frozenset({"kizi", "Hizi", "kisi"})


@lru_cache(maxsize=65536)
def _patronymic_stem(patronymic: str) -> str:
    words = [w for w in latinise(patronymic).split() if skeleton(w) not in _SON_WORDS | _DAUGHTER_WORDS]
    return _PATRONYMIC_SUFFIX.sub("", skeleton(words[0])) if words else ""


@lru_cache(maxsize=65536)
def _sex_from_patronymic(patronymic: str) -> str:
    readings = [skeleton(w) for w in latinise(patronymic).split()]
    if any(r in _SON_WORDS or r.endswith("iC") for r in readings):
        return "M"
    if any(r in _DAUGHTER_WORDS or r.endswith("na") for r in readings):
        return "F"
    return ""


# Similarity -> weight.  Exact agreement on a family name is about e^4 times likelier among duplicates
# than among candidate pairs; a one-letter typo (similarity ~0.9) still favours a match; below ~0.8 the
# names are different names.
_FAMILY_WEIGHTS = ((0.70, -5.0), (0.82, -2.0), (0.90, 1.5), (1.0, 4.0))
_GIVEN_WEIGHTS = ((0.70, -5.0), (0.82, -2.0), (0.90, 1.5), (1.0, 4.0))
_PATRONYMIC_WEIGHTS = ((0.70, -4.0), (0.82, -1.5), (0.90, 0.5), (1.0, 1.5))
_EQUIVALENT_WEIGHT = 3.0  # Aleksandr/Oleksandr: same name, but also a weaker coincidence
_GENDER_FORM_WEIGHT = 2.5  # Ivanov/Ivanova: same stem; the sex evidence decides
_DOUBLE_SURNAME_DISCOUNT = 0.8
_SWAP_COST = 0.5


@lru_cache(maxsize=65536)
def _family_evidence(a: str, b: str) -> tuple[float, str, float]:
    """Weight, reason code and similarity of two family names, handling double and gendered forms."""
    sim, code = _name_similarity(a, b, False)
    weight = _interpolate(sim, _FAMILY_WEIGHTS)
    if sim < 1.0 and _family_stem(skeleton(a)) == _family_stem(skeleton(b)):
        weight, code, sim = _GENDER_FORM_WEIGHT, "gender_form", 0.9
    parts_a, parts_b = _family_parts(a), _family_parts(b)
    if sim < 1.0 and (len(parts_a) > 1 or len(parts_b) > 1):
        for pa in parts_a:
            for pb in parts_b:
                part_sim, _ = _name_similarity(pa, pb, False)
                part_weight = _interpolate(part_sim, _FAMILY_WEIGHTS) * _DOUBLE_SURNAME_DISCOUNT
                if part_sim >= 0.9 and part_weight > weight:
                    weight, code, sim = part_weight, "double_surname_part", part_sim
    return weight, code, sim


@lru_cache(maxsize=65536)
def _family_parts(family: str) -> tuple[str, ...]:
    return tuple(latinise(family).split())


@lru_cache(maxsize=65536)
def _given_evidence(a: str, b: str) -> tuple[float, str, float]:
    sim, code = _name_similarity(a, b, True)
    weight = _EQUIVALENT_WEIGHT if code == "equivalent_form" else _interpolate(sim, _GIVEN_WEIGHTS)
    return weight, code, sim


# ---------------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class _Person:
    given: str
    family: str
    patronymic: str
    birth_date: str
    sex: str
    citizenship: str


def _clean(record: Mapping[str, object]) -> _Person:
    """Normalise a record; a patronymic typed after the given name is moved to its own field."""
    values = {key: str(record.get(key) or "").strip() for key in FIELDS}
    given, patronymic = values["given"], values["patronymic"]
    words = given.split()
    if not patronymic and len(words) > 1 and _sex_from_patronymic(words[-1]) and _patronymic_stem(words[-1]):
        given, patronymic = " ".join(words[:-1]), words[-1]
    sex = values["sex"].upper()[:1]
    return _Person(
        given=given,
        family=values["family"],
        patronymic=patronymic,
        birth_date=values["birth_date"],
        sex=sex if sex in ("F", "M") else "",
        citizenship=values["citizenship"].upper(),
    )


def _names(a: _Person, b: _Person, swapped: bool) -> tuple[float, list[Reason]]:
    b_given, b_family = (b.family, b.given) if swapped else (b.given, b.family)
    total, reasons = 0.0, []
    if a.family and b_family:
        weight, code, sim = _family_evidence(a.family, b_family)
        total += weight
        reasons.append(Reason("family", code, weight, round(sim, 3)))
    if a.given and b_given:
        weight, code, sim = _given_evidence(a.given, b_given)
        total += weight
        reasons.append(Reason("given", code, weight, round(sim, 3)))
    if swapped:
        total -= _SWAP_COST
        reasons.append(Reason("name", "order_swapped", -_SWAP_COST))
    return total, reasons


def _patronymic(a: _Person, b: _Person) -> list[Reason]:
    if not (a.patronymic and b.patronymic):
        return [Reason("patronymic", "missing", 0.0)] if (a.patronymic or b.patronymic) else []
    stem_a, stem_b = _patronymic_stem(a.patronymic), _patronymic_stem(b.patronymic)
    sim, code = _name_similarity(stem_a, stem_b, True) if stem_a and stem_b else (0.0, "different")
    weight = _interpolate(sim, _PATRONYMIC_WEIGHTS)
    return [Reason("patronymic", code, weight, round(sim, 3))]


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})-(\d{2}))?$")


def _birth_date(a: str, b: str) -> list[Reason]:
    """Exact dates agree rarely by chance (~1 in 20,000): strong.  A different date is the namesake
    signature, so strong against, except for patterns of clerical error (day/month swap, one digit)."""
    ma, mb = _DATE.match(a), _DATE.match(b)
    if not (ma and mb):
        return []
    if ma.group(2) and mb.group(2):
        if a == b:
            return [Reason("birth_date", "same", 4.5)]
        if (ma.group(1), ma.group(2), ma.group(3)) == (mb.group(1), mb.group(3), mb.group(2)):
            return [Reason("birth_date", "day_month_swapped", 1.5)]
        if sum(x != y for x, y in zip(a, b, strict=True)) == 1:
            return [Reason("birth_date", "one_digit_differs", -1.0)]
        return [Reason("birth_date", "different", -9.0)]
    if ma.group(1) == mb.group(1):
        return [Reason("birth_date", "same_year", 1.5)]
    return [Reason("birth_date", "different_year", -7.0)]


def _sex(a: _Person, b: _Person) -> list[Reason]:
    """Recorded sex rarely errs (-9 when it differs).  Sex implied by a Slavic name ending is weaker:
    foreign passports and careless clerks sometimes drop the feminine ending."""
    if a.sex and b.sex:
        return [Reason("sex", "same", 0.5)] if a.sex == b.sex else [Reason("sex", "different", -9.0)]
    sex_a = a.sex or _sex_from_patronymic(a.patronymic) or _sex_from_family(a.family)
    sex_b = b.sex or _sex_from_patronymic(b.patronymic) or _sex_from_family(b.family)
    if sex_a and sex_b and sex_a != sex_b:
        return [Reason("sex", "implied_by_name_differs", -5.0)]
    return []


def _citizenship(a: str, b: str) -> list[Reason]:
    """People change citizenship and records err, so disagreement is only mild evidence."""
    if not (a and b):
        return []
    return [Reason("citizenship", "same", 0.5)] if a == b else [Reason("citizenship", "different", -1.5)]


def compare(a: Mapping[str, object], b: Mapping[str, object]) -> Match:
    """Score two records and explain the score; symmetric in ``a`` and ``b``."""
    pa, pb = _clean(a), _clean(b)
    if latinise(pa.family + " " + pa.given) > latinise(pb.family + " " + pb.given):
        pa, pb = pb, pa  # a canonical order makes the score exactly symmetric
    straight, straight_reasons = _names(pa, pb, swapped=False)
    swapped, swapped_reasons = _names(pa, pb, swapped=True)
    total, reasons = (swapped, swapped_reasons) if swapped > straight else (straight, straight_reasons)
    for reason in (
        *_patronymic(pa, pb),
        *_birth_date(pa.birth_date, pb.birth_date),
        *_sex(pa, pb),
        *_citizenship(pa.citizenship, pb.citizenship),
    ):
        total += reason.weight
        reasons.append(reason)
    score = 1.0 / (1.0 + math.exp(-(total + _PRIOR)))
    return Match(score=score, reasons=reasons)


def pair_score(a: Mapping[str, object], b: Mapping[str, object]) -> float:
    """Probability-like score in [0, 1] that ``a`` and ``b`` are the same person (see module doc)."""
    return compare(a, b).score


def name_keys(record: Mapping[str, object]) -> set[str]:
    """Blocking keys for candidate look-up, indexed by the registry (``people.index``).

    Broad keys (each alone may be shared by thousands of records in a large registry):

    * ``n:<skeleton>`` for every reading of every family and given word, in one namespace so that order
      swaps and double surnames still meet; family names contribute their masculine stem, so Ivanova
      finds Ivanov (the scorer then tells them apart);
    * ``g:<group>`` for a given name in the equivalence table (Aleksandr finds Oleksandr).

    Selective keys (a handful of records each), what registration and duplicate scans look up first:

    * ``f:<family stem>:<given>`` for every family part and given word, the given word by its
      equivalence group when it has one (Yulia Kovalchuk finds Iuliia Kovalchuk and Julia Kowaltschuk);
    * ``y:<family stem>:<birth year>``: a typo in the given name is still found;
    * ``p:<first three letters of the family stem>:<birth year>``: so is a typo later in the family name.

    A candidate is any record sharing at least one key.
    """
    person = _clean(record)
    keys: set[str] = set()
    family_stems = {_family_stem(s) for word in _family_parts(person.family) for s in skeletons(word)}
    keys.update(f"n:{stem}" for stem in family_stems)
    given_keys: set[str] = set()
    for word in latinise(person.given).split():
        for reading in skeletons(word):
            keys.add(f"n:{reading}")
            if reading in _GIVEN_GROUP:
                keys.add(f"g:{_GIVEN_GROUP[reading]}")
                given_keys.add(f"g{_GIVEN_GROUP[reading]}")
            else:
                given_keys.add(reading)
    keys.update(f"f:{stem}:{given}" for stem in family_stems for given in given_keys)
    year = person.birth_date[:4]
    if person.family and year.isdigit():
        keys.update(f"y:{stem}:{year}" for stem in family_stems)
        keys.add(f"p:{_family_stem(skeleton(person.family))[:3]}:{year}")
    return keys
