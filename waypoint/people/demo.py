# ruff: noqa: S311 (demo data, not secrets)
"""Demo persons for `make run`: about 300 realistic persons over the demo programmes.

Generated persons (``people.generator``) are registered by the demo users of each programme through
``services.register`` (validated, indexed and audited, as a clerk's registration would be), with some
identity documents and other names.  A few deliberate duplicates across scripts and schemes (Юлия
Ковальчук / Iuliia Kovalchuk, Чинеду Окафор / Chinedu Okafor with one passport number ...) make the
duplicate warning show and give ``find_duplicates`` work; siblings and namesakes show what must not be
merged.  RES and MH have no demo user: their persons are registered without one, from the Moscow
office, so that the other users meet them only as "known to another programme".

Loading is idempotent: a second run finds the first deliberate person and adds nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from typing import Any

from waypoint.accounts.models import Office, User

from . import duplicates, generator, index, services
from .models import AliasKind, DocumentType, IdentityDocument, Person, PersonAlias, ProgrammeRegistration

SEED = 2026
GENERATED = 280
PROGRAMME_WEIGHTS = (("CT", 30), ("ICC", 30), ("AVRR", 20), ("RES", 10), ("MH", 10))
# Who registers in each programme (first one most often); none for RES and MH.
REGISTRARS = {"CT": ("caseworker", "manager"), "ICC": ("operator", "manager"), "AVRR": ("returns",)}
FALLBACK_OFFICE = "moscow"

D = datetime.date
# Deliberate records: (programme, registrar, person fields, other names, identity documents).  Consecutive
# records marked with the same letter are one person (a duplicate) unless the comment says otherwise.
DELIBERATE: list[tuple[str, str | None, dict[str, Any], list[dict[str, str]], list[dict[str, Any]]]] = [
    # A: a Ukrainian woman, in Cyrillic at the rehabilitation centre, from her passport at the hotline.
    ("CT", "caseworker", {"family_name": "Ковальчук", "given_name": "Юлия", "patronymic": "Андреевна", "sex": "F",
                          "birth_date": D(1991, 3, 14), "citizenships": ["UA"], "languages": ["uk", "ru"]},
     [{"kind": AliasKind.PREVIOUS, "family_name": "Бондар", "given_name": "Юлия"}], []),
    ("ICC", "operator", {"family_name": "Kovalchuk", "given_name": "Iuliia", "sex": "F", "birth_date": D(1991, 3, 14),
                         "citizenships": ["UA"], "languages": ["uk"]},
     [], [{"document_type": DocumentType.PASSPORT, "number": "FE 482915", "issuing_country": "UA",
           "issued_on": D(2019, 6, 3), "expires_on": D(2029, 6, 3)}]),
    # B: an Uzbek man, year of birth only on the second record.
    ("AVRR", "returns", {"family_name": "Рахимов", "given_name": "Джамшид", "patronymic": "Бахтиёрович", "sex": "M",
                         "birth_date": D(1988, 7, 2), "citizenships": ["UZ"], "languages": ["uz", "ru"]},
     [{"kind": AliasKind.ALIAS, "family_name": "Рахимов", "given_name": "Джамик"}],
     [{"document_type": DocumentType.PASSPORT, "number": "FA 1837264", "issuing_country": "UZ",
       "issued_on": D(2018, 2, 20), "expires_on": D(2028, 2, 19)}]),
    ("CT", "caseworker", {"family_name": "Rakhimov", "given_name": "Jamshid", "sex": "M", "birth_date": D(1988, 1, 1),
                          "birth_date_precision": "year", "citizenships": ["UZ"]}, [], []),
    # C: a Nigerian man, Latin and Cyrillic, the same passport on both records (search by number finds both).
    ("CT", "manager", {"family_name": "Okafor", "given_name": "Chinedu", "sex": "M", "birth_date": D(1995, 11, 20),
                       "citizenships": ["NG"], "languages": ["en", "ig"], "phone": "+7 925 314-27-80"},
     [], [{"document_type": DocumentType.PASSPORT, "number": "A07345126", "issuing_country": "NG",
           "issued_on": D(2020, 1, 15), "expires_on": D(2030, 1, 14)}]),
    ("ICC", "operator", {"family_name": "Окафор", "given_name": "Чинеду", "sex": "M", "birth_date": D(1995, 11, 20),
                         "citizenships": ["NG"], "languages": ["en"]},
     [], [{"document_type": DocumentType.PASSPORT, "number": "A 0734 5126", "issuing_country": "NG"}]),
    # D: Ukrainian Cyrillic and its Russian form.
    ("ICC", "operator", {"family_name": "Шевченко", "given_name": "Олена", "patronymic": "Петрівна", "sex": "F",
                         "birth_date": D(1979, 5, 9), "citizenships": ["UA"], "languages": ["uk"]}, [], []),
    ("CT", "caseworker", {"family_name": "Шевченко", "given_name": "Елена", "patronymic": "Петровна", "sex": "F",
                          "birth_date": D(1979, 5, 9), "citizenships": ["UA", "RU"], "languages": ["ru"]}, [], []),
    # E: an Afghan woman known to resettlement; registered again in Cyrillic at migration health.
    ("RES", None, {"family_name": "Ahmadi", "given_name": "Fatima", "sex": "F", "birth_date": D(2001, 1, 30),
                   "citizenships": ["AF"], "languages": ["fa"]},
     [], [{"document_type": DocumentType.REFUGEE_DOCUMENT, "number": "UNHCR-275-00412", "issuing_country": "RU",
           "issued_on": D(2022, 9, 1)}]),
    ("MH", None, {"family_name": "Ахмади", "given_name": "Фатима", "sex": "F", "birth_date": D(2001, 1, 1),
                  "birth_date_precision": "year", "citizenships": ["AF"]}, [], []),
    # F: a Tajik man, in capitals from his passport the second time.
    ("AVRR", "returns", {"family_name": "Сафаров", "given_name": "Фаррух", "patronymic": "Кодирович", "sex": "M",
                         "birth_date": D(1993, 9, 12), "citizenships": ["TJ"], "languages": ["tg", "ru"]},
     [], [{"document_type": DocumentType.MIGRATION_CARD, "number": "4617 2093381", "issuing_country": "RU",
           "issued_on": D(2024, 3, 2), "expires_on": D(2024, 12, 1)}]),
    ("ICC", "operator", {"family_name": "SAFAROV", "given_name": "FARRUKH", "sex": "M", "birth_date": D(1993, 9, 12),
                         "citizenships": ["TJ"]}, [], []),
    # G: a Ghanaian man, given and family name swapped on the first record.
    ("CT", "caseworker", {"family_name": "Kwame", "given_name": "Mensah", "sex": "M", "birth_date": D(1990, 4, 4),
                          "citizenships": ["GH"], "languages": ["en", "ak"]}, [], []),
    ("ICC", "manager", {"family_name": "Mensah", "given_name": "Kwame", "sex": "M", "birth_date": D(1990, 4, 4),
                        "citizenships": ["GH"]}, [], []),
    # H: a Russian man, and his name as a German document spells it.
    ("CT", "caseworker", {"family_name": "Кузнецов", "given_name": "Дмитрий", "patronymic": "Сергеевич", "sex": "M",
                          "birth_date": D(1985, 2, 17), "citizenships": ["RU"], "languages": ["ru"]},
     [], [{"document_type": DocumentType.INTERNAL_PASSPORT, "number": "45 08 613274", "issuing_country": "RU",
           "issued_on": D(2005, 3, 10)}]),
    ("MH", None, {"family_name": "Kusnezow", "given_name": "Dmitrij", "sex": "M", "birth_date": D(1985, 2, 17),
                  "citizenships": ["RU"], "languages": ["ru", "de"]}, [], []),
    # Not duplicates: his sister (same family name and patronymic), and a namesake born 23 years earlier.
    ("CT", "caseworker", {"family_name": "Кузнецова", "given_name": "Анна", "patronymic": "Сергеевна", "sex": "F",
                          "birth_date": D(1988, 6, 23), "citizenships": ["RU"], "languages": ["ru"]}, [], []),
    ("ICC", "operator", {"family_name": "Кузнецов", "given_name": "Дмитрий", "patronymic": "Сергеевич", "sex": "M",
                         "birth_date": D(1962, 10, 5), "citizenships": ["RU"], "languages": ["ru"]}, [], []),
    # I: a typo in the family name.
    ("ICC", "operator", {"family_name": "Абдуллаев", "given_name": "Шерзод", "sex": "M", "birth_date": D(1997, 12, 1),
                         "citizenships": ["UZ"], "languages": ["uz"]}, [], []),
    ("CT", "manager", {"family_name": "Абдулаев", "given_name": "Шерзод", "sex": "M", "birth_date": D(1997, 12, 1),
                       "citizenships": ["UZ"]}, [], []),
]  # fmt: skip

DELIBERATE_DUPLICATES = 9  # pairs A-I above


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _letters(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("ABCEHKMNPTX") for _ in range(count))


# Passport numbers as each country prints them (plausible formats; never real numbers).
_PASSPORTS = {
    "RU": lambda rng: f"{_digits(rng, 2)} {_digits(rng, 7)}", "UA": lambda rng: f"F{_letters(rng, 1)}{_digits(rng, 6)}",
    "TJ": lambda rng: f"400{_digits(rng, 6)}", "UZ": lambda rng: f"{rng.choice(('AA', 'AB', 'FA'))}{_digits(rng, 7)}",
    "KG": lambda rng: f"AC{_digits(rng, 7)}", "KZ": lambda rng: f"N{_digits(rng, 8)}",
    "GE": lambda rng: f"{_digits(rng, 2)}{_letters(rng, 2)}{_digits(rng, 5)}", "AM": lambda rng: f"AR{_digits(rng, 7)}",
    "AZ": lambda rng: f"C{_digits(rng, 8)}", "AF": lambda rng: f"P{_digits(rng, 8)}",
    "NG": lambda rng: f"A{_digits(rng, 8)}", "GH": lambda rng: f"G{_digits(rng, 7)}",
    "ET": lambda rng: f"EP{_digits(rng, 7)}", "CD": lambda rng: f"OB{_digits(rng, 7)}",
}  # fmt: skip


def _document(person: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A passport of the person's country, or a migration card issued in Russia; issued after the 14th birthday."""
    country = (person["citizenships"] or ["RU"])[0]
    born = person["birth_date"] or D(1985, 1, 1)
    if born.year + 14 >= 2024:  # a child: the birth certificate
        number = f"IV-МЮ {_digits(rng, 6)}" if country == "RU" else _digits(rng, 9)
        return {"document_type": DocumentType.BIRTH_CERTIFICATE, "number": number, "issuing_country": country,
                "issued_on": born + datetime.timedelta(days=rng.randrange(3, 40))}
    earliest = max(born.replace(year=born.year + 14, day=min(born.day, 28)), D(2010, 1, 1))
    issued = earliest + datetime.timedelta(days=rng.randrange(max(1, (D(2024, 12, 1) - earliest).days)))
    if country != "RU" and rng.random() < 0.3:
        return {"document_type": DocumentType.MIGRATION_CARD, "number": f"{_digits(rng, 4)} {_digits(rng, 7)}",
                "issuing_country": "RU", "issued_on": issued, "expires_on": issued + datetime.timedelta(days=90)}
    kind = DocumentType.INTERNAL_PASSPORT if country == "RU" else DocumentType.PASSPORT
    return {"document_type": kind, "number": _PASSPORTS.get(country, _PASSPORTS["RU"])(rng), "issuing_country": country,
            "issued_on": issued, "expires_on": issued.replace(year=issued.year + 10) - datetime.timedelta(days=1)}


def _register(
    fields: dict[str, Any], programme: str, user: User | None, office: Office | None,
    aliases: list[dict[str, str]], documents: list[dict[str, Any]],
) -> Person:
    """As a clerk of the programme would (services, audited); without a user, the same steps directly."""
    if user is not None and programme in (user.programmes or []):
        person = services.register(user, fields, programme=programme, aliases=aliases)
        for document in documents:
            services.add_document(user, person, document)
        return person
    person = Person(**fields)
    services.fill_latin(person)
    person.full_clean()
    person.save()
    for alias in aliases:
        other = PersonAlias(person=person, **alias)
        other.full_clean()
        other.save()
    ProgrammeRegistration.objects.create(person=person, programme=programme, office=office)
    for document in documents:
        record = IdentityDocument(person=person, **document)
        record.full_clean()
        record.save()
    index.reindex(person)
    return person


def load(stdout, *, generated: int = GENERATED) -> None:
    first = DELIBERATE[0][2]
    marker = Person.objects.filter(
        family_name=first["family_name"], given_name=first["given_name"], birth_date=first["birth_date"]
    )
    if marker.exists():
        stdout.write(f"Demo people already loaded ({Person.objects.count()} persons).")
        return
    users = {user.username: user for user in User.objects.filter(username__in={*sum(REGISTRARS.values(), ())})}
    fallback = Office.objects.filter(code=FALLBACK_OFFICE).first()
    rng = random.Random(SEED)
    programmes: Counter[str] = Counter()
    documents = aliases = 0

    def registrar(programme: str) -> tuple[User | None, Office | None]:
        names = REGISTRARS.get(programme, ())
        user = users.get(names[0] if len(names) == 1 or rng.random() < 0.7 else names[1]) if names else None
        return user, (user.office if user and user.office else fallback)

    for programme, username, fields, other_names, papers in DELIBERATE:
        user = users.get(username) if username else None
        _register(dict(fields), programme, user, user.office if user else fallback, other_names, papers)
        programmes[programme] += 1
        documents += len(papers)
        aliases += len(other_names)

    codes, weights = zip(*PROGRAMME_WEIGHTS, strict=True)
    re_registered = 0
    for number, person in enumerate(generator.generate(generated, seed=SEED, duplicate_share=0.06)):
        programme = rng.choices(codes, weights=weights)[0]
        user, office = registrar(programme)
        papers = [_document(person, rng)] if rng.random() < 0.35 else []
        other_names = []
        if number % 12 == 7:  # the spelling of a passport (Latin) or of a Russian form, kept as another name
            identity = person["identity"]
            scheme = "icao_2013" if identity.population.cyrillic else "cyrillic"
            given, family, _patronymic = generator.write(identity, scheme, rng)
            if (given, family) != (person["given_name"], person["family_name"]):
                kind = AliasKind.PASSPORT if identity.population.cyrillic else AliasKind.OTHER_SPELLING
                other_names = [{"kind": kind, "family_name": family, "given_name": given}]
        _register(generator.person_fields(person), programme, user, office, other_names, papers)
        programmes[programme] += 1
        documents += len(papers)
        aliases += len(other_names)
        re_registered += person["duplicate_of"] is not None

    spread = ", ".join(f"{code} {programmes[code]}" for code in codes)
    stdout.write(
        f"Demo people: {sum(programmes.values())} persons ({spread}), "
        f"{DELIBERATE_DUPLICATES + re_registered} registered twice in other spellings, "
        f"{documents} identity documents, {aliases} other names."
    )
    # Fill the managers' review list, as the nightly `find_duplicates` would.
    found = duplicates.scan()
    stdout.write(f"Possible duplicates queued for review: {found.pairs_written}.")
