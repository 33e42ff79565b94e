"""Down-coding a counter-trafficking profile to the categories of CTDC's synthetic dataset.

The profile is stored at HTCDS granularity; CTDC publishes coarser categories. `down_code` is a pure,
deterministic function from a profile's facts to one CTDC row, so an export (later, k-thresholded or
synthesised: never raw rows) is a mapping and not a judgement made per case. `facts_for` reads the
facts of one profile from the database.

Conventions: flags are 1 or 0; None means "not known" (an export writes it as blank or -99). A flag
group is None when the profile records nothing for it (no method of control recorded is "not known",
not "none used"), or when it does not apply (type of labour for someone not exploited for labour).
Column names follow the CTDC synthetic dataset's (see docs/protection.md for what is not verified).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

import pycountry

from waypoint.people.models import BirthDatePrecision, Person

from . import htcds
from .models import TraffickingProfile

X = htcds.TypeOfExploitation
C = htcds.MethodOfControl

# Age bands of `ageBroad`, as (lowest age, label); the last is open-ended.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "0--8"), (9, "9--17"), (18, "18--20"), (21, "21--23"), (24, "24--26"), (27, "27--29"), (30, "30--38"),
    (39, "39--47"), (48, "48+"),
)
GENDER = {"F": "Woman", "M": "Man", "X": "Trans/Transgender/NonConforming"}

LABOUR = frozenset({X.FORCED_LABOUR, X.CHILD_LABOUR})  # child labour is labour exploitation too
SEXUAL = frozenset({X.SEXUAL})

# CTDC's grouped means of control ← the HTCDS methods each group covers. "Other" maps to no group.
MEANS_OF_CONTROL: dict[str, frozenset[str]] = {
    "meansDebtBondageEarnings": frozenset({C.DEBT_BONDAGE, C.TAKES_EARNINGS, C.RESTRICTS_FINANCES}),
    "meansThreats": frozenset({C.PHYSICAL_THREATS, C.THREATS_LAW_ENFORCEMENT, C.THREATENS_FAMILY}),
    "meansAbusePsyPhySex": frozenset({C.PSYCHOLOGICAL_ABUSE, C.PHYSICAL_ABUSE, C.SEXUAL_ABUSE}),
    "meansFalsePromises": frozenset({C.FALSE_PROMISES}),
    "meansDrugsAlcohol": frozenset({C.PSYCHOACTIVE_SUBSTANCE}),
    "meansDenyBasicNeeds": frozenset({C.WITHHOLDS_NECESSITIES, C.RESTRICTS_MEDICAL}),
    "meansExcessiveWorkHours": frozenset({C.EXCESSIVE_HOURS}),
    "meansWithholdDocs": frozenset({C.WITHHOLDS_DOCUMENTS}),
}
# HTCDS knows the recruiter as family, an acquaintance or a stranger: an acquaintance may be a friend or an
# intimate partner, which HTCDS does not say, so only family is kept apart.
RECRUITER_RELATION: dict[str, str] = {
    htcds.RelationshipToTrafficker.FAMILIAL: "Family",
    htcds.RelationshipToTrafficker.ACQUAINTED: "Other",
    htcds.RelationshipToTrafficker.UNACQUAINTED: "Other",
}
RECRUITER_COLUMNS = ("IntimatePartner", "Friend", "Family", "Other")
# ISIC sections → CTDC's types of labour (other sections: none of the four).
TYPE_OF_LABOUR: dict[str, str] = {"A": "Agriculture", "F": "Construction", "T": "DomesticWork", "I": "Hospitality"}
LABOUR_COLUMNS = ("Agriculture", "Construction", "DomesticWork", "Hospitality")
TYPE_OF_SEX: dict[str, str] = {htcds.TypeOfSexualExploitation.PROSTITUTION: "Prostitution",
                               htcds.TypeOfSexualExploitation.PORNOGRAPHY: "Pornography"}
SEX_COLUMNS = ("Prostitution", "Pornography")

COLUMNS: tuple[str, ...] = (
    "yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation",
    "isForcedLabour", "isSexualExploit", "isOtherExploit",
    *MEANS_OF_CONTROL,
    *(f"recruiterRelation{name}" for name in RECRUITER_COLUMNS),
    *(f"typeOfLabour{name}" for name in LABOUR_COLUMNS),
    *(f"typeOfSex{name}" for name in SEX_COLUMNS),
)


@dataclass(frozen=True)
class Facts:
    """What the down-coder reads: the profile's codes and the few facts of the person and case it needs."""

    registered_on: datetime.date
    sex: str = ""
    birth_date: datetime.date | None = None
    birth_date_exact: bool = False
    citizenships: tuple[str, ...] = ()
    relationship_to_trafficker: str = ""
    exploitation_types: tuple[str, ...] = ()
    control_methods: tuple[str, ...] = ()
    forced_labour_industry: str = ""
    sexual_exploitation_type: str = ""
    exploitation_countries: tuple[str, ...] = field(default=())  # in the order of the events


def age_on(birth_date: datetime.date, exact: bool, day: datetime.date) -> int:
    """Age on `day`; with only a year of birth, the year's difference."""
    if not exact:
        return day.year - birth_date.year
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_band(age: int | None) -> str | None:
    if age is None or age < 0:
        return None
    return next(label for lowest, label in reversed(AGE_BANDS) if age >= lowest)


def alpha_3(code: str) -> str | None:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.alpha_3 if country is not None else None


def _flag(value: bool) -> int:
    return 1 if value else 0


def _flags(prefix: str, columns: Iterable[str], chosen: str | None, applies: bool) -> dict[str, int | None]:
    """One 0/1 column per category; all None when not known or not applicable."""
    known = applies and chosen is not None
    return {f"{prefix}{name}": (_flag(name == chosen) if known else None) for name in columns}


def down_code(facts: Facts) -> dict[str, object]:
    """One CTDC row (columns in `COLUMNS` order) for one victim's facts."""
    exploitation = set(facts.exploitation_types)
    row: dict[str, object] = {
        "yearOfRegistration": facts.registered_on.year,
        "gender": GENDER.get(facts.sex),
        "ageBroad": age_band(age_on(facts.birth_date, facts.birth_date_exact, facts.registered_on)
                             if facts.birth_date else None),
        "citizenship": alpha_3(facts.citizenships[0]) if facts.citizenships else None,
        "CountryOfExploitation": alpha_3(facts.exploitation_countries[0]) if facts.exploitation_countries else None,
    }
    if exploitation:
        row["isForcedLabour"] = _flag(bool(exploitation & LABOUR))
        row["isSexualExploit"] = _flag(bool(exploitation & SEXUAL))
        row["isOtherExploit"] = _flag(bool(exploitation - LABOUR - SEXUAL))
    else:
        row.update(isForcedLabour=None, isSexualExploit=None, isOtherExploit=None)
    methods = set(facts.control_methods)
    for column, covered in MEANS_OF_CONTROL.items():
        row[column] = _flag(bool(methods & covered)) if methods else None
    relation = RECRUITER_RELATION.get(facts.relationship_to_trafficker)
    row.update(_flags("recruiterRelation", RECRUITER_COLUMNS, relation, applies=True))
    labour = bool(exploitation & LABOUR)
    industry = facts.forced_labour_industry
    row.update(_flags("typeOfLabour", LABOUR_COLUMNS, TYPE_OF_LABOUR.get(industry, "") if industry else None,
                      applies=labour))
    sex_type = facts.sexual_exploitation_type
    row.update(_flags("typeOfSex", SEX_COLUMNS, TYPE_OF_SEX.get(sex_type, "") if sex_type else None,
                      applies=bool(exploitation & SEXUAL)))
    return {column: row[column] for column in COLUMNS}


def facts_for(profile: TraffickingProfile) -> Facts:
    """The facts of one saved profile: its codes, its case's opening date, its principal and its events."""
    case = profile.case
    person: Person | None = case.principal
    exploitation = [event.country for event in sorted(profile.events.all(),
                                                      key=lambda e: (e.started_on is None, e.started_on, e.pk))
                    if event.event_type == htcds.EventType.EXPLOITATION]
    return Facts(
        registered_on=case.opened_on,
        sex=person.sex if person else "",
        birth_date=person.birth_date if person else None,
        birth_date_exact=bool(person and person.birth_date_precision == BirthDatePrecision.EXACT),
        citizenships=tuple(person.citizenships or ()) if person else (),
        relationship_to_trafficker=profile.relationship_to_trafficker,
        exploitation_types=tuple(profile.exploitation_types or ()),
        control_methods=tuple(profile.control_methods or ()),
        forced_labour_industry=profile.forced_labour_industry,
        sexual_exploitation_type=profile.sexual_exploitation_type,
        exploitation_countries=tuple(exploitation),
    )
