# ruff: noqa: RUF001, RUF003, S311
"""Realistic persons for the demo (`make run`) and the registry benchmark (a million of them).

The persons are drawn from the office's client populations (``people.populations``) and written the
way a clerk in Russia would register them: Russians, Ukrainians, Central Asians and Caucasians mostly
in Cyrillic (Russian orthography, sometimes the national Cyrillic, sometimes the Latin of a passport),
Africans in the Latin of their passports, Afghans in Latin or Cyrillic.  Sex agrees with the given name
and the Slavic endings (Иванов/Иванова, -ович/-овна); birth dates are mostly exact, some year-only,
some unknown; citizenships are ISO codes; languages ISO 639-1; some have a phone.

A share of the records are re-registrations of an earlier person in another spelling (another
transliteration scheme or script, a typo, given and family swapped, no patronymic, a vaguer birth
date): the duplicates that registration and ``find_duplicates`` must find.  Another share are siblings
of earlier persons (same family name and father, another given name and birth date): the hard
negatives they must not merge.

Everything is deterministic for a seed, and fast: names and renderings come from small vocabularies,
so renderings are cached.
"""

from __future__ import annotations

import datetime
import itertools
import random
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict

from .populations import (
    POPULATIONS,
    RU_PATRONYMIC,
    UA_PATRONYMIC,
    UA_RUSSIFIED,
    Population,
    derived_patronymic,
    family_for,
    render,
    schemes_for,
    typo,
)

if TYPE_CHECKING:
    from waypoint.accounts.models import User

# Dates are drawn relative to a fixed day, not today, so that a seed gives the same persons every year.
REFERENCE_DAY = datetime.date(2025, 1, 1)
PERSON_FIELDS = (
    "given_name", "family_name", "patronymic", "sex", "birth_date", "birth_date_precision",
    "citizenships", "languages", "phone",
)  # fmt: skip

_BY_CODE = {p.code: p for p in POPULATIONS}
_FEMININE_PATRONYMIC = dict(map(tuple, RU_PATRONYMIC + UA_PATRONYMIC))
_SLAVIC_AND_CENTRAL_ASIAN = frozenset({"ru", "ua", "tj", "uz", "kg", "kz", "ge", "am", "az"})


def _one(rng: random.Random, items: Sequence[Any]) -> Any:
    """`rng.choice` without its overhead (a million persons make a few million picks)."""
    return items[int(rng.random() * len(items))]


class _Weighted:
    """A weighted pick by bisection on precomputed cumulative weights."""

    def __init__(self, options: Iterable[tuple[Any, float]]) -> None:
        self.items, weights = zip(*options, strict=True)
        self.cumulative = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


_POPULATION = _Weighted((p, p.weight) for p in POPULATIONS)

# How a clerk writes a first registration of each population: (scheme, weight).  "native" is the
# population's own script, "cyrillic" Russian orthography (what most Russian forms get).
_FIRST_SCHEME_WEIGHTS: dict[str, tuple[tuple[str, int], ...]] = {
    "ru": (("native", 93), ("icao_2013", 4), ("mvd_1997", 2), ("informal", 1)),
    "ua": (("native", 35), ("cyrillic", 50), ("national", 10), ("icao_2013", 5)),
    "tj": (("cyrillic", 72), ("native", 5), ("tj_latin", 10), ("icao_2013", 8), ("mvd_1997", 5)),
    "uz": (("cyrillic", 72), ("native", 5), ("national", 10), ("icao_2013", 8), ("mvd_1997", 5)),
    "kg": (("cyrillic", 78), ("native", 4), ("icao_2013", 10), ("mvd_1997", 8)),
    "kz": (("cyrillic", 78), ("native", 4), ("icao_2013", 10), ("mvd_1997", 8)),
    "ge": (("cyrillic", 80), ("icao_2013", 12), ("mvd_1997", 8)),
    "am": (("cyrillic", 80), ("icao_2013", 12), ("mvd_1997", 8)),
    "az": (("cyrillic", 80), ("icao_2013", 12), ("mvd_1997", 8)),
    "af": (("native", 60), ("cyrillic", 40)),
}
_FIRST_SCHEMES = {
    p.code: _Weighted(_FIRST_SCHEME_WEIGHTS.get(p.code, (("native", 93), ("cyrillic", 7)))) for p in POPULATIONS
}
_DIAL_CODES = {
    "RU": "+7", "UA": "+380", "TJ": "+992", "UZ": "+998", "KG": "+996", "KZ": "+7", "GE": "+995", "AM": "+374",
    "AZ": "+994", "AF": "+93", "NG": "+234", "GH": "+233", "ET": "+251", "CD": "+243",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a generated person really is, before any clerk wrote the name down."""

    index: int  # position of the person's first record in the generated sequence
    population: Population
    given: str  # in the population's own script
    family: str  # masculine form where the language inflects it
    father: str  # what the patronymic is made from: a masculine patronymic, or the father's given name
    sex: str
    birth_date: datetime.date
    scheme: str  # how the first record was written

    @property
    def family_name(self) -> str:
        return family_for(self.population, self.family, self.sex)

    @property
    def patronymic(self) -> str:
        kind = self.population.patronymic
        if kind in ("ru", "ua"):
            return self.father if self.sex == "M" else _FEMININE_PATRONYMIC[self.father]
        if kind == "derived":
            return derived_patronymic(self.father, self.sex)
        if kind == "oglu":
            return f"{self.father} {'оглы' if self.sex == 'M' else 'кызы'}"
        return ""


class GeneratedPerson(TypedDict):
    """Person fields (`PERSON_FIELDS`) plus the truth behind them, which only tests and benchmarks read."""

    given_name: str
    family_name: str
    patronymic: str
    sex: str
    birth_date: datetime.date | None
    birth_date_precision: str
    citizenships: list[str]
    languages: list[str]
    phone: str
    population: str
    identity: Identity
    duplicate_of: int | None  # index of the earlier record of the same person
    relative_of: int | None  # index of the first record of a sibling


def person_fields(person: Mapping[str, Any]) -> dict[str, Any]:
    """Only the model's fields of a generated person (what `Person(**...)` accepts)."""
    return {name: person[name] for name in PERSON_FIELDS}


# --------------------------------------------------------------------------------------------------
# Writing a name down


_UNTYPED = str.maketrans(
    {"·": "", "\u02b9": "", "\u02ba": "", '"': "", "\u201c": "", "\u201d": "", "`": "", "ё": "e", "Ё": "E",
     "\u02bb": "'", "\u02bc": "'"}
)  # fmt: skip


@lru_cache(maxsize=65536)
def _render(name: str, code: str, scheme: str) -> str:
    """A name part in `scheme`, cleaned of what a clerk would never type (BGN's middle dot, U+02BB)."""
    text = render(name, _BY_CODE[code], scheme)
    if scheme in ("native", "cyrillic"):
        return text
    # Signs some schemes print that nobody types: BGN's middle dot, primes and quotes for Ь and Ъ, and Ё
    # left in Cyrillic.  The Uzbek Latin Oʻ and Gʻ use U+02BB, which the form refuses as a mixed alphabet;
    # clerks type an apostrophe anyway.
    return text.translate(_UNTYPED)


def write(identity: Identity, scheme: str, rng: random.Random) -> tuple[str, str, str]:
    """(given, family, patronymic) as a record in `scheme` (a `populations.render` scheme) shows them."""
    population, code = identity.population, identity.population.code
    given = identity.given
    if scheme == "cyrillic" and code == "ua" and rng.random() < 0.6:
        given = UA_RUSSIFIED.get(given, given)  # Ганна written as Анна on a Russian form
    patronymic = identity.patronymic
    latin = population.cyrillic and scheme not in ("native", "cyrillic")
    if latin and patronymic and rng.random() < 0.7:
        patronymic = ""  # passports since 1997 print no patronymic
    parts = (_render(given, code, scheme), _render(identity.family_name, code, scheme), "")
    if patronymic:
        parts = (parts[0], parts[1], _render(patronymic, code, scheme))
    if rng.random() < 0.03:  # typed in capitals, as in the machine-readable zone
        parts = tuple(part.upper() for part in parts)
    return parts


def _other_scheme(identity: Identity, rng: random.Random) -> str:
    """Another way to write the same person: another script or another passport scheme."""
    options = [s if s != "national" or identity.population.code != "tj" else "tj_latin"
               for s in schemes_for(identity.population)]  # fmt: skip
    choices = [s for s in options if s != identity.scheme] or options
    return rng.choice(choices)


# --------------------------------------------------------------------------------------------------
# Other fields


def _birth_date(rng: random.Random) -> datetime.date:
    """Mostly working-age adults, some children and elderly."""
    roll = rng.random()
    if roll < 0.1:
        low, high = 1, 17
    elif roll < 0.95:
        low, high = 18, 50
    else:
        low, high = 50, 80
    return REFERENCE_DAY - datetime.timedelta(days=int(365 * (low + (high - low) * rng.random())))


def _precise(date: datetime.date, rng: random.Random, exact: float, year: float) -> tuple[datetime.date | None, str]:
    roll = rng.random()
    if roll < exact:
        return date, "exact"
    if roll < exact + year:
        return date.replace(month=1, day=1), "year"
    return None, ""


def _citizenships(population: Population, rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.02:
        return []  # unknown or stateless
    if roll < 0.06 and population.code in _SLAVIC_AND_CENTRAL_ASIAN and population.citizenship != "RU":
        return [population.citizenship, "RU"]
    return [population.citizenship]


def _languages(population: Population, rng: random.Random) -> list[str]:
    first, *others = population.languages
    if population.cyrillic and population.code != "ru" and rng.random() < 0.1:
        return ["ru"]
    return [first, *(code for code in others if rng.random() < 0.5)]


def _phone(citizenships: list[str], rng: random.Random) -> str:
    if rng.random() >= 0.35:
        return ""
    home = citizenships[0] if citizenships else "RU"
    if home == "RU" or rng.random() < 0.75:  # a Russian SIM card
        digits = f"{int(rng.random() * 1e9):09d}"
        return f"+7 9{digits[:2]} {digits[2:5]}-{digits[5:7]}-{digits[7:]}"
    digits = f"{int(rng.random() * 1e9):09d}"
    return f"{_DIAL_CODES.get(home, '+7')} {digits[:2]} {digits[2:]}"


# --------------------------------------------------------------------------------------------------
# Persons


def _family_from_given(name: str, code: str) -> str:
    """A family name formed from a man's name, as most of these populations' family names were."""
    if code == "ua":
        if name[-1] in "ай":
            return (name if name[-1] == "а" else name[:-1]) + "єнко"
        return (name[:-1] if name[-1] in "оь" else name) + "енко"
    if code == "am":
        return name + "ян"
    if code == "af":
        return name if name.endswith(("i", "h")) else name + "i"
    if name.endswith("ий"):
        return name[:-2] + "ьев"
    if name.endswith(("ей", "ай")):
        return name[:-1] + "ев"
    if name[-1] in "ая":
        return name[:-1] + "ин"
    if name[-1] in "ьи":
        return name[:-1] + ("ев" if name[-1] == "ь" else "иев")
    return name.replace("ё", "е") + "ов"


def _family_names(population: Population) -> _Weighted:
    """The list's family names, then names formed from the men's names, by a Zipf-like frequency.

    With the lists alone every family name would be common (a million persons over a few hundred names);
    registries have a few frequent names and a long tail.
    """
    derived = ()
    if population.code not in ("ge", "ng", "gh", "et", "cd"):
        derived = tuple(_family_from_given(name, population.code) for name in population.male)
    names = tuple(dict.fromkeys(population.family + derived))
    return _Weighted((name, 1 / (rank + 8)) for rank, name in enumerate(names))


_FAMILY = {p.code: _family_names(p) for p in POPULATIONS}


def _new_identity(index: int, rng: random.Random) -> Identity:
    population = _POPULATION(rng)
    sex = "M" if rng.random() < 0.55 else "F"
    given = _one(rng, population.male if sex == "M" else population.female)
    return Identity(
        index, population, given, _FAMILY[population.code](rng), _father(population, rng),
        sex, _birth_date(rng), _FIRST_SCHEMES[population.code](rng),
    )  # fmt: skip


def _father(population: Population, rng: random.Random) -> str:
    if population.patronymic == "ru":
        return _one(rng, RU_PATRONYMIC)[0]
    if population.patronymic == "ua":
        return _one(rng, UA_PATRONYMIC)[0]
    if population.patronymic in ("derived", "oglu"):
        return _one(rng, population.male)
    return ""


def _sibling(index: int, of: Identity, rng: random.Random) -> Identity:
    """Same family name and father, another given name and birth date: not the same person."""
    population = of.population
    sex = "M" if rng.random() < 0.5 else "F"
    names = [g for g in (population.male if sex == "M" else population.female) if g != of.given]
    born = of.birth_date + datetime.timedelta(days=rng.choice((-1, 1)) * rng.randrange(300, 12 * 365))
    born = min(born, REFERENCE_DAY - datetime.timedelta(days=30))
    scheme = _FIRST_SCHEMES[population.code](rng)
    return Identity(index, population, rng.choice(names), of.family, of.father, sex, born, scheme)


def _record(identity: Identity, scheme: str, rng: random.Random, *, again: bool) -> dict[str, Any]:
    given, family, patronymic = write(identity, scheme, rng)
    if again:
        if rng.random() < 0.15:  # a typo in one of the names
            if rng.random() < 0.5:
                given = typo(given, rng)
            else:
                family = typo(family, rng)
        if rng.random() < 0.07:  # given and family swapped
            given, family = family, given
        if patronymic and rng.random() < 0.35:
            patronymic = ""
        date, precision = _precise(identity.birth_date, rng, 0.78, 0.12)
        if precision == "exact" and date.day <= 12 and date.day != date.month and rng.random() < 0.04:
            date = date.replace(month=date.day, day=date.month)  # day and month swapped
        sex = identity.sex if rng.random() >= 0.05 else ""
    else:
        date, precision = _precise(identity.birth_date, rng, 0.82, 0.12)
        sex = identity.sex if rng.random() >= 0.02 else ""
    citizenships = _citizenships(identity.population, rng)
    return {
        "given_name": given, "family_name": family, "patronymic": patronymic, "sex": sex,
        "birth_date": date, "birth_date_precision": precision, "citizenships": citizenships,
        "languages": _languages(identity.population, rng), "phone": _phone(citizenships, rng),
        "population": identity.population.code, "identity": identity,
    }  # fmt: skip


def respell(identity: Identity, rng: random.Random, *, typos: bool = True) -> dict[str, Any]:
    """Another record of the person, as another office or another document would write it."""
    return _record(identity, _other_scheme(identity, rng), rng, again=typos)


def generate(
    n: int, *, seed: int = 2026, duplicate_share: float = 0.05, sibling_share: float = 0.03
) -> Iterator[GeneratedPerson]:
    """`n` persons; `duplicate_share` of them re-register an earlier person, `sibling_share` are siblings.

    Earlier persons are remembered in a uniform reservoir sample (bounded memory at a million).
    """
    rng = random.Random(seed)
    reservoir: list[Identity] = []
    capacity = 50_000
    for index in range(n):
        roll = rng.random()
        duplicate_of = relative_of = None
        if reservoir and roll < duplicate_share:
            identity = _one(rng, reservoir)
            record = _record(identity, _other_scheme(identity, rng), rng, again=True)
            duplicate_of = identity.index
        else:
            if reservoir and roll < duplicate_share + sibling_share:
                brother = _one(rng, reservoir)
                identity = _sibling(index, brother, rng)
                relative_of = brother.index
            else:
                identity = _new_identity(index, rng)
            record = _record(identity, identity.scheme, rng, again=False)
            if len(reservoir) < capacity:
                reservoir.append(identity)
            else:
                slot = int(rng.random() * (index + 1))
                if slot < capacity:
                    reservoir[slot] = identity
        record["duplicate_of"] = duplicate_of
        record["relative_of"] = relative_of
        yield record  # type: ignore[misc]


# --------------------------------------------------------------------------------------------------
# Loading
#
# A million persons do not go through `bulk_create` (~0.3 ms a person): `bulk.BulkWriter`, which the
# import uses too, writes them; the Latin forms and the matching keys are computed as
# `services.register` computes them.


@lru_cache(maxsize=65536)
def _icao(name: str) -> str:
    """`services.fill_latin` for one name part, cached: a million persons share a few thousand names."""
    from .transliteration import icao_latin

    return icao_latin(name)


_REGISTRATION_COLUMNS = ("person_id", "programme", "office_id", "registered_by_id", "registered_at")


def bulk_load(
    n: int,
    *,
    programmes: Sequence[str] | Mapping[str, User | None],
    seed: int = 2026,
    batch_size: int = 10_000,
    people: Iterable[Mapping[str, Any]] | None = None,
    duplicate_share: float = 0.05,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert `n` generated persons (or the first `n` of `people`) fast; returns their ids in order.

    For demo volumes and benchmarks only: no audit event and no validation (the generator's values are
    valid by construction; the tests check it).  Each person is registered in one programme chosen at
    random; when `programmes` maps a programme to a user, that user registers (with their office).  Each
    person gets the Latin form and the matching keys that `services.register` would give.  One
    transaction per batch: an interrupted load leaves whole batches.
    """
    from django.db import transaction

    from . import index
    from .bulk import BulkWriter
    from .models import NameKey, Person, ProgrammeRegistration

    registrars = dict(programmes) if isinstance(programmes, Mapping) else dict.fromkeys(programmes)
    codes = list(registrars)
    registered_by = {code: (user.office_id, user.pk) if user else (None, None) for code, user in registrars.items()}
    rng = random.Random(seed + 1)
    source = iter(people if people is not None else generate(n, seed=seed, duplicate_share=duplicate_share))
    person_writer, registration_writer = BulkWriter(Person), BulkWriter(ProgrammeRegistration)
    key_writer = BulkWriter(NameKey)
    registered_at = registration_writer.prepared("registered_at", registration_writer.now)
    ids: list[int] = []
    while len(ids) < n:
        batch = list(itertools.islice(source, min(batch_size, n - len(ids))))
        if not batch:
            break
        chosen = [_one(rng, codes) for _ in batch]
        with transaction.atomic():
            rows = []
            for person, code in zip(batch, chosen, strict=True):
                fields = person_fields(person)
                latin = {f"{name}_latin": _icao(fields[name]) for name in ("given_name", "family_name", "patronymic")}
                rows.append(person_writer.build({**fields, **latin}, created_by_id=registered_by[code][1]))
            person_writer.insert(rows, returning=True)
            registration_writer.insert_values(
                _REGISTRATION_COLUMNS,
                [(row.pk, code, *registered_by[code], registered_at) for row, code in zip(rows, chosen, strict=True)],
            )
            key_writer.insert_values(
                ("person_id", "key", "kind"),
                [
                    (row.pk, key, kind)
                    for row in rows
                    for key, kind in index.hashed_keys(index.person_records(row, ())).items()
                ],
            )
        ids.extend(row.pk for row in rows)
        if progress:
            progress(len(ids))
    return ids

