"""Searching the directory: text in any script, and filters on organisations and their services.

Case-insensitive search must work for Cyrillic on SQLite too, whose LOWER() and LIKE fold ASCII only.
`Folded` lower-cases in the database: on SQLite through a Python function registered on the connection
(Python's str.lower knows every script), on PostgreSQL with LOWER(), which is Unicode-aware. Both also
read the Cyrillic "yo" as "ye", as Russian writers mostly do. No extra column is kept, so imports and the
back office need not maintain one; a directory of a few thousand rows is scanned in milliseconds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from waypoint.accounts import policy

from . import eligibility, taxonomy
from .models import Language, Organisation, Service, ServiceStatus

ORGANISATION_TEXT = ("name", "alternate_name", "description")
SERVICE_TEXT = ("name", "alternate_name", "description")
MAX_WORDS = 8
_SQLITE_FUNCTION = "waypoint_fold"
YO, YE = "\N{CYRILLIC SMALL LETTER IO}", "\N{CYRILLIC SMALL LETTER IE}"


def fold(text: str) -> str:
    """The form text is compared in: lower case, Cyrillic "yo" read as "ye"."""
    return (text or "").lower().replace(YO, YE)


def words(query: str) -> list[str]:
    """The folded words of a query; every one must be found."""
    return [fold(word) for word in (query or "").split()][:MAX_WORDS]


def _register_sqlite_function(connection) -> None:
    connection.ensure_connection()
    connection.connection.create_function(_SQLITE_FUNCTION, 1, _sqlite_fold, deterministic=True)


def _sqlite_fold(value):
    return fold(value) if isinstance(value, str) else value


class Folded(Func):
    """fold() in SQL, on SQLite and PostgreSQL alike."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Registering is cheap and idempotent; done here, it holds for whichever connection runs the query.
        _register_sqlite_function(connection)
        return self.as_sql(compiler, connection, function=_SQLITE_FUNCTION, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=f"TRANSLATE(LOWER(%(expressions)s), '{YO}', '{YE}')",
                           **extra_context)

    def as_sql(self, compiler, connection, function=None, template=None, **extra_context):
        return super().as_sql(compiler, connection, function=function or "LOWER", template=template,
                              **extra_context)


def _text(prefix: str, names: Iterable[str]) -> Folded:
    parts = []
    for name in names:
        parts += [F(f"{prefix}{name}"), Value(" ")]
    return Folded(Concat(*parts[:-1], output_field=CharField()))


@dataclass
class DirectoryQuery:
    """What the user asked the directory: everything optional."""

    q: str = ""
    organisation_type: str = ""
    country: str = ""
    region: str = ""
    service_type: str = ""
    language: str = ""
    sex: str = ""
    age: int | None = None
    nationality: str = ""
    exploitation_type: str = ""
    accepting_now: bool = False
    words: list[str] = field(init=False)

    def __post_init__(self):
        self.words = words(self.q)

    @property
    def person(self) -> dict:
        return {"sex": self.sex, "age": self.age, "nationality": self.nationality,
                "exploitation_type": self.exploitation_type}

    @property
    def filters_services(self) -> bool:
        """True when the question is about services (a type, a language, who is accepted, room now)."""
        return bool(self.service_type or self.language or self.accepting_now or any(
            value not in ("", None) for value in self.person.values()))


def accepting_now_q(prefix: str = "") -> Q:
    """Services that would take someone now, as far as the service itself goes (eligibility.closed_reasons)."""
    return Q(**{f"{prefix}status": ServiceStatus.ACTIVE, f"{prefix}accepting_referrals": True}) & ~Q(
        **{f"{prefix}available": 0})


def matching_services(user, query: DirectoryQuery) -> QuerySet[Service]:
    """The active organisations' services that answer the service side of the query (not the text)."""
    services = policy.scope(user, Service.objects.filter(organization__is_active=True))
    if query.service_type:
        services = services.filter(id__in=taxonomy.service_ids_of_type(query.service_type))
    if query.language:
        services = services.filter(Exists(Language.objects.filter(service=OuterRef("pk"), code=query.language)))
    if query.accepting_now:
        services = services.filter(accepting_now_q())
    if query.age is not None:
        services = services.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=query.age)).filter(
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=query.age))
    if query.sex or query.nationality or query.exploitation_type:
        # Acceptance lists are JSON, which SQLite cannot search inside portably: the rules are eligibility's.
        rows = services.only("id", "accepts_sexes", "accepts_nationalities", "accepts_exploitation_types",
                             "minimum_age", "maximum_age")
        accepted = [row.id for row in rows if not eligibility.person_reasons(row, **query.person)]
        services = services.filter(id__in=accepted)
    return services


def search(user, query: DirectoryQuery, *, include_inactive: bool = False) -> QuerySet[Organisation]:
    """The active organisations the user may see that answer the whole query, by name (inactive ones too
    when asked: administrators look for them to reactivate them)."""
    organisations = policy.scope(user, Organisation.objects.all() if include_inactive
                                 else Organisation.objects.filter(is_active=True))
    if query.organisation_type:
        organisations = organisations.filter(organisation_type=query.organisation_type)
    if query.country:
        organisations = organisations.filter(country=query.country)
    if query.region:
        organisations = organisations.annotate(_region=Folded("region")).filter(_region=fold(query.region))
    if query.filters_services:
        organisations = organisations.filter(
            Exists(matching_services(user, query).filter(organization=OuterRef("pk"))))
    if query.words:
        organisations = organisations.annotate(_text=_text("", ORGANISATION_TEXT))
        services = policy.scope(user, Service.objects.all()).annotate(_text=_text("", SERVICE_TEXT))
        for word in query.words:
            organisations = organisations.filter(
                Q(_text__contains=word) | Exists(services.filter(organization=OuterRef("pk"), _text__contains=word)))
    return organisations.order_by("name", "id")


def filter_services_by_words(services: QuerySet[Service], query_words: list[str]) -> QuerySet[Service]:
    """Services whose own text or their organisation's holds every word."""
    if not query_words:
        return services
    services = services.annotate(_text=_text("", SERVICE_TEXT), _org_text=_text("organization__", ORGANISATION_TEXT))
    for word in query_words:
        services = services.filter(Q(_text__contains=word) | Q(_org_text__contains=word))
    return services


def services_to_show(
    organisation: Organisation, candidates: list[Service], query: DirectoryQuery,
) -> list[Service]:
    """Which of an organisation's services a result shows: those the query is about.

    `candidates` are its services that answer the service filters. With words, those whose own text
    (or their organisation's) holds every word come first; if none does, all candidates are shown.
    """
    if not query.words:
        return candidates
    own = fold(" ".join(getattr(organisation, name) for name in ORGANISATION_TEXT))
    matched = [
        service for service in candidates
        if all(word in own or word in fold(" ".join(getattr(service, name) for name in SERVICE_TEXT))
               for word in query.words)
    ]
    return matched or candidates


def region_choices(user) -> list[str]:
    """The regions organisations are in, as written, for the region filter."""
    regions = policy.scope(user, Organisation.objects.filter(is_active=True)).exclude(region="").values_list(
        "region", flat=True).distinct()
    return sorted(set(regions), key=fold)


def country_codes(user) -> list[str]:
    return sorted(set(policy.scope(user, Organisation.objects.filter(is_active=True)).exclude(country="").values_list(
        "country", flat=True)))


def language_codes(user) -> list[str]:
    """The languages services work in, as recorded."""
    visible = policy.scope(user, Service.objects.filter(organization__is_active=True))
    return sorted(set(Language.objects.filter(service__in=visible).exclude(code="").values_list("code", flat=True)))


def service_ids(services: Iterable[Service]) -> list[uuid.UUID]:
    return [service.id for service in services]
