"""Directory facts in words: opening hours from HSDS schedules, languages by name.

Used by the directory pages and usable by anything else that shows the directory (printable directory,
referral forms); reading only, nothing here changes state.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from waypoint.people import codes

from .models import Address, Language, Schedule, Weekday

DAY_ORDER = [day.value for day in Weekday]


def _short_day(code: str) -> str:
    names = {
        "MO": pgettext("weekday", "Mon"), "TU": pgettext("weekday", "Tue"), "WE": pgettext("weekday", "Wed"),
        "TH": pgettext("weekday", "Thu"), "FR": pgettext("weekday", "Fri"), "SA": pgettext("weekday", "Sat"),
        "SU": pgettext("weekday", "Sun"),
    }
    return names.get(code, code)


def days_in_words(days: Iterable[str], label: Callable[[str], str] = _short_day) -> str:
    """Day codes as people write them, each day named by `label`: three or more days in a row as a range
    ("Mon-Fri, Sun"), all seven as "Every day". The directory pages use short names, the printable
    directory whole ones ("Monday-Friday"): one rule for both."""
    ordered = sorted(set(days), key=DAY_ORDER.index)
    if not ordered:
        return ""
    if len(ordered) == len(DAY_ORDER):
        return _("Every day")
    runs: list[list[str]] = []
    for day in ordered:
        if runs and DAY_ORDER.index(day) == DAY_ORDER.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{label(run[0])}\N{EN DASH}{label(run[-1])}")
        else:
            parts.extend(label(day) for day in run)
    return ", ".join(parts)


def days_text(byday: str) -> str:
    """"MO,TU,WE,TH,FR,SA" -> "Mon-Sat"; "MO,WE,FR" -> "Mon, Wed, Fri"; every day -> "Every day"."""
    return days_in_words(d.strip().upper()[-2:] for d in (byday or "").split(",")
                         if d.strip()[-2:].upper() in DAY_ORDER)


def _time(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def hours_text(opens_at: datetime.time | None, closes_at: datetime.time | None) -> str:
    if opens_at is None and closes_at is None:
        return ""
    if opens_at == datetime.time(0, 0) and closes_at in (datetime.time(23, 59), datetime.time(0, 0)):
        return _("round the clock")
    if opens_at is not None and closes_at is not None:
        return f"{_time(opens_at)}\N{EN DASH}{_time(closes_at)}"
    if opens_at is not None:
        return _("from %(time)s") % {"time": _time(opens_at)}
    return _("until %(time)s") % {"time": _time(closes_at)}


def opening_hours(schedule: Schedule) -> str:
    """One schedule as people read it: "Mon-Fri 09:00-18:00" (with en dashes), with its description when it has one."""
    days, hours = days_text(schedule.byday), hours_text(schedule.opens_at, schedule.closes_at)
    if days == _("Every day") and hours == _("round the clock"):
        days, hours = _("Round the clock, every day"), ""
    when = " ".join(part for part in (days, hours) if part)
    if schedule.freq == "MONTHLY" and schedule.bymonthday and not schedule.byday:
        when = " ".join(part for part in (
            _("monthly, on day %(days)s") % {"days": schedule.bymonthday},
            hours_text(schedule.opens_at, schedule.closes_at)) if part)
    description = (schedule.description or "").strip()
    if when and description:
        return f"{when} ({description})"
    return when or description or _("Hours not given")


def address_lines(address: Address) -> list[str]:
    """An address as it is written on an envelope: street, postcode and city, region, country by name."""
    street = ", ".join(part for part in (address.address_1, address.address_2) if part and part != "—")
    town = " ".join(part for part in (address.postal_code, address.city) if part)
    region = address.region if address.region and address.region != address.city else ""
    country = codes.country_name(address.country) if address.country else ""
    return [line for line in (address.attention, street, ", ".join(p for p in (town, region) if p), country) if line]


def language_label(language: Language) -> str:
    """The language by name in the user's language; the recorded name when the code is not ISO 639-1."""
    if language.code and language.code in codes.LANGUAGE_CODES:
        return codes.language_name(language.code)
    return language.name or language.code
