"""Would this service take this person now?  One answer for the directory, referrals and the hotline.

`refusal_reasons` gives the reasons in words (empty: the service would take them), so that a referral
form can say *why* a service is not offered instead of hiding it. What is not known about the person
(an empty value, no age) never refuses: the worker finds out on the phone, the directory does not guess.

A service's acceptance lists are empty for "anyone"; ``["F"]`` is a service for women.  Sex codes are
the people registry's (F, M, X), nationalities ISO 3166-1 alpha-2, exploitation types `ExploitationType`.
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from waypoint.people import codes
from waypoint.people.models import Sex

from .models import ExploitationType, Service, ServiceStatus

ADULT_AGE = 18


def _sex_label(code: str) -> str:
    return str(Sex(code).label) if code in Sex.values else code


def _exploitation_label(code: str) -> str:
    return str(ExploitationType(code).label).lower() if code in ExploitationType.values else code


def _listed(values) -> list[str]:
    """The codes a service lists, cleaned: a JSON list of strings, anything else counts as "anyone"."""
    if not isinstance(values, list | tuple):
        return []
    return [str(value).strip() for value in values if str(value).strip()]


def age_range(service: Service) -> str:
    """The accepted ages in short form ("18+", "0-17", "up to 25"); empty when any age is accepted."""
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        return f"{low}\N{EN DASH}{high}"
    if low is not None and low > 0:
        return f"{low}+"
    if high is not None:
        return _("up to %(age)d") % {"age": high}
    return ""


def _people_word(sexes: list[str], children_only: bool) -> str:
    """"Women", "Boys", "Women and men"...: who the service is for, by sex, in one word or two."""
    known = [code for code in sexes if code in Sex.values]
    if set(known) == {Sex.FEMALE}:
        return pgettext("accepted", "Girls") if children_only else pgettext("accepted", "Women")
    if set(known) == {Sex.MALE}:
        return pgettext("accepted", "Boys") if children_only else pgettext("accepted", "Men")
    if set(known) == {Sex.FEMALE, Sex.MALE}:
        return pgettext("accepted", "Girls and boys") if children_only else pgettext("accepted", "Women and men")
    return ", ".join(_sex_label(code) for code in sexes)


def accepts_label(service: Service) -> str:
    """Who the service accepts, in a short line: "Women, 18+, victims of sexual exploitation"."""
    sexes = sorted(set(_listed(service.accepts_sexes)))
    children_only = service.maximum_age is not None and service.maximum_age < ADULT_AGE
    parts = []
    if sexes and set(sexes) != set(Sex.values):
        parts.append(_people_word(sexes, children_only))
    elif children_only:
        parts.append(pgettext("accepted", "Children"))
    ages = age_range(service)
    if ages:
        parts.append(ages)
    nationalities = _listed(service.accepts_nationalities)
    if nationalities:
        parts.append(_("citizens of %(countries)s") % {
            "countries": ", ".join(codes.country_name(code.upper()) for code in nationalities)})
    forms = _listed(service.accepts_exploitation_types)
    if forms:
        parts.append(_("victims of %(forms)s") % {"forms": ", ".join(_exploitation_label(code) for code in forms)})
    if not parts:
        return pgettext("accepted", "Anyone")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def closed_reasons(service: Service) -> list[str]:
    """Reasons that hold for everyone: the service or its organisation is closed, or it is full."""
    reasons = []
    if service.status != ServiceStatus.ACTIVE:
        reasons.append(_("The service is not active (%(status)s).") % {"status": service.get_status_display()})
    if not service.organization.is_active:
        reasons.append(_("The organisation is no longer an active partner."))
    if not service.accepting_referrals:
        reasons.append(_("The service is not accepting referrals now."))
    if service.available == 0:
        if service.availability_updated_at:
            when = formats.date_format(timezone.localtime(service.availability_updated_at), "SHORT_DATETIME_FORMAT")
            reasons.append(_("No free places (as of %(when)s).") % {"when": when})
        else:
            reasons.append(_("No free places."))
    return reasons


def person_reasons(
    service: Service, *, sex: str = "", age: int | None = None, nationality: str = "", exploitation_type: str = "",
) -> list[str]:
    """Reasons about who the person is: sex, age, nationality, form of exploitation."""
    reasons = []
    sex = (sex or "").strip().upper()
    sexes = [code.upper() for code in _listed(service.accepts_sexes)]
    if sex and sexes and sex not in sexes:
        reasons.append(_("Accepts only: %(sexes)s.") % {"sexes": ", ".join(_sex_label(code) for code in sexes)})
    if age is not None:
        too_young = service.minimum_age is not None and age < service.minimum_age
        too_old = service.maximum_age is not None and age > service.maximum_age
        if too_young or too_old:
            reasons.append(_("Accepts only people aged %(ages)s.") % {"ages": age_range(service)})
    nationality = (nationality or "").strip().upper()
    nationalities = [code.upper() for code in _listed(service.accepts_nationalities)]
    if nationality and nationalities and nationality not in nationalities:
        reasons.append(_("Accepts only citizens of: %(countries)s.") % {
            "countries": ", ".join(codes.country_name(code) for code in nationalities)})
    exploitation_type = (exploitation_type or "").strip().lower()
    forms = [code.lower() for code in _listed(service.accepts_exploitation_types)]
    if exploitation_type and forms and exploitation_type not in forms:
        reasons.append(_("Accepts only victims of: %(forms)s.") % {
            "forms": ", ".join(_exploitation_label(code) for code in forms)})
    return reasons


def refusal_reasons(
    service: Service, *, sex: str = "", age: int | None = None, nationality: str = "", exploitation_type: str = "",
) -> list[str]:
    """Why this service would not take this person now; an empty list means it would."""
    return closed_reasons(service) + person_reasons(
        service, sex=sex, age=age, nationality=nationality, exploitation_type=exploitation_type,
    )


def accepts(service: Service, **person) -> bool:
    """True when nothing about the service or the person (as far as known) stands in the way."""
    return not refusal_reasons(service, **person)
