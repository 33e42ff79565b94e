"""Deterministic labelled pairs of person records for evaluating ``waypoint.people.matching``.

People are drawn from name lists of the office's client populations (Russian, Ukrainian, Tajik, Uzbek,
Kyrgyz, Kazakh, Georgian, Armenian, Azerbaijani names as written in Russian documents; Afghan,
Nigerian, Ghanaian, Ethiopian and Congolese names as written in Latin passports).  Each record of a
person is *rendered* the way a real document would render it: Cyrillic, or one of the Latin schemes
of passports of different years (MVD 1997 rules, the 2010 order with TC, ICAO Doc 9303 since 2013),
BGN/PCGN, GOST 7.79, French and German spellings, Ukrainian and Uzbek national Latin, informal
spellings; then perturbed as clerks do (typos, swapped order, dropped patronymic, year-only or missing
birth date, missing sex or citizenship).  The name lists and renderers live in
``waypoint.people.populations`` (shared with the demo and benchmark generator); they are independent of
the matcher's code.

Negatives include hard cases: brothers/sisters, siblings and spouses (Ivanov/Ivanova), namesakes
(same names, different birth dates), fathers and sons, same names with a different patronymic, and
people whose family names differ by one letter.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from waypoint.people.populations import (
    UA_RUSSIFIED,
    Population,
    family_for,
    feminine,
    patronymic_for,
    pick_population,
    render,
    schemes_for,
    typo,
)

Record = dict[str, str]


# --------------------------------------------------------------------------------------------------
# People


@dataclass(frozen=True)
class Person:
    culture: Population
    given: str
    family: str
    patronymic: str
    birth_date: str
    sex: str

    def record(self, rng: random.Random, scheme: str) -> Record:
        c = self.culture
        given = self.given
        if scheme == "cyrillic" and c.code == "ua" and rng.random() < 0.5:
            given = UA_RUSSIFIED.get(given, given)
        parts = {"given": given, "family": self.family, "patronymic": self.patronymic}
        rendered = {key: render(value, c, scheme) for key, value in parts.items()}
        if scheme not in ("native", "cyrillic") and rng.random() < 0.5:
            rendered = {key: value.upper() for key, value in rendered.items()}  # passport zone
        return {**rendered, "birth_date": self.birth_date, "sex": self.sex, "citizenship": c.citizenship}


def _date(rng: random.Random, year_from: int = 1955, year_to: int = 2010) -> str:
    return f"{rng.randint(year_from, year_to)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def new_person(rng: random.Random, culture: Population | None = None, sex: str | None = None) -> Person:
    culture = culture or pick_population(rng)
    sex = sex or rng.choice("MF")
    given = rng.choice(culture.male if sex == "M" else culture.female)
    family = family_for(culture, rng.choice(culture.family), sex)
    return Person(culture, given, family, patronymic_for(culture, rng, sex), _date(rng), sex)


# --------------------------------------------------------------------------------------------------
# Perturbations of a record, as clerks and forms produce them


def perturb(record: Record, rng: random.Random, strength: float = 1.0) -> Record:
    r = dict(record)
    if rng.random() < 0.12 * strength:
        key = rng.choice(("given", "family"))
        r[key] = typo(r[key], rng)
    if rng.random() < 0.08 * strength:
        r["given"], r["family"] = r["family"], r["given"]
    if rng.random() < 0.3 * strength:
        r["patronymic"] = ""
    roll = rng.random()
    if roll < 0.15 * strength:
        r["birth_date"] = r["birth_date"][:4]
    elif roll < 0.30 * strength:
        r["birth_date"] = ""
    if rng.random() < 0.2 * strength:
        r["sex"] = ""
    if rng.random() < 0.2 * strength:
        r["citizenship"] = ""
    elif rng.random() < 0.04 * strength:
        r["citizenship"] = "RU"  # naturalised since the older record
    if rng.random() < 0.3 * strength:
        r.pop(rng.choice(("patronymic", "citizenship")), None)  # missing keys must be accepted
    return r


# --------------------------------------------------------------------------------------------------
# Pairs


@dataclass(frozen=True)
class Pair:
    a: Record
    b: Record
    same: bool
    kind: str


def _two_schemes(rng: random.Random, culture: Population) -> tuple[str, str]:
    options = schemes_for(culture)
    return rng.choice(options), rng.choice(options)


def positive(rng: random.Random) -> Pair:
    person = new_person(rng)
    sa, sb = _two_schemes(rng, person.culture)
    a = perturb(person.record(rng, sa), rng, 0.3)
    b = perturb(person.record(rng, sb), rng)
    if person.sex == "F" and person.culture.gendered_family and rng.random() < 0.05:
        maiden = family_for(person.culture, rng.choice(person.culture.family), "F")
        b["family"] = render(f"{maiden}-{person.family}", person.culture, sb)  # double surname after marriage
    # Do not let the perturbations erase every clue that could tell a namesake apart; such pairs are
    # undecidable and would only measure luck.
    return Pair(a, b, True, f"same:{sa}/{sb}")


def _sibling(rng: random.Random, person: Person, sex: str) -> Person:
    c = person.culture
    choices = [g for g in (c.male if sex == "M" else c.female) if g != person.given]
    family = person.family
    if c.gendered_family and sex != person.sex:
        family = feminine(person.family) if sex == "F" else person.family[:-1]
    patronymic = person.patronymic
    if c.patronymic in ("ru", "ua", "derived") and sex != person.sex:
        patronymic = ""  # a sister's patronymic has the other ending; leave it out rather than guess
    year = int(person.birth_date[:4])
    return Person(c, rng.choice(choices), family, patronymic, _date(rng, year - 8, year + 8), sex)


def hard_negative(rng: random.Random) -> Pair:
    kind = rng.choice(("brothers", "sisters", "brother_sister", "spouses", "namesakes", "namesakes_year",
                       "father_son", "other_patronymic", "one_letter_family"))  # fmt: skip
    culture = pick_population(rng)
    if kind in ("brother_sister", "spouses"):
        while not culture.gendered_family:
            culture = pick_population(rng)
    person = new_person(rng, culture, "M" if kind in ("brothers", "brother_sister", "spouses", "father_son") else None)
    if kind == "brothers":
        other = _sibling(rng, person, "M")
    elif kind == "sisters":
        person = new_person(rng, culture, "F")
        other = _sibling(rng, person, "F")
    elif kind == "brother_sister":
        other = _sibling(rng, person, "F")
    elif kind == "spouses":
        wife = new_person(rng, culture, "F")
        other = Person(culture, wife.given, feminine(person.family), wife.patronymic, wife.birth_date, "F")
    elif kind in ("namesakes", "namesakes_year"):
        other = Person(culture, person.given, person.family, patronymic_for(culture, rng, person.sex),
                       _date(rng), person.sex)  # fmt: skip
    elif kind == "father_son":
        year = int(person.birth_date[:4])
        son_patronymic = patronymic_for(culture, rng, "M", person.given) if culture.patronymic == "derived" else ""
        other = Person(culture, person.given, person.family, son_patronymic, _date(rng, year + 20, year + 35), "M")
    elif kind == "other_patronymic":
        other = Person(culture, person.given, person.family, patronymic_for(culture, rng, person.sex),
                       _date(rng), person.sex)  # fmt: skip
    else:
        stranger = new_person(rng, culture, person.sex)
        other = Person(culture, stranger.given, typo(person.family, rng), stranger.patronymic,
                       stranger.birth_date, person.sex)  # fmt: skip
    sa, sb = _two_schemes(rng, culture)
    a, b = person.record(rng, sa), other.record(rng, sb)
    if kind == "namesakes_year":
        a["birth_date"], b["birth_date"] = a["birth_date"][:4], b["birth_date"][:4]
    if a["birth_date"][:4] == b["birth_date"][:4] and kind in ("namesakes", "namesakes_year", "other_patronymic"):
        b["birth_date"] = f"{int(b['birth_date'][:4]) + rng.choice((-3, 2, 5))}{b['birth_date'][4:]}"
    if kind != "spouses" and rng.random() < 0.3:
        b = {**b, "patronymic": ""} if kind not in ("other_patronymic", "father_son") else b
    return Pair(a, b, False, f"hard:{kind}")


def random_negative(rng: random.Random) -> Pair:
    a, b = new_person(rng), new_person(rng)
    return Pair(perturb(a.record(rng, "native"), rng), perturb(b.record(rng, "cyrillic"), rng), False, "random")


def generate(n_positive: int = 1200, n_hard: int = 900, n_random: int = 300, seed: int = 9303) -> list[Pair]:
    """The labelled set: deterministic for a given seed."""
    rng = random.Random(seed)
    pairs = [positive(rng) for _ in range(n_positive)]
    pairs += [hard_negative(rng) for _ in range(n_hard)]
    pairs += [random_negative(rng) for _ in range(n_random)]
    return pairs


if __name__ == "__main__":
    for pair in generate()[::97]:
        print(pair.same, pair.kind, pair.a, pair.b, sep="\n  ")
