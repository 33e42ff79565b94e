"""The matching index: hashed blocking keys (`matching.name_keys`) of every name form of a person.

Keys are stored as signed 64-bit hashes, which keeps the index small and fast at a million persons; a
rare collision only adds a candidate that the scorer then rejects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from .matching import name_keys
from .models import NameKey, Person

# The kind of a key, from its prefix: broad keys are looked up only when selective ones are not enough.
KINDS = {"n": 1, "g": 2, "f": 3, "y": 4, "p": 5}
BROAD_KINDS = frozenset({1, 2})
SELECTIVE_KINDS = frozenset({3, 4, 5})


def key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def hashed_keys(records: Iterable[Mapping[str, object]]) -> dict[int, int]:
    """{hash: kind} for all keys of all the given name records."""
    result: dict[int, int] = {}
    for record in records:
        for key in name_keys(record):
            result[key_hash(key)] = KINDS[key[0]]
    return result


def query_keys(record: Mapping[str, object]) -> dict[int, int]:
    """Keys to look up for a record typed by a user: as given, and with given and family swapped."""
    swapped = dict(record)
    swapped["given"], swapped["family"] = record.get("family", ""), record.get("given", "")
    return hashed_keys((record, swapped))


def person_records(person: Person, aliases: Iterable | None = None) -> list[dict[str, str]]:
    """Every name form of the person as a matching record: as written, in Latin, and each alias."""
    base = {
        "birth_date": person.birth_date_text(),
        "sex": person.sex if person.sex in ("F", "M") else "",
        "citizenship": (person.citizenships or [""])[0],
    }
    forms = [
        (person.given_name, person.family_name, person.patronymic),
        (person.given_name_latin, person.family_name_latin, person.patronymic_latin),
    ]
    for alias in person.aliases.all() if aliases is None else aliases:
        forms.append((alias.given_name, alias.family_name, alias.patronymic))
    records, seen = [], set()
    for given, family, patronymic in forms:
        if not (given or family) or (given, family, patronymic) in seen:
            continue
        seen.add((given, family, patronymic))
        records.append({**base, "given": given, "family": family, "patronymic": patronymic})
    return records


def key_rows(person: Person, aliases: Iterable | None = None) -> list[NameKey]:
    return [
        NameKey(person_id=person.pk, key=key, kind=kind)
        for key, kind in hashed_keys(person_records(person, aliases)).items()
    ]


def reindex(person: Person) -> None:
    """Replace the person's keys; merged-away records keep none (their survivor carries their names)."""
    NameKey.objects.filter(person=person).delete()
    if person.merged_into_id is None:
        NameKey.objects.bulk_create(key_rows(person))
