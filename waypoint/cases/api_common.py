"""What the cases API, the referrals API and the programmes' APIs share: error shapes, looking up people, staff and
organisations named in a request, and collecting a service's errors into a 422 naming the fields."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema, Status

from waypoint.accounts import policy
from waypoint.accounts.models import Role, User
from waypoint.partners.models import Organisation
from waypoint.people.models import Person

from .models import (
    Case,
    CaseMember,
    Referral,
    ServiceDelivery,
)

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
MAX_ID = 2**63  # larger numbers are no record (and would overflow the database's integers)


# --- Schemas ------------------------------------------------------------------------------------
class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class ConflictOut(Schema):
    detail: str
    version: int


# --- Helpers: people, staff, organisations ------------------------------------------------------
def _person_reference(person_id: int | None) -> str | None:
    return Person(pk=person_id).reference if person_id else None


def person_pk(value: str | int | None) -> int | None:
    """A person given as a reference (P-0000042) or an id; None when it is neither."""
    if isinstance(value, int):
        return value if 0 < value < MAX_ID else None
    text = str(value or "").strip().upper()
    digits = text[2:] if text.startswith("P-") else text
    return int(digits) if digits.isdigit() and 0 < int(digits) < MAX_ID else None


def _visible_person(user: User, value: str | int | None, field: str, request: HttpRequest) -> Person:
    """The person the user may see, or ValidationError on `field`; an unseen one is an audited denial."""
    pk = person_pk(value)
    if pk is None:
        raise ValidationError({field: _("Give the person's reference, e.g. P-0000042.")})
    person = policy.scope(user, Person.objects.all()).filter(pk=pk).first()
    if person is None:
        policy.record_denial(user, "people.person", str(pk), request)
        raise ValidationError({field: _("There is no person %(reference)s among the people you may see.")
                                      % {"reference": Person(pk=pk).reference}})
    if person.merged_into_id:
        raise ValidationError({field: _("%(reference)s was merged into %(target)s: use that record.") % {
            "reference": person.reference, "target": _person_reference(person.merged_into_id)}})
    return person


def staff_member(username: str, field: str) -> User:
    user = User.objects.filter(username=username, is_active=True).exclude(role=Role.PARTNER_USER).first()
    if user is None:
        raise ValidationError({field: _("There is no staff member with the username “%(username)s”.")
                                      % {"username": username}})
    return user


def staff_members(usernames: list[str], field: str) -> list[User]:
    names = list(dict.fromkeys(name.strip() for name in usernames if name.strip()))
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)
             .exclude(role=Role.PARTNER_USER)}
    unknown = [name for name in names if name not in found]
    if unknown:
        raise ValidationError({field: _("There is no staff member with these usernames: %(names)s.")
                                      % {"names": ", ".join(unknown)}})
    return [found[name] for name in names]


def organisation_for(user: User, pk: UUID, field: str) -> Organisation:
    organisation = policy.scope(user, Organisation.objects.all()).filter(pk=pk).first()
    if organisation is None:
        raise ValidationError({field: _("There is no organisation with this id.")})
    return organisation


class FieldErrors:
    """Collects the ValidationErrors of several resolutions, so that every refused field is named at once."""

    def __init__(self) -> None:
        self.found: dict[str, list] = {}

    def check(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValidationError as error:
            error.update_error_dict(self.found)
            return None

    def raise_any(self) -> None:
        if self.found:
            raise ValidationError(self.found)


def _conflict(current: Case | Referral | ServiceDelivery, what: str) -> Status:
    messages = {
        "case": _("Someone else changed this case since you read it: read it again and repeat your change."),
        "referral": _("Someone answered this referral since you read it: read it again and decide again."),
    }
    return Status(409, {"detail": messages[what], "version": current.version})


def case_user(request: HttpRequest) -> User:
    user = request.auth
    policy.require(user, policy.VIEW_CASES, request=request)
    return user


def case_member(case: Case, value: str | int | None) -> Person | None:
    if value is None:
        return None
    pk = person_pk(value)
    member = CaseMember.objects.filter(case=case, person_id=pk).select_related("person").first() if pk else None
    if member is None:
        raise ValidationError({"person": _("%(reference)s is not a member of this case.") % {
            "reference": Person(pk=pk).reference if pk else str(value)}})
    return member.person
