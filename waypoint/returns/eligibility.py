"""Eligibility screening: who a return project may assist.

The pilot assisted "migrants whose origin (or permanent residence) is not the countries of CIS, member states of
OECD or EU". A project names the groups it excludes (the membership is here, as ISO 3166 codes) and extra
countries, the migration statuses it accepts and whether only vulnerable migrants qualify. A screening records
the facts, the result and every reason for an ineligible result; the latest screening of a case is what the
workflow asks. Screenings are never changed: a new one (after a rule or a fact changed) replaces the last.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import timeline
from waypoint.cases.models import Case, Vulnerability
from waypoint.people.codes import COUNTRY_CODES, country_name

from .models import MigrationStatus, ReturnProject, Screening

# Members (and participants) of the Commonwealth of Independent States as the pilot applied it; Georgia left
# in 2009 and its nationals were assisted.
CIS = frozenset({"AM", "AZ", "BY", "KZ", "KG", "MD", "RU", "TJ", "TM", "UA", "UZ"})
OECD = frozenset({
    "AU", "AT", "BE", "CA", "CL", "CO", "CR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IE", "IL",
    "IT", "JP", "KR", "LV", "LT", "LU", "MX", "NL", "NZ", "NO", "PL", "PT", "SK", "SI", "ES", "SE", "CH", "TR",
    "GB", "US",
})
EU = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})
GROUPS: dict[str, frozenset[str]] = {"CIS": CIS, "OECD": OECD, "EU": EU}
GROUP_LABELS = {
    "CIS": gettext_lazy("Commonwealth of Independent States (CIS)"),
    "OECD": gettext_lazy("OECD member states"),
    "EU": gettext_lazy("European Union member states"),
}


def excluded_by(project: ReturnProject, nationality: str) -> list[str]:
    """The groups (by code) and the single country listing that exclude this nationality."""
    found = [code for code in project.excluded_groups or [] if nationality in GROUPS.get(code, ())]
    if nationality in (project.excluded_countries or []):
        found.append(nationality)
    return found


def evaluate(project: ReturnProject, *, nationality: str, migration_status: str,
             vulnerabilities: list[str]) -> list[dict[str, Any]]:
    """Every reason the person is not eligible under the project's rules (empty: eligible), as codes."""
    reasons: list[dict[str, Any]] = []
    if not project.active:
        reasons.append({"code": "project_closed"})
    for excluded in excluded_by(project, nationality):
        if excluded in GROUPS:
            reasons.append({"code": "group", "group": excluded, "country": nationality})
        else:
            reasons.append({"code": "country", "country": nationality})
    if migration_status not in (project.accepted_statuses or []):
        reasons.append({"code": "status", "status": migration_status})
    if project.requires_vulnerability and not vulnerabilities:
        reasons.append({"code": "not_vulnerable"})
    return reasons


def reason_text(reason: dict[str, Any], project_name: str = "") -> str:
    """A reason in the reader's language."""
    code = reason.get("code")
    if code == "project_closed":
        return _("The project “%(project)s” no longer takes new returnees.") % {"project": project_name}
    if code == "group":
        return _("Nationals of %(country)s are not assisted: the project excludes %(group)s.") % {
            "country": country_name(reason.get("country", "")), "group": GROUP_LABELS.get(reason.get("group"), "")}
    if code == "country":
        return _("Nationals of %(country)s are not assisted by this project.") % {
            "country": country_name(reason.get("country", ""))}
    if code == "status":
        label = dict(MigrationStatus.choices).get(reason.get("status"), reason.get("status"))
        return _("The migration status “%(status)s” is not among those the project accepts.") % {"status": label}
    if code == "not_vulnerable":
        return _("The project assists only vulnerable migrants, and no vulnerability was recorded.")
    return str(code)


def reasons_in_words(screening: Screening) -> list[str]:
    return [reason_text(reason, screening.project.name) for reason in screening.reasons or []]


def latest(case: Case) -> Screening | None:
    return case.return_screenings.select_related("project").order_by("-screened_on", "-id").first()


def _errors(project: ReturnProject | None, nationality: str, migration_status: str, destination_country: str,
            vulnerabilities: list[str], screened_on: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if project is None:
        errors["project"] = [_("Choose the return project the person is screened for.")]
    if nationality not in COUNTRY_CODES:
        errors["nationality"] = [_("Nationality: use an ISO 3166 two-letter code, e.g. GH, AF.")]
    if migration_status not in MigrationStatus.values:
        errors["migration_status"] = [_("Choose the person's migration status.")]
    if destination_country not in COUNTRY_CODES:
        errors["destination_country"] = [_("Country of return: use an ISO 3166 two-letter code, e.g. GH, RU.")]
    unknown = [code for code in vulnerabilities if code not in Vulnerability.values]
    if unknown:
        errors["vulnerabilities"] = [_("Unknown vulnerability: %(codes)s.") % {"codes": ", ".join(unknown)}]
    if screened_on > timezone.localdate():
        errors["screened_on"] = [_("A screening cannot be dated in the future.")]
    return errors


def screen(user: User, case: Case, *, project: ReturnProject | None, nationality: str, migration_status: str,
           destination_country: str, destination_region: str = "", vulnerabilities: list[str] | None = None,
           screened_on: datetime.date | None = None, request=None) -> Screening:
    """Screen the case against the project's rules and keep the result (eligible or not, with the reasons)."""
    case = policy.get_for(user, Case.objects.filter(programme=Programme.RETURN), "change", pk=case.pk,
                          request=request)
    if case.is_closed:
        raise ValidationError(_("Case %(reference)s is closed: reopen it before recording anything new.")
                              % {"reference": case.reference})
    nationality = (nationality or "").strip().upper()
    destination_country = (destination_country or "").strip().upper()
    destination_region = " ".join((destination_region or "").split())[:120]
    vulnerabilities = list(dict.fromkeys(vulnerabilities or []))
    screened_on = screened_on or timezone.localdate()
    if project is not None:
        project = policy.scope(user, ReturnProject.objects.all()).filter(pk=project.pk).first()
    errors = _errors(project, nationality, migration_status, destination_country, vulnerabilities, screened_on)
    if errors:
        raise ValidationError(errors)
    reasons = evaluate(project, nationality=nationality, migration_status=migration_status,
                       vulnerabilities=vulnerabilities)
    with transaction.atomic():
        screening = Screening.objects.create(
            case=case, project=project, nationality=nationality, migration_status=migration_status,
            destination_country=destination_country, destination_region=destination_region,
            vulnerabilities=vulnerabilities, eligible=not reasons, reasons=reasons, screened_on=screened_on,
            screened_by=user)
        record(Action.CREATE, screening, actor=user, request=request, changes={
            "case": [None, case.reference], "project": [None, str(project.pk)], "nationality": [None, nationality],
            "migration_status": [None, migration_status], "destination_country": [None, destination_country],
            "eligible": [None, "yes" if not reasons else "no"],
            "reasons": [None, ",".join(r["code"] for r in reasons)]})
        when = formats.date_format(screened_on, "DATE_FORMAT")
        if reasons:
            line = _("Screened for %(project)s on %(date)s: not eligible. %(reasons)s") % {
                "project": project.name, "date": when,
                "reasons": " ".join(reason_text(r, project.name) for r in reasons)}
        else:
            line = _("Screened for %(project)s on %(date)s: eligible.") % {"project": project.name, "date": when}
        timeline.log(case, timeline.PROFILE, line, actor=user, obj=screening)
    return screening
