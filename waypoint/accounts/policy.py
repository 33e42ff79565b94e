"""The access policy: the one place that answers "may this user see or change this?".

Every view, API endpoint, export and search asks here. Two kinds of question:

* capabilities (`may(user, VIEW_AUDIT_TRAIL)`): may this user open this kind of page or list;
* objects (`scope(user, queryset)`, `get_for(user, Model, pk=...)`): which rows this user may
  see or change. Access is a property of the query, so a list, a search and an export built on
  `scope` cannot disagree.

Denials of objects answer 404, whether the object is missing or forbidden, and are audited.
Apps that own protected models register a rule for them in their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404

from waypoint.audit.services import record_denial as audit_denial

from .models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

    AnyUser = User | AnonymousUser

Action = Literal["view", "change", "delete"]
ACTIONS = ("view", "change", "delete")
M = TypeVar("M", bound=Model)

STAFF_ROLES = frozenset(Role) - {Role.PARTNER_USER, Role.LEARNER}
ALL_ROLES = frozenset(Role)

# --- Capabilities: which roles may open which kind of page ---------------------------------
VIEW_DASHBOARD = "view_dashboard"
MANAGE_USERS = "manage_users"
VIEW_AUDIT_TRAIL = "view_audit_trail"
VIEW_DIRECTORY = "view_directory"
CHANGE_DIRECTORY = "change_directory"
USE_API = "use_api"
VIEW_PEOPLE = "view_people"
MERGE_PEOPLE = "merge_people"
IMPORT_PEOPLE = "import_people"

# Staff who work with persons: they see the people registered in their own programmes.
PEOPLE_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.CASE_WORKER, Role.HOTLINE_OPERATOR})

CAPABILITIES: dict[str, frozenset[str]] = {
    VIEW_DASHBOARD: ALL_ROLES,
    MANAGE_USERS: frozenset({Role.ADMINISTRATOR}),
    VIEW_AUDIT_TRAIL: frozenset({Role.DATA_PROTECTION_OFFICER}),
    VIEW_DIRECTORY: ALL_ROLES - {Role.LEARNER},
    CHANGE_DIRECTORY: frozenset({Role.ADMINISTRATOR}),
    USE_API: ALL_ROLES - {Role.LEARNER},
    VIEW_PEOPLE: PEOPLE_ROLES,
    MERGE_PEOPLE: frozenset({Role.PROGRAMME_MANAGER}),
    IMPORT_PEOPLE: frozenset({Role.PROGRAMME_MANAGER}),
}


def is_active_user(user: AnyUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may(user: AnyUser | None, capability: str) -> bool:
    """True when the user's role holds the capability. Unknown capabilities are denied."""
    if not is_active_user(user):
        return False
    return user.role in CAPABILITIES.get(capability, frozenset())


# --- Object rules ---------------------------------------------------------------------------
Scope = Callable[["User", QuerySet, Action], QuerySet]
_RULES: dict[str, Scope] = {}


def register(model_label: str, scope_function: Scope) -> None:
    """Declare how `model_label` ("app_label.ModelName") is scoped for a user and an action."""
    _RULES[model_label.lower()] = scope_function


def scope(user: AnyUser | None, queryset: QuerySet[M], action: Action = "view") -> QuerySet[M]:
    """The rows of `queryset` the user may see (or change, or delete). Unregistered: none."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}: the policy answers {', '.join(ACTIONS)}.")
    if not is_active_user(user):
        return queryset.none()
    rule = _RULES.get(queryset.model._meta.label_lower)
    if rule is None:
        return queryset.none()
    return rule(user, queryset, action)


def can(user: AnyUser | None, action: Action, obj: Model) -> bool:
    """True when `obj` lies in the user's scope for `action`."""
    model = type(obj)
    return scope(user, model._default_manager.filter(pk=obj.pk), action).exists()


def get_for(
    user: AnyUser | None, model_or_queryset: type[M] | QuerySet[M], action: Action = "view",
    *, request=None, **lookup,
) -> M:
    """Fetch one object the user may act on, or raise Http404 (and audit the denial)."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, QuerySet)
        else model_or_queryset._default_manager.all()
    )
    allowed = scope(user, queryset, action)
    try:
        return allowed.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        record_denial(user, queryset.model._meta.label_lower, _lookup_id(lookup), request)
        raise Http404 from None


def require(user: AnyUser | None, capability: str, *, request=None) -> None:
    """Raise Http404 (audited) unless the user holds the capability."""
    if not may(user, capability):
        record_denial(user, "capability", capability, request)
        raise Http404


def record_denial(user, object_type: str, object_id: str, request) -> None:
    audit_denial(
        actor=user if is_active_user(user) else None,
        object_type=object_type, object_id=object_id, request=request,
    )


def _lookup_id(lookup: dict) -> str:
    for key in ("pk", "id", "uuid", "reference"):
        if key in lookup:
            return str(lookup[key])[:64]
    return ""


# --- Rules for the models of the foundation ---------------------------------------------------
@dataclass(frozen=True)
class RoleRule:
    """A rule that depends on the role only: who may view, who may change and delete."""

    viewers: frozenset[str]
    editors: frozenset[str]

    def __call__(self, user: User, queryset: QuerySet, action: Action) -> QuerySet:
        allowed = self.viewers if action == "view" else self.editors
        return queryset if user.role in allowed else queryset.none()


def user_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Administrators manage accounts; everyone else sees only their own."""
    if user.role == Role.ADMINISTRATOR:
        return queryset
    if action == "view":
        return queryset.filter(pk=user.pk)
    return queryset.none()


def api_token_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Tokens are personal: only their owner sees and revokes them."""
    if user.role not in CAPABILITIES[USE_API]:
        return queryset.none()
    return queryset.filter(user=user)


def audit_event_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Only the data protection officer reads the trail; nobody changes it."""
    if action == "view" and user.role == Role.DATA_PROTECTION_OFFICER:
        return queryset
    return queryset.none()


# --- Rules for the people registry ------------------------------------------------------------
def person_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """People registered in one of the user's programmes; nobody deletes a person (merge instead)."""
    from waypoint.people.models import ProgrammeRegistration

    if user.role not in PEOPLE_ROLES or action == "delete" or not user.programmes:
        return queryset.none()
    registered = ProgrammeRegistration.objects.filter(person=OuterRef("pk"), programme__in=user.programmes)
    return queryset.filter(Exists(registered))


def visible_people(user: User, action: Action = "view") -> QuerySet:
    from waypoint.people.models import Person

    return scope(user, Person.objects.all(), action)


def _person_visible(user: User, field: str, action: Action) -> Exists:
    """A correlated test "the person in `field` is in scope": it stays fast on a million persons,
    where `field__in=<all visible people>` would make the database list them all first."""
    return Exists(visible_people(user, action).filter(pk=OuterRef(field)))


def person_detail_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Other names and documents follow their person; wrong ones may be removed by those who edit."""
    return queryset.filter(_person_visible(user, "person", "view" if action == "view" else "change"))


def registration_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    if action == "delete":
        return queryset.none()
    return queryset.filter(_person_visible(user, "person", action))


def merge_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Merges are seen with their survivor; only a programme manager undoes one."""
    if action == "delete" or (action == "change" and user.role not in CAPABILITIES[MERGE_PEOPLE]):
        return queryset.none()
    return queryset.filter(_person_visible(user, "survivor", action))


def duplicate_pair_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """The review list of programme managers: pairs with at least one person of their programmes."""
    if action == "delete" or user.role not in CAPABILITIES[MERGE_PEOPLE]:
        return queryset.none()
    return queryset.filter(_person_visible(user, "first", "change") | _person_visible(user, "second", "change"))


# --- Rules for the partner directory (issue 4) ---------------------------------------------
def register_directory_rules() -> None:
    """Directory objects other than organisations (services, locations, ...)."""


# --- Rules for the hotline (issue 4) ----------------------------------------------------------
def register_hotline_rules() -> None:
    """Consultations, call-backs, knowledge base."""


# --- Rules for cases, referrals and consent ---------------------------------------------------
def register_case_rules() -> None:
    """Cases, referrals and consent records."""


def register_foundation_rules() -> None:
    register("accounts.User", user_scope)
    register("accounts.Office", RoleRule(viewers=ALL_ROLES, editors=frozenset({Role.ADMINISTRATOR})))
    register(
        "partners.Organisation",
        RoleRule(viewers=CAPABILITIES[VIEW_DIRECTORY], editors=CAPABILITIES[CHANGE_DIRECTORY]),
    )
    register("audit.AuditEvent", audit_event_scope)
    register("api.ApiToken", api_token_scope)
    register("people.Person", person_scope)
    register("people.PersonAlias", person_detail_scope)
    register("people.IdentityDocument", person_detail_scope)
    register("people.ProgrammeRegistration", registration_scope)
    register("people.PersonMerge", merge_scope)
    register("people.DuplicatePair", duplicate_pair_scope)
    register_directory_rules()
    register_hotline_rules()
    register_case_rules()
