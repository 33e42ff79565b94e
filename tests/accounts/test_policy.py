"""The access policy, pinned as explicit tables.

Two matrices: which capabilities each role holds, and which rows of every protected model each
persona may view, change and delete. The tables below are the specification: loosening (or
tightening) any rule in `waypoint/accounts/policy.py` makes a test here fail.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.accounts import policy
from waypoint.accounts.models import Office, Programme, Role, User
from waypoint.api import services as api_services
from waypoint.api.models import ApiToken
from waypoint.audit.models import Action, AuditEvent
from waypoint.audit.services import record
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import (
    DocumentType,
    DuplicatePair,
    IdentityDocument,
    Person,
    PersonAlias,
    PersonMerge,
    ProgrammeRegistration,
)

# Every role, plus the second case worker and the partner user of another organisation.
PERSONAS = [role.value for role in Role] + ["case_worker_b", "partner_user_y"]
ACTIONS = ("view", "change", "delete")

# What a persona gets for one action: every row, only their own rows, or nothing.
ALL = "all"
OWN = "own"
NONE = "none"
PROG = "programme"  # people registered in the persona's programmes (and what hangs off them)

# --- The object matrix: persona -> (view, change, delete) --------------------------------------
USER_ACCOUNTS = {
    "administrator": (ALL, ALL, ALL),
    "programme_manager": (OWN, NONE, NONE),
    "case_worker": (OWN, NONE, NONE),
    "hotline_operator": (OWN, NONE, NONE),
    "me_officer": (OWN, NONE, NONE),
    "data_protection_officer": (OWN, NONE, NONE),
    "partner_user": (OWN, NONE, NONE),
    "trainer": (OWN, NONE, NONE),
    "learner": (OWN, NONE, NONE),
    "case_worker_b": (OWN, NONE, NONE),
    "partner_user_y": (OWN, NONE, NONE),
}

OFFICES = {
    "administrator": (ALL, ALL, ALL),
    "programme_manager": (ALL, NONE, NONE),
    "case_worker": (ALL, NONE, NONE),
    "hotline_operator": (ALL, NONE, NONE),
    "me_officer": (ALL, NONE, NONE),
    "data_protection_officer": (ALL, NONE, NONE),
    "partner_user": (ALL, NONE, NONE),
    "trainer": (ALL, NONE, NONE),
    "learner": (ALL, NONE, NONE),
    "case_worker_b": (ALL, NONE, NONE),
    "partner_user_y": (ALL, NONE, NONE),
}

ORGANISATIONS = {
    "administrator": (ALL, ALL, ALL),
    "programme_manager": (ALL, NONE, NONE),
    "case_worker": (ALL, NONE, NONE),
    "hotline_operator": (ALL, NONE, NONE),
    "me_officer": (ALL, NONE, NONE),
    "data_protection_officer": (ALL, NONE, NONE),
    "partner_user": (ALL, NONE, NONE),
    "trainer": (ALL, NONE, NONE),
    "learner": (NONE, NONE, NONE),
    "case_worker_b": (ALL, NONE, NONE),
    "partner_user_y": (ALL, NONE, NONE),
}

AUDIT_EVENTS = {
    "administrator": (NONE, NONE, NONE),
    "programme_manager": (NONE, NONE, NONE),
    "case_worker": (NONE, NONE, NONE),
    "hotline_operator": (NONE, NONE, NONE),
    "me_officer": (NONE, NONE, NONE),
    "data_protection_officer": (ALL, NONE, NONE),
    "partner_user": (NONE, NONE, NONE),
    "trainer": (NONE, NONE, NONE),
    "learner": (NONE, NONE, NONE),
    "case_worker_b": (NONE, NONE, NONE),
    "partner_user_y": (NONE, NONE, NONE),
}

API_TOKENS = {
    "administrator": (OWN, OWN, OWN),
    "programme_manager": (OWN, OWN, OWN),
    "case_worker": (OWN, OWN, OWN),
    "hotline_operator": (OWN, OWN, OWN),
    "me_officer": (OWN, OWN, OWN),
    "data_protection_officer": (OWN, OWN, OWN),
    "partner_user": (OWN, OWN, OWN),
    "trainer": (OWN, OWN, OWN),
    "learner": (NONE, NONE, NONE),
    "case_worker_b": (OWN, OWN, OWN),
    "partner_user_y": (OWN, OWN, OWN),
}

# Staff who work with persons see those of their programmes; nobody deletes a person (merge instead);
# other names and documents may be removed by those who may edit the person.
PEOPLE_STAFF = {"programme_manager", "case_worker", "hotline_operator", "case_worker_b"}
PERSONS = {p: (PROG, PROG, NONE) if p in PEOPLE_STAFF else (NONE, NONE, NONE) for p in PERSONAS}
PERSON_DETAILS = {p: (PROG, PROG, PROG) if p in PEOPLE_STAFF else (NONE, NONE, NONE) for p in PERSONAS}
REGISTRATIONS = PERSONS
MERGES = {
    p: {"programme_manager": (PROG, PROG, NONE)}.get(p, (PROG, NONE, NONE) if p in PEOPLE_STAFF else (NONE, NONE, NONE))
    for p in PERSONAS
}
DUPLICATE_PAIRS = {p: (PROG, PROG, NONE) if p == "programme_manager" else (NONE, NONE, NONE) for p in PERSONAS}

OBJECT_MATRIX = {
    "accounts.user": (User, USER_ACCOUNTS),
    "accounts.office": (Office, OFFICES),
    "partners.organisation": (Organisation, ORGANISATIONS),
    "audit.auditevent": (AuditEvent, AUDIT_EVENTS),
    "api.apitoken": (ApiToken, API_TOKENS),
    "people.person": (Person, PERSONS),
    "people.personalias": (PersonAlias, PERSON_DETAILS),
    "people.identitydocument": (IdentityDocument, PERSON_DETAILS),
    "people.programmeregistration": (ProgrammeRegistration, REGISTRATIONS),
    "people.personmerge": (PersonMerge, MERGES),
    "people.duplicatepair": (DuplicatePair, DUPLICATE_PAIRS),
}

# --- The capability matrix: persona -> the capabilities it holds -------------------------------
EVERY_CAPABILITY = {
    "view_dashboard", "manage_users", "view_audit_trail", "view_directory", "change_directory", "use_api",
    "view_people", "merge_people", "import_people",
}
PEOPLE_WORK = {policy.VIEW_PEOPLE}
MANAGER_PEOPLE_WORK = {policy.VIEW_PEOPLE, policy.MERGE_PEOPLE, policy.IMPORT_PEOPLE}
STAFF_CAPABILITIES = {policy.VIEW_DASHBOARD, policy.VIEW_DIRECTORY, policy.USE_API}

CAPABILITY_MATRIX = {
    "administrator": {
        policy.VIEW_DASHBOARD, policy.MANAGE_USERS, policy.VIEW_DIRECTORY, policy.CHANGE_DIRECTORY, policy.USE_API,
    },
    "programme_manager": STAFF_CAPABILITIES | MANAGER_PEOPLE_WORK,
    "case_worker": STAFF_CAPABILITIES | PEOPLE_WORK,
    "hotline_operator": STAFF_CAPABILITIES | PEOPLE_WORK,
    "me_officer": STAFF_CAPABILITIES,
    "data_protection_officer": {policy.VIEW_DASHBOARD, policy.VIEW_AUDIT_TRAIL, policy.VIEW_DIRECTORY, policy.USE_API},
    "partner_user": STAFF_CAPABILITIES,
    "trainer": STAFF_CAPABILITIES,
    "learner": {policy.VIEW_DASHBOARD},
    "case_worker_b": STAFF_CAPABILITIES | PEOPLE_WORK,
    "partner_user_y": STAFF_CAPABILITIES,
}


# --- The world the matrices are checked against -----------------------------------------------
@pytest.fixture
def world(users, office, ngo_x, ngo_y):
    """Two of everything, so that "all" and "own" and "none" can never look alike."""
    site = Office.objects.create(
        code="icc-north", name="North consultation centre", kind=Office.Kind.CONSULTATION_CENTRE,
        city="Tver", parent=office,
    )
    dormant = Organisation.objects.create(
        name="Dormant NGO", organisation_type=OrganisationType.NGO, is_active=False,
    )
    for persona in PERSONAS:
        api_services.create_token(users[persona], name=f"{persona} script", valid_days=30)
    api_services.create_token(users["case_worker"], name="second script", valid_days=90)
    record(Action.VIEW, users["case_worker"], actor=users["case_worker"])
    record(Action.UPDATE, site, actor=users["administrator"], changes={"name": ["Old", "New"]})
    return {
        "users": users, "offices": [office, site], "organisations": [ngo_x, ngo_y, dormant],
        "people": people_world(users),
    }


# Who knows each person of the world: the programmes it is registered in.
PEOPLE_WORLD = {
    "ct": [Programme.COUNTER_TRAFFICKING],
    "avrr": [Programme.RETURN],
    "icc": [Programme.HOTLINE],
    "ct_and_avrr": [Programme.COUNTER_TRAFFICKING, Programme.RETURN],
    "merged_away": [Programme.RETURN],
}


def people_world(users) -> dict[str, Person]:
    """A person per programme, one known to two, each with another name and a document; merges into
    the people of each programme; and possible duplicates within and across programmes."""
    people = {}
    for key, programmes in PEOPLE_WORLD.items():
        person = Person.objects.create(given_name="Anna", family_name=f"Test-{key}".replace("_", ""))
        for programme in programmes:
            ProgrammeRegistration.objects.create(person=person, programme=programme)
        PersonAlias.objects.create(person=person, given_name="Ann", family_name="Other")
        IdentityDocument.objects.create(person=person, document_type=DocumentType.PASSPORT, number=f"75{person.pk}0001")
        people[key] = person
    for survivor in ("ct", "avrr", "icc"):
        PersonMerge.objects.create(
            survivor=people[survivor], absorbed=people["merged_away"], merged_by=users["programme_manager"]
        )
    for first, second in (("ct", "ct_and_avrr"), ("avrr", "icc"), ("ct", "avrr")):
        a, b = sorted((people[first], people[second]), key=lambda p: p.pk)
        DuplicatePair.objects.create(first=a, second=b, score=0.8)
    return people


def programme_people(user: User) -> set[Person]:
    known = {key for key, programmes in PEOPLE_WORLD.items() if set(programmes) & set(user.programmes or [])}
    return set(Person.objects.filter(family_name__in=[f"Test-{key}".replace("_", "") for key in known]))


def expected_rows(kind: str, model, user: User) -> set:
    everything = set(model._default_manager.all())
    if kind == ALL:
        return everything
    if kind == NONE:
        return set()
    if model is User:
        return {user}
    if model is ApiToken:
        return set(ApiToken.objects.filter(user=user))
    if kind == PROG:
        mine = programme_people(user)
        if model is Person:
            return mine
        if model is PersonMerge:
            return {m for m in everything if m.survivor in mine}
        if model is DuplicatePair:
            return {d for d in everything if d.first in mine or d.second in mine}
        return {row for row in everything if row.person in mine}
    raise AssertionError(f"No meaning of 'own' for {model.__name__}")


def token_of(username: str) -> ApiToken:
    return ApiToken.objects.filter(user__username=username).first()


def new_events(since: int):
    return AuditEvent.objects.filter(pk__gt=since).order_by("pk")


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- The tables cover everything there is -----------------------------------------------------
def test_the_object_matrix_covers_every_registered_model_and_every_persona():
    assert set(policy._RULES) == set(OBJECT_MATRIX)
    for label, (model, table) in OBJECT_MATRIX.items():
        assert model._meta.label_lower == label
        assert list(table) == PERSONAS, label


def test_the_capability_matrix_covers_every_capability_and_every_persona():
    assert set(policy.CAPABILITIES) == EVERY_CAPABILITY
    assert list(CAPABILITY_MATRIX) == PERSONAS
    for persona, capabilities in CAPABILITY_MATRIX.items():
        assert capabilities <= EVERY_CAPABILITY, persona


def test_the_personas_have_the_roles_their_names_say(users):
    assert users["case_worker_b"].role == Role.CASE_WORKER
    assert users["partner_user_y"].role == Role.PARTNER_USER
    assert users["partner_user_y"].partner_organisation != users["partner_user"].partner_organisation
    for role in Role:
        assert users[role.value].role == role


# --- The object matrix ------------------------------------------------------------------------
OBJECT_CASES = [
    pytest.param(label, persona, action, table[persona][index], id=f"{label}-{persona}-{action}")
    for label, (_model, table) in OBJECT_MATRIX.items()
    for persona in PERSONAS
    for index, action in enumerate(ACTIONS)
]


@pytest.mark.parametrize(("label", "persona", "action", "kind"), OBJECT_CASES)
def test_scope_returns_exactly_the_rows_the_matrix_allows(world, label, persona, action, kind):
    model, _table = OBJECT_MATRIX[label]
    user = world["users"][persona]
    expected = expected_rows(kind, model, user)
    if kind != NONE:
        assert expected, "the world must hold rows for this persona, or the check proves nothing"
    if kind in (OWN, PROG):
        assert expected != set(model._default_manager.all()), "other people's rows must exist"

    assert set(policy.scope(user, model._default_manager.all(), action)) == expected


@pytest.mark.parametrize(("label", "persona", "action", "kind"), OBJECT_CASES)
def test_can_answers_for_every_object_as_the_matrix_says(world, label, persona, action, kind):
    model, _table = OBJECT_MATRIX[label]
    user = world["users"][persona]
    expected = expected_rows(kind, model, user)

    answers = {obj: policy.can(user, action, obj) for obj in model._default_manager.all()}

    assert {obj for obj, allowed in answers.items() if allowed} == expected


def test_a_narrower_queryset_stays_narrow(world):
    """`scope` filters the queryset it is given; it never widens it back to the whole table."""
    administrator = world["users"]["administrator"]
    active = Organisation.objects.filter(is_active=True)

    assert set(policy.scope(administrator, active)) == set(active)
    assert not policy.scope(administrator, active).filter(is_active=False).exists()


def test_no_user_sees_another_users_api_tokens(world):
    users = world["users"]
    for persona in PERSONAS:
        visible_owners = set(
            policy.scope(users[persona], ApiToken.objects.all()).values_list("user__username", flat=True)
        )
        assert visible_owners <= {users[persona].username}, persona


# --- The capability matrix --------------------------------------------------------------------
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("capability", sorted(EVERY_CAPABILITY))
def test_may_answers_as_the_capability_matrix_says(users, persona, capability):
    assert policy.may(users[persona], capability) is (capability in CAPABILITY_MATRIX[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_require_audits_a_denied_capability_and_lets_a_granted_one_pass(users, persona):
    user = users[persona]
    for capability in sorted(EVERY_CAPABILITY):
        before = last_event_id()
        if capability in CAPABILITY_MATRIX[persona]:
            policy.require(user, capability)
            assert not new_events(before).exists(), capability
        else:
            with pytest.raises(Http404):
                policy.require(user, capability)
            [event] = new_events(before)
            assert (event.action, event.actor_id, event.object_type, event.object_id) == (
                Action.DENY, user.pk, "capability", capability,
            )


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unknown_capability_is_denied_to_everyone(users, persona):
    user = users[persona]
    assert not policy.may(user, "administer_everything")
    assert not policy.may(user, "")

    before = last_event_id()
    with pytest.raises(Http404):
        policy.require(user, "administer_everything")
    [event] = new_events(before)
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        Action.DENY, user.pk, "capability", "administer_everything",
    )


# --- Inactive and anonymous users get nothing ------------------------------------------------
@pytest.mark.parametrize("persona", PERSONAS)
def test_an_inactive_user_gets_nothing(world, persona):
    user = world["users"][persona]
    user.is_active = False
    user.save()

    for capability in EVERY_CAPABILITY:
        assert not policy.may(user, capability), capability
    for label, (model, _table) in OBJECT_MATRIX.items():
        for action in ACTIONS:
            assert not policy.scope(user, model._default_manager.all(), action).exists(), (label, action)
            for obj in model._default_manager.all():
                assert not policy.can(user, action, obj), (label, action, obj.pk)


@pytest.mark.parametrize("anonymous", [AnonymousUser(), None], ids=["anonymous", "no-user"])
def test_an_anonymous_visitor_gets_nothing(world, anonymous):
    for capability in EVERY_CAPABILITY:
        assert not policy.may(anonymous, capability), capability
    for label, (model, _table) in OBJECT_MATRIX.items():
        for action in ACTIONS:
            assert not policy.scope(anonymous, model._default_manager.all(), action).exists(), (label, action)
            for obj in model._default_manager.all():
                assert not policy.can(anonymous, action, obj), (label, action, obj.pk)


def test_a_denial_for_an_anonymous_visitor_is_audited_without_an_actor(world):
    before = last_event_id()
    with pytest.raises(Http404):
        policy.get_for(AnonymousUser(), Office, pk=world["offices"][0].pk)
    [event] = new_events(before)
    assert (event.action, event.actor_id, event.actor_username) == (Action.DENY, None, "")


def test_a_denial_for_an_inactive_user_is_audited_without_an_actor(world):
    user = world["users"]["administrator"]
    user.is_active = False
    user.save()
    before = last_event_id()
    with pytest.raises(Http404):
        policy.require(user, policy.MANAGE_USERS)
    [event] = new_events(before)
    assert (event.action, event.actor_id, event.object_id) == (Action.DENY, None, policy.MANAGE_USERS)


# --- Models without a rule are closed -------------------------------------------------------
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_model_without_a_rule_is_closed_to_everyone(users, persona, action):
    user = users[persona]
    group = Group.objects.create(name="Everyone")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    assert not policy.scope(user, Group.objects.all(), action).exists()
    assert not policy.scope(user, TOTPDevice.objects.all(), action).exists()
    assert not policy.can(user, action, group)
    assert not policy.can(user, action, device)


def test_get_for_a_model_without_a_rule_is_not_found_and_audited(users):
    administrator = users["administrator"]
    group = Group.objects.create(name="Everyone")
    before = last_event_id()

    with pytest.raises(Http404):
        policy.get_for(administrator, Group, pk=group.pk)

    [event] = new_events(before)
    assert (event.action, event.object_type, event.object_id) == (Action.DENY, "auth.group", str(group.pk))


# --- get_for: found, or 404 and an audited denial, whether missing or forbidden ---------------
def test_get_for_returns_an_object_in_scope_without_auditing_a_denial(world):
    case_worker = world["users"]["case_worker"]
    before = last_event_id()

    assert policy.get_for(case_worker, User, pk=case_worker.pk) == case_worker
    assert policy.get_for(case_worker, Organisation, pk=world["organisations"][0].pk) == world["organisations"][0]

    assert not new_events(before).filter(action=Action.DENY).exists()


@pytest.mark.parametrize(
    ("persona", "model", "action", "target"),
    [
        pytest.param("case_worker", User, "view", lambda w: w["users"]["case_worker_b"], id="another-user"),
        pytest.param("case_worker", User, "change", lambda w: w["users"]["case_worker"], id="change-own-account"),
        pytest.param("partner_user", Organisation, "change", lambda w: w["organisations"][0], id="partner-changes-org"),
        pytest.param("learner", Organisation, "view", lambda w: w["organisations"][0], id="learner-views-org"),
        pytest.param("programme_manager", Office, "delete", lambda w: w["offices"][0], id="delete-office"),
        pytest.param("administrator", AuditEvent, "view", lambda w: AuditEvent.objects.first(), id="admin-reads-audit"),
        pytest.param(
            "data_protection_officer", AuditEvent, "change", lambda w: AuditEvent.objects.first(), id="dpo-edits-audit",
        ),
        pytest.param(
            "administrator", ApiToken, "view", lambda w: token_of("case_worker"),
            id="admin-views-token",
        ),
        pytest.param(
            "case_worker_b", ApiToken, "change", lambda w: token_of("case_worker"),
            id="colleague-revokes-token",
        ),
        pytest.param(
            "learner", ApiToken, "view", lambda w: token_of("learner"),
            id="learner-views-own-token",
        ),
    ],
)
def test_get_for_a_forbidden_object_is_not_found_and_audited(world, persona, model, action, target):
    user = world["users"][persona]
    obj = target(world)
    before = last_event_id()

    with pytest.raises(Http404):
        policy.get_for(user, model, action, pk=obj.pk)

    [event] = new_events(before)
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        Action.DENY, user.pk, model._meta.label_lower, str(obj.pk),
    )


@pytest.mark.parametrize(
    ("model", "missing_pk"),
    [
        (User, 987654),
        (Office, 987654),
        (Organisation, "00000000-0000-0000-0000-000000000000"),
        (AuditEvent, 987654),
        (ApiToken, 987654),
    ],
)
@pytest.mark.parametrize("persona", ["administrator", "data_protection_officer", "case_worker"])
def test_get_for_a_missing_object_is_not_found_and_audited(world, persona, model, missing_pk):
    user = world["users"][persona]
    before = last_event_id()

    with pytest.raises(Http404):
        policy.get_for(user, model, pk=missing_pk)

    [event] = new_events(before)
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        Action.DENY, user.pk, model._meta.label_lower, str(missing_pk),
    )


@pytest.mark.parametrize(
    ("model", "malformed_pk"),
    [(Organisation, "not-a-uuid"), (Office, "not-a-number"), (ApiToken, [1, 2])],
)
def test_get_for_a_malformed_id_is_not_found_and_audited(world, model, malformed_pk):
    administrator = world["users"]["administrator"]
    before = last_event_id()

    with pytest.raises(Http404):
        policy.get_for(administrator, model, pk=malformed_pk)

    [event] = new_events(before)
    assert (event.action, event.object_type) == (Action.DENY, model._meta.label_lower)


def test_get_for_a_missing_and_a_forbidden_object_look_the_same(world):
    case_worker = world["users"]["case_worker"]
    with pytest.raises(Http404) as missing:
        policy.get_for(case_worker, User, pk=987654)
    with pytest.raises(Http404) as forbidden:
        policy.get_for(case_worker, User, pk=world["users"]["case_worker_b"].pk)

    assert str(missing.value) == str(forbidden.value)


def test_get_for_honours_the_queryset_it_is_given(world):
    administrator = world["users"]["administrator"]
    dormant = world["organisations"][2]
    before = last_event_id()

    with pytest.raises(Http404):
        policy.get_for(administrator, Organisation.objects.filter(is_active=True), pk=dormant.pk)

    [event] = new_events(before)
    assert (event.action, event.object_type, event.object_id) == (Action.DENY, "partners.organisation", str(dormant.pk))


def test_get_for_records_where_a_denied_request_came_from(world):
    case_worker = world["users"]["case_worker"]
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    before = last_event_id()

    with pytest.raises(Http404):
        policy.get_for(case_worker, User, pk=world["users"]["administrator"].pk, request=request)

    [event] = new_events(before)
    assert event.ip_address == "203.0.113.9"


def test_an_unknown_action_is_a_programming_error_not_a_permission(users):
    with pytest.raises(ValueError, match="Unknown action"):
        policy.scope(users[Role.ADMINISTRATOR], Office.objects.all(), "edit")


def test_get_for_with_an_unknown_action_raises_instead_of_answering_404(users):
    office = Office.objects.first()
    with pytest.raises(ValueError, match="Unknown action"):
        policy.get_for(users[Role.ADMINISTRATOR], Office, "edit", pk=office.pk)
