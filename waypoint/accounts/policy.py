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
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from waypoint.audit.services import record_denial as audit_denial

from .models import Programme, Role

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


# Roles do not encode programmes: some capabilities a role holds only while working in a programme
# (capability -> {role: programme code}), e.g. consultations for programme managers of the hotline.
PROGRAMME_CAPABILITIES: dict[str, dict[str, str]] = {}


def may(user: AnyUser | None, capability: str) -> bool:
    """True when the user's role holds the capability (and, where it needs one, the user works in the
    programme it belongs to). Unknown capabilities are denied."""
    if not is_active_user(user):
        return False
    if user.role not in CAPABILITIES.get(capability, frozenset()):
        return False
    programme = PROGRAMME_CAPABILITIES.get(capability, {}).get(user.role)
    return programme is None or programme in (user.programmes or [])


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
UPDATE_AVAILABILITY = "update_availability"

# Free places and "accepting referrals" are kept current by the partner itself (and by administrators).
CAPABILITIES[UPDATE_AVAILABILITY] = frozenset({Role.ADMINISTRATOR, Role.PARTNER_USER})

# Every table of the HSDS directory but the internal agreements: read by whoever reads the directory.
DIRECTORY_MODELS = (
    "OrganizationIdentifier", "Program", "Service", "ServiceArea", "CostOption", "RequiredDocument", "Funding",
    "Location", "Address", "Accessibility", "ServiceAtLocation", "Contact", "Phone", "Schedule", "Language",
    "Taxonomy", "TaxonomyTerm", "Attribute", "Metadata", "MetaTableDescription",
)


def availability_scope(user: AnyUser | None, queryset: QuerySet) -> QuerySet:
    """The services whose free places this user may update: administrators any, a partner user only
    those of their own organisation. Everyone else none (they ask the partner)."""
    if not may(user, UPDATE_AVAILABILITY):
        return queryset.none()
    if user.role == Role.ADMINISTRATOR:
        return queryset
    if user.partner_organisation_id is None:
        return queryset.none()
    return queryset.filter(organization_id=user.partner_organisation_id)


def register_directory_rules() -> None:
    """Directory objects other than organisations (services, locations, ...).

    Agreements and memoranda are the office's internal business: staff read them, partner users do not.
    Only administrators change the directory; availability has its own rule (`availability_scope`).
    """
    readers = CAPABILITIES[VIEW_DIRECTORY]
    editors = CAPABILITIES[CHANGE_DIRECTORY]
    for name in DIRECTORY_MODELS:
        register(f"partners.{name}", RoleRule(viewers=readers, editors=editors))
    register("partners.Agreement", RoleRule(viewers=readers - {Role.PARTNER_USER}, editors=editors))


# --- Rules for the hotline (issue 4) ----------------------------------------------------------
RECORD_CONSULTATIONS = "record_consultations"
VIEW_KNOWLEDGE_BASE = "view_knowledge_base"

# Operators log the calls of their site; programme managers of the hotline programme see every site.
CONSULTATION_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.PROGRAMME_MANAGER})
KNOWLEDGE_READERS = frozenset({Role.HOTLINE_OPERATOR, Role.PROGRAMME_MANAGER, Role.CASE_WORKER})
CAPABILITIES[RECORD_CONSULTATIONS] = CONSULTATION_ROLES
# Administrators edit the knowledge base, so they read it too.
CAPABILITIES[VIEW_KNOWLEDGE_BASE] = KNOWLEDGE_READERS | {Role.ADMINISTRATOR}
PROGRAMME_CAPABILITIES[RECORD_CONSULTATIONS] = {Role.PROGRAMME_MANAGER: Programme.HOTLINE}


def consultation_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Operators see the consultations of their own site and change those they recorded; programme
    managers of the hotline programme see and correct every site's. Nobody deletes one: the
    statistics are counted from them. M&E officers get aggregates from the statistics, never rows."""
    if action == "delete" or not may(user, RECORD_CONSULTATIONS):
        return queryset.none()
    if user.role == Role.PROGRAMME_MANAGER:
        return queryset
    if user.office_id is None:
        return queryset.none()
    mine = queryset.filter(site_id=user.office_id)
    return mine if action == "view" else mine.filter(operator=user)


def follow_up_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """A follow-up goes with its consultation; any operator of the site may do a call-back (the queue is
    the site's), so seeing the consultation is enough to close one. None is deleted: it is cancelled."""
    from waypoint.hotline.models import Consultation

    if action == "delete":
        return queryset.none()
    visible = consultation_scope(user, Consultation.objects.all(), "view")
    return queryset.filter(Exists(visible.filter(pk=OuterRef("consultation"))))


def hotline_list_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Topics and campaign materials: read by staff, changed by administrators, who may delete only an
    entry no consultation uses (a used one is retired with "in use" off, so the statistics keep it)."""
    if action == "view":
        return queryset if user.role in STAFF_ROLES else queryset.none()
    if user.role != Role.ADMINISTRATOR:
        return queryset.none()
    if action == "delete":
        return queryset.filter(consultations__isnull=True)  # both models call their users "consultations"
    return queryset


def knowledge_article_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Operators, programme managers and case workers read the published articles; administrators write
    (and see drafts)."""
    if user.role == Role.ADMINISTRATOR:
        return queryset
    if action == "view" and user.role in KNOWLEDGE_READERS:
        return queryset.filter(is_published=True)
    return queryset.none()


# hotline statistics (H5)
# Aggregates only (no answers, no links to consultations). Small numbers are shown exactly only to
# those who may read the consultations themselves; see `waypoint.hotline.statistics`.
VIEW_HOTLINE_STATISTICS = "view_hotline_statistics"
CAPABILITIES[VIEW_HOTLINE_STATISTICS] = frozenset({Role.HOTLINE_OPERATOR, Role.PROGRAMME_MANAGER, Role.ME_OFFICER})
PROGRAMME_CAPABILITIES[VIEW_HOTLINE_STATISTICS] = {Role.PROGRAMME_MANAGER: Programme.HOTLINE}
# Writing knowledge base articles (the pages of the knowledge base; topics and materials are in the back office).
CHANGE_KNOWLEDGE_BASE = "change_knowledge_base"
CAPABILITIES[CHANGE_KNOWLEDGE_BASE] = frozenset({Role.ADMINISTRATOR})


def register_hotline_rules() -> None:
    """Consultations, call-backs, knowledge base."""
    register("hotline.Consultation", consultation_scope)
    register("hotline.FollowUp", follow_up_scope)
    register("hotline.Topic", hotline_list_scope)
    register("hotline.CampaignMaterial", hotline_list_scope)
    register("hotline.KnowledgeArticle", knowledge_article_scope)


# --- Rules for cases, referrals and consent ---------------------------------------------------
VIEW_REFERRALS = "view_referrals"
# Partner users answer the referrals sent to their organisation; staff follow those they are responsible for.
CAPABILITIES[VIEW_REFERRALS] = frozenset(
    {Role.PARTNER_USER, Role.PROGRAMME_MANAGER, Role.CASE_WORKER, Role.HOTLINE_OPERATOR}
)


def _case_filter(user: User, case_field: str = "") -> Q:
    """The case in `case_field` is in the user's hands": owned or assigned (case workers), or of one of
    their programmes (programme managers). Nobody else reaches a case's contents; a hotline operator who
    escalated a call sees only the reference on the consultation."""
    from waypoint.cases.models import Case

    prefix = f"{case_field}__" if case_field else ""
    if user.role == Role.PROGRAMME_MANAGER:
        return Q(**{f"{prefix}programme__in": list(user.programmes or [])})
    if user.role == Role.CASE_WORKER:
        assigned = Case.assigned.through.objects.filter(case_id=OuterRef(case_field or "pk"), user_id=user.pk)
        return Q(**{f"{prefix}owner_id": user.pk}) | Q(Exists(assigned))
    return Q(pk__in=[])


def case_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Owner and assigned staff, and programme managers of the case's programme; nobody deletes a case."""
    if action == "delete" or user.role not in (Role.PROGRAMME_MANAGER, Role.CASE_WORKER):
        return queryset.none()
    return queryset.filter(_case_filter(user))


def case_member_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Members go with their case; a member added by mistake is removed by those who may change the case."""
    from waypoint.cases.models import Case

    cases = case_scope(user, Case.objects.all(), "view" if action == "view" else "change")
    return queryset.filter(Exists(cases.filter(pk=OuterRef("case"))))


def referral_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Who sees (and acts on) a referral; nobody deletes one (it is cancelled).

    A partner user: the referrals to their own organisation, while it is active, that were sent (never
    drafts), and only what was shared (the pages show `shared`, never the person record). A programme
    manager: the referrals of their programmes. A case worker: those they made, and those of cases they own or are
    assigned to, and the inbound referrals partners sent to the office for their programmes that no case has
    taken on yet (the queue they may take a case from; once a case is opened, it goes with the case).
    A hotline operator: the hotline's referrals made at their own site.
    """
    from waypoint.cases.models import ReferralDirection, ReferralStatus

    if action == "delete":
        return queryset.none()
    if user.role == Role.PARTNER_USER:
        if user.partner_organisation_id is None:
            return queryset.none()
        # A deactivated organisation loses its inbox at once; cancelled referrals stay readable, but the
        # referral pages then show only the anonymous profile (`cases.sharing.visible_rows`).
        return queryset.filter(organisation_id=user.partner_organisation_id, organisation__is_active=True).exclude(
            status=ReferralStatus.DRAFT)
    if user.role == Role.PROGRAMME_MANAGER:
        return queryset.filter(programme__in=list(user.programmes or []))
    if user.role == Role.CASE_WORKER:
        inbound = Q(direction=ReferralDirection.INBOUND, programme__in=list(user.programmes or []),
                    case__isnull=True) & ~Q(status=ReferralStatus.DRAFT)
        return queryset.filter(Q(created_by_id=user.pk) | _case_filter(user, "case") | inbound)
    if user.role == Role.HOTLINE_OPERATOR and user.office_id is not None:
        return queryset.filter(programme=Programme.HOTLINE, office_id=user.office_id)
    return queryset.none()


def referral_update_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """A referral's history is seen with the referral and never rewritten."""
    from waypoint.cases.models import Referral

    if action != "view":
        return queryset.none()
    visible = referral_scope(user, Referral.objects.all(), "view")
    return queryset.filter(Exists(visible.filter(pk=OuterRef("referral"))))


def consent_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """Consents are seen by staff who may see the person, and by the data protection officer (the consent
    registry); recorded and withdrawn only by staff who may change the person. Never deleted."""
    if action == "delete":
        return queryset.none()
    if action == "view" and user.role == Role.DATA_PROTECTION_OFFICER:
        return queryset
    return queryset.filter(_person_visible(user, "person", action))


# The case work of issue 5: capabilities for the pages that are not one object.
VIEW_CASES = "view_cases"  # the case list, the caseload dashboard, opening a case
VIEW_CENTRE_OCCUPANCY = "view_centre_occupancy"
VIEW_REFERRAL_STATISTICS = "view_referral_statistics"
REFER_TO_OFFICE = "refer_to_office"  # a partner refers a person to the office (inbound)
VIEW_CONSENT_REGISTRY = "view_consent_registry"
CASE_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.CASE_WORKER})
CAPABILITIES[VIEW_CASES] = CASE_ROLES
CAPABILITIES[VIEW_CENTRE_OCCUPANCY] = CASE_ROLES
PROGRAMME_CAPABILITIES[VIEW_CENTRE_OCCUPANCY] = {Role.PROGRAMME_MANAGER: Programme.COUNTER_TRAFFICKING,
                                                 Role.CASE_WORKER: Programme.COUNTER_TRAFFICKING}
# Aggregates only (counts, rates, medians by organisation and source), so M&E reads them too.
CAPABILITIES[VIEW_REFERRAL_STATISTICS] = frozenset({Role.PROGRAMME_MANAGER, Role.ME_OFFICER})
CAPABILITIES[REFER_TO_OFFICE] = frozenset({Role.PARTNER_USER})
CAPABILITIES[VIEW_CONSENT_REGISTRY] = frozenset({Role.DATA_PROTECTION_OFFICER})


# The programmes of issue 6 (return, resettlement, migration health, direct assistance). Their object rules
# are registered by each app (`<app>.wiring`), mostly with `case_part_scope`; the capabilities are here.
#
# Health data (assessment results, TB screening, follow-up) are read only by the migration health unit: case
# workers and programme managers working in the MH programme. Every other case worker sees a member's medical
# clearance (cleared or not, valid until when), never the results. Each read of an assessment is audited.
VIEW_HEALTH_DATA = "view_health_data"
CAPABILITIES[VIEW_HEALTH_DATA] = CASE_ROLES
PROGRAMME_CAPABILITIES[VIEW_HEALTH_DATA] = {Role.PROGRAMME_MANAGER: Programme.HEALTH,
                                            Role.CASE_WORKER: Programme.HEALTH}
# Aggregate statistics of each programme (no names, no references): its programme managers and M&E.
VIEW_RETURN_STATISTICS = "view_return_statistics"
VIEW_RESETTLEMENT_REPORT = "view_resettlement_report"
VIEW_HEALTH_STATISTICS = "view_health_statistics"
VIEW_LIVELIHOOD_STATISTICS = "view_livelihood_statistics"
for _capability, _programme in ((VIEW_RETURN_STATISTICS, Programme.RETURN),
                                (VIEW_RESETTLEMENT_REPORT, Programme.RESETTLEMENT),
                                (VIEW_HEALTH_STATISTICS, Programme.HEALTH),
                                (VIEW_LIVELIHOOD_STATISTICS, Programme.DIRECT_ASSISTANCE)):
    CAPABILITIES[_capability] = frozenset({Role.PROGRAMME_MANAGER, Role.ME_OFFICER})
    PROGRAMME_CAPABILITIES[_capability] = {Role.PROGRAMME_MANAGER: _programme}
# Resettlement staff travel to other cities to process cases: the trips are the programme's staff's business.
VIEW_PROCESSING_TRIPS = "view_processing_trips"
CAPABILITIES[VIEW_PROCESSING_TRIPS] = CASE_ROLES
PROGRAMME_CAPABILITIES[VIEW_PROCESSING_TRIPS] = {Role.PROGRAMME_MANAGER: Programme.RESETTLEMENT,
                                                 Role.CASE_WORKER: Programme.RESETTLEMENT}
# The migrant enterprises of the direct assistance programme (a list beside its cases).
VIEW_ENTERPRISES = "view_enterprises"
CAPABILITIES[VIEW_ENTERPRISES] = CASE_ROLES
PROGRAMME_CAPABILITIES[VIEW_ENTERPRISES] = {Role.PROGRAMME_MANAGER: Programme.DIRECT_ASSISTANCE,
                                            Role.CASE_WORKER: Programme.DIRECT_ASSISTANCE}


def programme_rule(programme: str, *, editors: frozenset[str] = frozenset({Role.ADMINISTRATOR})) -> Scope:
    """A programme's own lists (eligibility rules, questions, trips' cities...): read by the staff working in
    it and by administrators, changed by `editors` (by default administrators, in the back office)."""

    def rule(user: User, queryset: QuerySet, action: Action) -> QuerySet:
        if user.role == Role.ADMINISTRATOR:
            return queryset
        in_programme = user.role in CASE_ROLES and programme in (user.programmes or [])
        if action == "view":
            return queryset if in_programme else queryset.none()
        return queryset if in_programme and user.role in editors else queryset.none()

    return rule


def case_part_scope(case_field: str = "case", *, deletable: bool = False, read_only: bool = False) -> Scope:
    """A rule for what hangs off a case (plan, notes, attachments, services, movements, timeline, the CT
    profile and stays): seen by whoever sees the case, changed by whoever may change it. Most parts are
    never deleted (they are cancelled, dropped or marked removed, so the history stays whole)."""
    from waypoint.cases.models import Case

    def rule(user: User, queryset: QuerySet, action: Action) -> QuerySet:
        if (action == "delete" and not deletable) or (read_only and action != "view"):
            return queryset.none()
        cases = case_scope(user, Case.objects.all(), "view" if action == "view" else "change")
        return queryset.filter(Exists(cases.filter(pk=OuterRef(case_field))))

    return rule


def saved_view_scope(user: User, queryset: QuerySet, action: Action) -> QuerySet:
    """A saved list filter is its owner's alone."""
    if user.role not in CASE_ROLES:
        return queryset.none()
    return queryset.filter(user=user)


def register_case_rules() -> None:
    """Cases, what hangs off them, referrals and consent records."""
    register("cases.Case", case_scope)
    register("cases.CaseMember", case_member_scope)
    register("cases.Referral", referral_scope)
    register("cases.ReferralUpdate", referral_update_scope)
    register("consent.ConsentRecord", consent_scope)
    for name in ("Goal", "Task", "CaseNote", "Attachment", "ServiceDelivery", "Movement"):
        register(f"cases.{name}", case_part_scope())
    register("cases.CaseEvent", case_part_scope(read_only=True))
    register("cases.StatusChange", case_part_scope(read_only=True))
    register("cases.SavedView", saved_view_scope)
    register("cases.ServiceType", RoleRule(viewers=STAFF_ROLES, editors=frozenset({Role.ADMINISTRATOR})))
    register("protection.TraffickingProfile", case_part_scope())
    register("protection.TraffickingEvent", case_part_scope("profile__case", deletable=True))
    register("protection.CentreStay", case_part_scope())
    register("protection.Room", RoleRule(viewers=CASE_ROLES | {Role.ADMINISTRATOR},
                                         editors=frozenset({Role.ADMINISTRATOR})))


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
