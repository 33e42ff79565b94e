"""The printable directory: the booklet of partner organisations the office sends to consulates and NGOs.

One PDF per language (WeasyPrint renders `partners/print/directory.html`): a title page, a table of
contents by organisation type, then each organisation with its addresses, phones, opening hours and
services. Names of organisations and services are proper names and print as stored; every label, type,
day and heading is translated. Only what the organisation publishes goes in: no contact persons, no
phone lines or email of a person, nothing about referrals; availability (free beds) is left out as
it would be out of date before the booklet is read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from waypoint.accounts import policy
from waypoint.accounts.models import Office
from waypoint.people import codes

from .display import days_in_words, hours_text, language_label
from .eligibility import accepts_label
from .models import (
    Address,
    Language,
    Location,
    LocationType,
    Organisation,
    OrganisationType,
    Phone,
    Schedule,
    Service,
    ServiceStatus,
    Weekday,
)
from .search import Folded, fold
from .taxonomy import service_type_label, types_by_service

TEMPLATE = "partners/print/directory.html"
LANGUAGES = ("en", "ru")

# WeasyPrint logs every layout step of every page at INFO: a booklet would fill the site's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


# --- Words for what is stored as codes ----------------------------------------------------------
# "1MO", "-1FR" (RFC 5545): whole phrases, as the ordinal agrees with the day in many languages
# (первый понедельник, первая среда, первое воскресенье).
DAY_OF_THE_MONTH = {
    (1, "MO"): gettext_lazy("first Monday of the month"),
    (2, "MO"): gettext_lazy("second Monday of the month"),
    (3, "MO"): gettext_lazy("third Monday of the month"),
    (4, "MO"): gettext_lazy("fourth Monday of the month"),
    (-1, "MO"): gettext_lazy("last Monday of the month"),
    (1, "TU"): gettext_lazy("first Tuesday of the month"),
    (2, "TU"): gettext_lazy("second Tuesday of the month"),
    (3, "TU"): gettext_lazy("third Tuesday of the month"),
    (4, "TU"): gettext_lazy("fourth Tuesday of the month"),
    (-1, "TU"): gettext_lazy("last Tuesday of the month"),
    (1, "WE"): gettext_lazy("first Wednesday of the month"),
    (2, "WE"): gettext_lazy("second Wednesday of the month"),
    (3, "WE"): gettext_lazy("third Wednesday of the month"),
    (4, "WE"): gettext_lazy("fourth Wednesday of the month"),
    (-1, "WE"): gettext_lazy("last Wednesday of the month"),
    (1, "TH"): gettext_lazy("first Thursday of the month"),
    (2, "TH"): gettext_lazy("second Thursday of the month"),
    (3, "TH"): gettext_lazy("third Thursday of the month"),
    (4, "TH"): gettext_lazy("fourth Thursday of the month"),
    (-1, "TH"): gettext_lazy("last Thursday of the month"),
    (1, "FR"): gettext_lazy("first Friday of the month"),
    (2, "FR"): gettext_lazy("second Friday of the month"),
    (3, "FR"): gettext_lazy("third Friday of the month"),
    (4, "FR"): gettext_lazy("fourth Friday of the month"),
    (-1, "FR"): gettext_lazy("last Friday of the month"),
    (1, "SA"): gettext_lazy("first Saturday of the month"),
    (2, "SA"): gettext_lazy("second Saturday of the month"),
    (3, "SA"): gettext_lazy("third Saturday of the month"),
    (4, "SA"): gettext_lazy("fourth Saturday of the month"),
    (-1, "SA"): gettext_lazy("last Saturday of the month"),
    (1, "SU"): gettext_lazy("first Sunday of the month"),
    (2, "SU"): gettext_lazy("second Sunday of the month"),
    (3, "SU"): gettext_lazy("third Sunday of the month"),
    (4, "SU"): gettext_lazy("fourth Sunday of the month"),
    (-1, "SU"): gettext_lazy("last Sunday of the month"),
}


# Languages that write the days of the week in lower case inside a sentence ("понедельник-пятница").
LOWER_CASE_DAYS = {"ru"}


def _day(code: str) -> str:
    label = str(Weekday(code).label)
    return label.lower() if translation.get_language() in LOWER_CASE_DAYS else label


def schedule_in_words(schedule: Schedule) -> str:
    """One opening-hours line: "Monday-Friday 09:00-18:00", "First Monday of the month 10:00-14:00"
    (with en dashes).

    RFC 5545 fields the line cannot say (yearly rules, week numbers) leave only the hours and the
    schedule's own description, rather than a wrong sentence.
    """
    hours = hours_text(schedule.opens_at, schedule.closes_at)
    tokens = [token.strip().upper() for token in (schedule.byday or "").split(",") if token.strip()]
    matches = [_BYDAY.match(token) for token in tokens]
    days = ""
    nth = [(int(m.group(1)), m.group(2)) for m in matches if m and m.group(1)]
    # Days of the month or year, week numbers, "every other week": more than a line of words can say.
    beyond_words = bool(schedule.bymonthday or schedule.byweekno or schedule.byyearday) or (schedule.interval or 1) > 1
    if not beyond_words and tokens and all(matches) and all(key in DAY_OF_THE_MONTH for key in nth):
        plain = [m.group(2) for m in matches if not m.group(1)]
        parts = [days_in_words(plain, _day)] if plain else []
        parts += [str(DAY_OF_THE_MONTH[key]) for key in nth]
        days = ", ".join(parts)
    line = " ".join(part for part in (days, hours) if part)
    description = schedule.description.strip()
    if not line:
        return description
    if (beyond_words or (tokens and not days)) and description:
        line = f"{line} ({description})"
    return line[:1].upper() + line[1:]


def hours_of(schedules: Iterable[Schedule]) -> list[str]:
    today = timezone.localdate()
    lines = []
    for schedule in schedules:
        if schedule.valid_to and schedule.valid_to < today:
            continue
        line = schedule_in_words(schedule)
        if line and line not in lines:
            lines.append(line)
    return lines


PHONE_TYPES = {
    "voice": lambda: pgettext("phone type", "phone"),
    "cell": lambda: pgettext("phone type", "mobile"),
    "fax": lambda: pgettext("phone type", "fax"),
    "text": lambda: pgettext("phone type", "text messages"),
    "textphone": lambda: pgettext("phone type", "textphone"),
    "video": lambda: pgettext("phone type", "video call"),
    "pager": lambda: pgettext("phone type", "pager"),
}


def languages_of(languages: Iterable[Language]) -> list[str]:
    """The languages of a service or phone line, by name in the edition's language, each once."""
    return list(dict.fromkeys(name for name in (language_label(lang) for lang in languages) if name))


def phone_in_words(phone: Phone) -> str:
    """"+7 812 123-45-67, ext. 12 (fax; Russian, Tajik)"; the description is the organisation's own text."""
    text = phone.number.strip()
    if phone.extension:
        text += ", " + _("ext. %(extension)s") % {"extension": phone.extension}
    notes = []
    kind = PHONE_TYPES.get((phone.type or "").strip().lower())
    if kind and phone.type.strip().lower() != "voice":
        notes.append(kind())
    if phone.description.strip():
        notes.append(phone.description.strip())
    spoken = languages_of(phone.languages.all())
    if spoken:
        notes.append(", ".join(spoken))
    if notes:
        text += f" ({'; '.join(notes)})"
    return text


def address_lines(address: Address) -> str:
    region = address.region or address.state_province
    if region.strip().casefold() == address.city.strip().casefold():
        region = ""  # Moscow, St Petersburg: the city is the region
    parts = [address.address_1, address.address_2, address.city, region, address.postal_code]
    if address.country:
        parts.append(codes.country_name(address.country.upper()))
    return ", ".join(part.strip() for part in parts if part and part.strip())


def web_link(url: str) -> str:
    """Only web addresses become links in the PDF; anything else prints as text, if at all."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def _label(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


# --- What the template prints -------------------------------------------------------------------
@dataclass
class Place:
    heading: str  # its name, else its city: what tells two offices of one organisation apart
    addresses: list[str]
    postal: list[str]
    phones: list[str]
    hours: list[str]
    website: str = ""
    website_label: str = ""


@dataclass
class ServiceEntry:
    name: str
    alternate_name: str
    status: str
    types: list[str]
    accepts: str
    languages: list[str]
    phones: list[str]
    hours: list[str]
    email: str
    website: str
    website_label: str
    capacity: str


@dataclass
class Entry:
    anchor: str
    name: str
    alternate_name: str
    city: str
    places: list[Place]
    phones: list[str]
    email: str
    website: str
    website_label: str
    services: list[ServiceEntry] = field(default_factory=list)


@dataclass
class Section:
    code: str
    label: str
    entries: list[Entry]


def organisations(
    *, organisation_types: Iterable[str] | None = None, region: str | None = None, user=None,
) -> QuerySet:
    """Active organisations with everything the booklet prints, in a fixed number of queries.

    With a `user` (the download), organisations and services go through the access policy like any
    list; without one (the command an administrator runs), the whole directory.
    """
    services = Service.objects.exclude(status=ServiceStatus.DEFUNCT)
    queryset = Organisation.objects.filter(is_active=True)
    if user is not None:
        services = policy.scope(user, services)
        queryset = policy.scope(user, queryset)
    own_phones = Phone.objects.filter(contact__isnull=True).prefetch_related("languages").order_by("number")
    queryset = queryset.prefetch_related(
        Prefetch("phones", queryset=own_phones.filter(location__isnull=True, service__isnull=True)),
        Prefetch(
            "locations",
            queryset=Location.objects.order_by("name").prefetch_related(
                "addresses", Prefetch("phones", queryset=own_phones), "schedules",
            ),
        ),
        Prefetch(
            "services",
            queryset=services.order_by("name").prefetch_related(
                "languages", "schedules", Prefetch("phones", queryset=own_phones),
            ),
        ),
    )
    if organisation_types is not None:
        queryset = queryset.filter(organisation_type__in=list(organisation_types))
    if region:  # as the directory page filters: any case, in any script, on SQLite too
        queryset = queryset.annotate(_region=Folded("region")).filter(_region=fold(region.strip()))
    return queryset


def _sort_key(name: str) -> str:
    return name.casefold().lstrip("\"'«“„ ")


def _place(location: Location) -> Place:
    addresses = list(location.addresses.all())
    website = web_link(location.url) if location.location_type == LocationType.VIRTUAL else ""
    return Place(
        heading=location.name.strip() or next((a.city.strip() for a in addresses if a.city.strip()), ""),
        addresses=[address_lines(a) for a in addresses if a.address_type != LocationType.POSTAL],
        postal=[address_lines(a) for a in addresses if a.address_type == LocationType.POSTAL],
        phones=[phone_in_words(phone) for phone in location.phones.all()],
        hours=hours_of(location.schedules.all()),
        website=website,
        website_label=_label(website),
    )


def _service(service: Service, types: list[str]) -> ServiceEntry:
    website = web_link(service.url)
    return ServiceEntry(
        name=service.name,
        alternate_name=service.alternate_name,
        status="" if service.status == ServiceStatus.ACTIVE else service.get_status_display(),
        types=[service_type_label(code) for code in types],
        accepts=accepts_label(service),
        languages=languages_of(service.languages.all()),
        phones=[phone_in_words(phone) for phone in service.phones.all()],
        hours=hours_of(service.schedules.all()),
        email=service.email,
        website=website,
        website_label=_label(website),
        capacity=ngettext("%(count)d place", "%(count)d places", service.capacity) % {"count": service.capacity}
        if service.capacity else "",
    )


def sections(
    *, organisation_types: Iterable[str] | None = None, region: str | None = None, user=None,
) -> list[Section]:
    """Organisations grouped by type (in `OrganisationType` order), sorted by name within each type."""
    found = list(organisations(organisation_types=organisation_types, region=region, user=user))
    service_ids = [service.id for organisation in found for service in organisation.services.all()]
    types = types_by_service(service_ids)
    by_type: dict[str, list[Entry]] = {}
    for organisation in found:
        website = web_link(organisation.website)
        entry = Entry(
            anchor=f"org-{organisation.pk}",
            name=organisation.name,
            alternate_name=organisation.alternate_name,
            city=organisation.city,
            places=[place for place in map(_place, organisation.locations.all())
                    if place.addresses or place.postal or place.phones or place.hours or place.website],
            phones=[phone_in_words(phone) for phone in organisation.phones.all()],
            email=organisation.email,
            website=website,
            website_label=_label(website),
            services=[_service(service, types.get(service.id, [])) for service in organisation.services.all()],
        )
        by_type.setdefault(organisation.organisation_type, []).append(entry)
    result = []
    for kind in OrganisationType:
        entries = by_type.pop(kind.value, [])
        if entries:
            result.append(Section(kind.value, str(kind.label), sorted(entries, key=lambda e: _sort_key(e.name))))
    leftovers = [entry for entries in by_type.values() for entry in entries]
    if leftovers:  # a type this version does not know (an import from another system)
        leftovers.sort(key=lambda e: _sort_key(e.name))
        result.append(Section("unknown", str(OrganisationType.OTHER.label), leftovers))
    return result


def css_string(text: str) -> str:
    """A CSS string literal that is also safe inside <style> (no quote, backslash or markup survives)."""
    return '"' + "".join(
        char if char.isalnum() or char in " .,:;-()/" else f"\\{ord(char):x} " for char in text
    ) + '"'


def page_counter_css() -> str:
    """The footer's "Page 3 of 12" as a CSS `content` value, from one translatable sentence."""
    sentence = _("Page %(page)s of %(pages)s")
    pieces = re.split(r"(%\(page\)s|%\(pages\)s)", sentence)
    out = []
    for piece in pieces:
        if piece == "%(page)s":
            out.append("counter(page)")
        elif piece == "%(pages)s":
            out.append("counter(pages)")
        elif piece:
            out.append(css_string(piece))
    return " ".join(out)


def publishing_office() -> str:
    """The office the booklet is published by: the mission office (the one not part of another)."""
    office = Office.objects.filter(kind=Office.Kind.MISSION_OFFICE, parent__isnull=True).order_by("name").first()
    return office.name if office else ""


def render_html(
    language: str, *, organisation_types=None, region=None, user=None, edition: date | None = None,
) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"The directory is printed in {' or '.join(LANGUAGES)}, not {language!r}.")
    with translation.override(language):
        edition = edition or timezone.localdate()
        found = sections(organisation_types=organisation_types, region=region, user=user)
        context = {
            "language": language,
            "sections": found,
            "organisation_count": sum(len(section.entries) for section in found),
            "office": publishing_office(),
            "edition": formats.date_format(edition, "j E Y"),
            "region": (region or "").strip(),
            "filtered_types": [str(OrganisationType(code).label) for code in organisation_types or []
                               if code in OrganisationType.values],
            "page_counter": page_counter_css(),
        }
        return render_to_string(TEMPLATE, context)


def directory_pdf(language: str, *, organisation_types=None, region=None, user=None) -> bytes:
    """The directory as a PDF in `language` ("en" or "ru"), optionally of some types or one region, of what
    `user` may see when given."""
    # Imported here: loading Pango costs a moment that the rest of the site does not need to pay.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(language, organisation_types=organisation_types, region=region, user=user)
    # The booklet is made from text alone: no protocol is allowed, so nothing is ever fetched.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=frozenset())).write_pdf()


def filename(language: str, edition: date | None = None) -> str:
    return f"waypoint-directory-{language}-{(edition or timezone.localdate()).isoformat()}.pdf"
