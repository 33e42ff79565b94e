"""Changes to the directory: availability kept by partners, organisations and services kept by administrators.

The only place that writes directory rows for the pages and the API (the back office writes through
Django's admin, which audits on its own). Every change is checked against the access policy here, so
that no caller can forget it, validated in full before anything is saved, and audited in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.people import codes
from waypoint.people.models import Sex

from . import taxonomy
from .models import ExploitationType, Organisation, Service

ORGANISATION_FIELDS = (
    "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated",
    "legal_status", "logo", "uri", "organisation_type", "country", "region", "city", "is_active",
)
SERVICE_FIELDS = (
    "name", "alternate_name", "description", "url", "email", "status", "interpretation_services",
    "application_process", "fees_description", "wait_time", "accreditations", "licenses",
    "eligibility_description", "minimum_age", "maximum_age", "alert",
    "accepts_sexes", "accepts_nationalities", "accepts_exploitation_types",
    "accepting_referrals", "capacity", "available",
)
AVAILABILITY_FIELDS = ("available", "accepting_referrals", "availability_updated_at")


class InUseError(Exception):
    """The object is referred to (by referrals, for example) and cannot be deleted: deactivate it instead."""


def snapshot(obj, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


# --- Rules beyond the model's field checks --------------------------------------------------------
def check_service(service: Service) -> None:
    """Model validation plus what the directory needs to make sense: ages in order, places within capacity,
    acceptance lists of known codes."""
    errors: dict[str, list[str]] = {}
    try:
        service.full_clean()
    except ValidationError as error:
        error.update_error_dict(errors)
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None and low > high:
        errors.setdefault("maximum_age", []).append(_("The maximum age is below the minimum age."))
    if service.capacity is not None and service.available is not None and service.available > service.capacity:
        errors.setdefault("available", []).append(
            _("Free places (%(available)d) cannot exceed the capacity (%(capacity)d).")
            % {"available": service.available, "capacity": service.capacity})
    lists = (
        ("accepts_sexes", Sex.values, str.upper),
        ("accepts_nationalities", codes.COUNTRY_CODES, str.upper),
        ("accepts_exploitation_types", ExploitationType.values, str.lower),
    )
    for name, known, normal in lists:
        value = getattr(service, name)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            errors.setdefault(name, []).append(_("Give a list of codes."))
            continue
        cleaned = list(dict.fromkeys(normal(item.strip()) for item in value if item.strip()))
        unknown = [item for item in cleaned if item not in known]
        if unknown:
            errors.setdefault(name, []).append(_("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        setattr(service, name, cleaned)
    if errors:
        raise ValidationError(errors)


def check_organisation(organisation: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    organisation.country = (organisation.country or "").strip().upper()
    try:
        organisation.full_clean()
    except ValidationError as error:
        error.update_error_dict(errors)
    if organisation.country and organisation.country not in codes.COUNTRY_CODES:
        errors.setdefault("country", []).append(
            _("Give the country as an ISO 3166-1 two-letter code, e.g. RU or TJ."))
    if errors:
        raise ValidationError(errors)


# --- Availability: free places and whether referrals are taken -------------------------------------
def update_availability(
    user: User, service: Service, *, available: int | None, accepting_referrals: bool, request=None,
) -> Service:
    """Set the free places and whether the service takes referrals now, stamped with the time.

    A partner user may do this only for their own organisation's services (`policy.availability_scope`);
    anyone else gets a 404, as for a missing service. The count is "now": the latest update wins,
    and the stamp tells readers how fresh it is.
    """
    # Asked outside the transaction, so that a denial stays in the audit trail.
    policy.get_for(user, policy.availability_scope(user, Service.objects.all()), pk=service.pk, request=request)
    with transaction.atomic():
        current = Service.objects.select_for_update().get(pk=service.pk)
        before = snapshot(current, AVAILABILITY_FIELDS)
        current.available = available
        current.accepting_referrals = accepting_referrals
        if available is not None and available < 0:
            raise ValidationError({"available": _("Free places cannot be negative.")})
        if current.capacity is not None and available is not None and available > current.capacity:
            raise ValidationError({"available": _(
                "Free places (%(available)d) cannot exceed the capacity (%(capacity)d).")
                % {"available": available, "capacity": current.capacity}})
        current.availability_updated_at = timezone.now()
        current.save(update_fields=list(AVAILABILITY_FIELDS))
        record(Action.UPDATE, current, actor=user, request=request,
               changes=changed_fields(before, snapshot(current, AVAILABILITY_FIELDS)))
    return current


# --- Organisations ------------------------------------------------------------------------------
def create_organisation(user: User, data: Mapping[str, Any], *, request=None) -> Organisation:
    policy.require(user, policy.CHANGE_DIRECTORY, request=request)
    organisation = Organisation(**{name: value for name, value in data.items() if name in ORGANISATION_FIELDS})
    check_organisation(organisation)
    with transaction.atomic():
        organisation.last_modified = timezone.now()
        organisation.save()
        record(Action.CREATE, organisation, actor=user, request=request,
               changes=changed_fields({}, snapshot(organisation, ORGANISATION_FIELDS)))
    return organisation


def update_organisation(
    user: User, organisation: Organisation, data: Mapping[str, Any], *, request=None,
) -> Organisation:
    """Change the fields given; the others stay as they are."""
    policy.get_for(user, Organisation, "change", pk=organisation.pk, request=request)
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = snapshot(current, ORGANISATION_FIELDS)
        for name, value in data.items():
            if name in ORGANISATION_FIELDS:
                setattr(current, name, value)
        check_organisation(current)
        changes = changed_fields(before, snapshot(current, ORGANISATION_FIELDS))
        if changes:
            current.last_modified = timezone.now()
            current.save()
            record(Action.UPDATE, current, actor=user, request=request, changes=changes)
    return current


def delete_organisation(user: User, organisation: Organisation, *, request=None) -> None:
    """Delete an organisation and its details; one with referrals is kept (deactivate it instead)."""
    current = policy.get_for(user, Organisation, "delete", pk=organisation.pk, request=request)
    with transaction.atomic():
        record(Action.DELETE, current, actor=user, request=request, changes={"name": [current.name, None]})
        try:
            with transaction.atomic():
                current.delete()
        except ProtectedError:
            raise InUseError(_(
                "This organisation has referrals, which must keep it: mark it inactive instead.")) from None


# --- Services -----------------------------------------------------------------------------------
def create_service(
    user: User, organisation: Organisation, data: Mapping[str, Any], *, service_types: Iterable[str] = (),
    request=None,
) -> Service:
    """A new service of an organisation the user may change, with its types; all or nothing."""
    policy.require(user, policy.CHANGE_DIRECTORY, request=request)
    organisation = policy.get_for(user, Organisation, "change", pk=organisation.pk, request=request)
    service = Service(organization=organisation,
                      **{name: value for name, value in data.items() if name in SERVICE_FIELDS})
    check_service(service)
    with transaction.atomic():
        if service.available is not None:
            service.availability_updated_at = timezone.now()
        service.last_modified = timezone.now()
        service.save()
        taxonomy.set_service_types(service, service_types)
        record(Action.CREATE, service, actor=user, request=request, changes={
            **changed_fields({}, snapshot(service, SERVICE_FIELDS)),
            "organization": [None, str(organisation.pk)],
            "service_types": [None, ", ".join(sorted(service_types))],
        })
    return service


def update_service(
    user: User, service: Service, data: Mapping[str, Any], *, service_types: Iterable[str] | None = None,
    request=None,
) -> Service:
    """Change the fields given (and the types, when given); nothing is saved unless all is valid."""
    policy.get_for(user, Service, "change", pk=service.pk, request=request)
    with transaction.atomic():
        current = Service.objects.select_for_update().get(pk=service.pk)
        before = snapshot(current, SERVICE_FIELDS)
        for name, value in data.items():
            if name in SERVICE_FIELDS:
                setattr(current, name, value)
        check_service(current)
        changes = changed_fields(before, snapshot(current, SERVICE_FIELDS))
        if service_types is not None:
            old_types = taxonomy.set_service_types(current, service_types)
            new_types = taxonomy.service_types_of(current)
            if sorted(old_types) != sorted(new_types):
                changes["service_types"] = [", ".join(sorted(old_types)), ", ".join(sorted(new_types))]
        if {"available", "accepting_referrals"} & set(changes):
            current.availability_updated_at = timezone.now()
        if changes:
            current.last_modified = timezone.now()
            current.save()
            record(Action.UPDATE, current, actor=user, request=request, changes=changes)
    return current


def delete_service(user: User, service: Service, *, request=None) -> None:
    current = policy.get_for(user, Service, "delete", pk=service.pk, request=request)
    with transaction.atomic():
        record(Action.DELETE, current, actor=user, request=request, changes={"name": [current.name, None]})
        try:
            with transaction.atomic():
                taxonomy.set_service_types(current, [])
                current.delete()
        except ProtectedError:
            raise InUseError(_(
                "This service has referrals, which must keep it: mark it inactive instead.")) from None
