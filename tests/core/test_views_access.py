"""Who may open which address: every URL of the site, for anonymous visitors and every persona.

Pages gated by a capability answer 404 to the roles without it and leave a "deny" event in the
audit trail; the API answers 401 without a usable token; the back office lets in only the
administrator.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from waypoint.accounts import policy
from waypoint.accounts.models import Role, User
from waypoint.api import services as api_services
from waypoint.api.models import ApiToken
from waypoint.audit.models import Action, AuditEvent
from waypoint.partners.models import Organisation, OrganisationType

PERSONAS = [role.value for role in Role] + ["case_worker_b", "partner_user_y"]
EVERYONE = frozenset(PERSONAS)
NOT_LEARNERS = EVERYONE - {"learner"}


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def denials_since(since: int):
    return AuditEvent.objects.filter(pk__gt=since, action=Action.DENY)


def login_redirect(url: str) -> str:
    return f"{reverse('accounts:login')}?next={quote(url)}"


# --- Every named address of the site has an access test below ------------------------------
# The back office ("admin:*") is tested as a whole further down.
PEOPLE_STAFF = frozenset({"programme_manager", "case_worker", "hotline_operator", "case_worker_b"})
MANAGERS = frozenset({"programme_manager"})
CASE_STAFF = frozenset({"programme_manager", "case_worker", "case_worker_b"})
STATISTICS_READERS = frozenset({"hotline_operator", "me_officer"})
KNOWLEDGE_READERS = PEOPLE_STAFF | {"administrator"}
REFERRAL_READERS = PEOPLE_STAFF | {"partner_user", "partner_user_y"}

COVERED_URL_NAMES = {
    # Referrals and cases: the inbox below; one referral, its answers, its printable page, the three doors
    # from a consultation and the case page in tests/cases/test_views.py.
    "referrals:inbox", "referrals:detail", "referrals:act", "referrals:print", "referrals:from_consultation",
    "referrals:escalate", "referrals:situation", "cases:detail", "cases:consent_withdraw",
    # The victim referral system on cases: the partner's referral to the office below; the referral from a case,
    # the PDF and the delivery in tests/cases/test_case_referrals.py and test_referral_pdf.py; the case opened
    # from an inbound referral in tests/cases/test_inbound.py (every other persona 404 and audited).
    "referrals:refer_case", "referrals:pdf", "referrals:delivery", "referrals:refer_to_office", "referrals:open_case",
    # The case core: the list and opening a case below; the case page, its forms, files and saved views (every
    # persona outside the case, 404 and audited) in tests/cases/test_case_pages.py.
    "cases:list", "cases:open", "cases:edit", "cases:transition", "cases:member_add", "cases:member_remove",
    "cases:goal_add", "cases:goal_edit", "cases:task_add", "cases:task_done", "cases:note_add", "cases:note_edit",
    "cases:attachment_upload", "cases:attachment", "cases:attachment_remove", "cases:saved_view_add",
    "cases:saved_view_delete",
    # The counter-trafficking profile and its trafficking events: every persona outside the case, and cases of
    # other programmes, in tests/protection/test_profile.py.
    "protection:profile_edit", "protection:event_add", "protection:event_remove",
    "core:dashboard", "audit:trail", "partners:list", "api_tokens:list", "api_tokens:revoke",
    "accounts:login", "accounts:logout", "accounts:verify", "accounts:enrol", "accounts:password_change",
    "accounts:password_reset", "accounts:password_reset_done", "accounts:password_reset_confirm",
    "accounts:password_reset_complete", "accounts:set_language",
    "api:me", "api:offices", "api:organisations", "api:organisation", "api:openapi-json", "api:api-root",
    # The people registry: capability pages below; its object pages in tests/people/test_views.py,
    # test_review_views.py and test_import.py; its API in tests/api/test_people_api.py.
    "people:search", "people:register", "people:register_candidates", "people:detail", "people:edit",
    "people:photo", "people:photo_upload", "people:photo_remove", "people:alias_add", "people:alias_remove",
    "people:document_add", "people:document_remove", "people:programme_add",
    "people:duplicates", "people:duplicate_not_same", "people:merge_start", "people:merge_confirm",
    "people:merges", "people:merge_undo",
    "people:import", "people:import_template", "people:import_preview",
    "api:list_people", "api:create_person", "api:get_person", "api:update_person",
    # The partner directory: the list below; organisation and service pages, availability updates and the
    # directory API (every endpoint for every role) in tests/partners/test_directory_views.py and
    # test_directory_api.py.
    "partners:organisation", "partners:service", "partners:availability",
    "api:create_organisation", "api:update_organisation", "api:delete_organisation",
    "api:services", "api:service", "api:create_service", "api:update_service", "api:delete_service",
    # The consultation log: capability pages below; one consultation, its correction, follow-ups and their
    # actions in tests/hotline/test_consultation_views.py and test_follow_ups.py; the API in
    # tests/api/test_hotline_api.py.
    "hotline:log", "hotline:new", "hotline:consultations", "hotline:detail", "hotline:edit", "hotline:follow_up_add",
    "hotline:follow_ups", "hotline:follow_up_done", "hotline:follow_up_cancel", "hotline:follow_up_reassign",
    "api:create_consultation", "api:list_consultations",
    # Cases, services delivered and referrals in the API: every endpoint for the personas it serves and refuses
    # (another organisation's referral by id, M&E, a case worker outside the case) in tests/api/test_cases_api.py.
    "api:cases", "api:open_case", "api:case", "api:edit_case", "api:case_transition", "api:case_services",
    "api:record_delivery", "api:service_types", "api:referrals", "api:refer_case_member", "api:referral",
    "api:referral_accept", "api:referral_decline", "api:referral_progress", "api:referral_complete",
    "api:referral_cancel",
    # Hotline statistics and knowledge base: capability pages below; articles (drafts, editing) in
    # tests/hotline/test_knowledge.py; what each role sees of the statistics in tests/hotline/test_statistics.py.
    "hotline:statistics", "hotline:statistics_export",
    "hotline:knowledge", "hotline:article", "hotline:article_new", "hotline:article_edit",
    # Referral statistics and their CSV: capability pages below; what each reader counts in
    # tests/cases/test_statistics.py.
    "case_reports:referral_statistics", "case_reports:referral_statistics_csv",
    # The printable directory: capability page below; filters, audit and the file in tests/partners/test_printable.py.
    "partners:directory_pdf",
    # The HSDS exchange: capability pages below; the download, the import's preview (a session's own upload)
    # and confirmation in tests/partners/test_hsds_views.py; the HSDA API in API_ENDPOINTS below and every
    # endpoint for every role in tests/partners/test_hsds_api.py.
    "partners:hsds_export", "partners:hsds_import", "partners:hsds_import_preview",
    "hsda:api_info", "hsda:services", "hsda:service", "hsda:organizations", "hsda:organization",
    "hsda:service_at_locations", "hsda:service_at_location", "hsda:taxonomies", "hsda:taxonomy",
    "hsda:taxonomy_terms", "hsda:taxonomy_term", "hsda:openapi-json", "hsda:api-root",
    # Services, movements and centre stays of a case: 404 and an audited denial outside the case in
    # tests/cases/test_deliveries.py, test_movements.py and tests/protection/test_stays.py; occupancy below.
    "case_services:delivery_add", "case_services:delivery_edit", "case_services:movement_add",
    "case_services:movement_edit", "case_services:movement_status", "centre:check_in",
    "centre:check_out", "centre:occupancy",
    # Consent: the registry (and its CSV) below; recording and withdrawing a consent and the signed form in
    # tests/consent/test_views.py.
    "consent:registry", "consent:record", "consent:form", "consent:withdraw",
    # The reports menu: capability page below (a reader of no statistics gets 404, audited as "reports").
    "core:reports",
    # The four programmes (issue 6). Capability pages (statistics and their CSV, the resettlement report and its
    # CSV, the trips, the health queue, the enterprises) below. Every GET page refused to partners and learners,
    # and every case part, trip, enterprise and assessment out of the user's reach (GET and POST) 404 and audited,
    # in tests/security/test_issue6_review.py (GET_PAGES, CROSS_CASE); each API endpoint out of reach 404 and
    # audited there too (API_OUT_OF_REACH). What each role may do: tests/<app>/test_access.py.
    # Return: screening, questionnaire, documents, reception, plan and visits in tests/returns/test_pages_and_api.py
    # and test_workflow.py; statistics in test_pages_and_api.py; the API there and in tests/api/test_api.py.
    "returns:statistics", "returns:statistics_csv", "returns:screening", "returns:questionnaire",
    "returns:document_add", "returns:document_edit", "returns:reception", "returns:plan", "returns:instalment_add",
    "returns:visit",
    "api:return_profile", "api:return_questionnaire", "api:return_instalment", "api:return_document_request",
    "api:return_document",
    # Resettlement: the case parts and trips in tests/resettlement/test_pages_api.py and test_workflow.py; the
    # report in test_report.py; the API there.
    "resettlement:trips", "resettlement:trip_new", "resettlement:trip", "resettlement:trip_edit",
    "resettlement:report", "resettlement:report_csv", "resettlement:profile_edit", "resettlement:clearance_add",
    "resettlement:clearance_edit", "resettlement:presentation_add", "resettlement:decision",
    "resettlement:orientation_add", "resettlement:assurance_edit",
    "api:resettlement_profile", "api:resettlement_profile_edit", "api:resettlement_clearances",
    "api:resettlement_clearance_record", "api:resettlement_clearance_update", "api:resettlement_presentations",
    "api:resettlement_presentation_record", "api:resettlement_decision", "api:resettlement_trips",
    "api:resettlement_trip_create", "api:resettlement_report",
    # Migration health: the queue, an assessment, its results, cancelling and follow-up in tests/health/test_access.py
    # and test_services.py; statistics in test_statistics.py; the API in test_api.py and test_access.py.
    "health:queue", "health:statistics", "health:statistics_csv", "health:request", "health:assessment",
    "health:record", "health:cancel", "health:follow_up",
    "api:health_assessments", "api:health_assessment", "api:health_request", "api:health_results",
    "api:health_cancel", "api:health_clearances",
    # Direct assistance: enterprises and grants in tests/livelihoods/test_access.py and test_grants.py (the API
    # there too).
    "livelihoods:enterprises", "livelihoods:enterprise_new", "livelihoods:enterprise", "livelihoods:enterprise_edit",
    "livelihoods:member_add", "livelihoods:member_remove", "livelihoods:application_new", "livelihoods:statistics",
    "livelihoods:statistics_csv", "livelihoods:plan_edit", "livelihoods:assessment_edit",
    "livelihoods:decision_edit", "livelihoods:item_new", "livelihoods:item_edit", "livelihoods:visit_new",
    "api:livelihoods_enterprises", "api:livelihoods_enterprise", "api:livelihoods_grant",
    "api:livelihoods_add_item", "api:livelihoods_record_visit",
}


def named_urls(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                pattern.namespace or namespace
            )
            yield from named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)


def test_every_address_of_the_site_has_an_access_test():
    assert set(named_urls(get_resolver().url_patterns)) == COVERED_URL_NAMES


# --- Pages gated by a capability -------------------------------------------------------------
# address -> (the capability it requires, the personas who get the page)
CAPABILITY_PAGES = {
    "/": (policy.VIEW_DASHBOARD, EVERYONE),
    "/partners/": (policy.VIEW_DIRECTORY, NOT_LEARNERS),
    "/partners/directory.pdf": (policy.VIEW_DIRECTORY, NOT_LEARNERS),
    "/audit/": (policy.VIEW_AUDIT_TRAIL, frozenset({"data_protection_officer"})),
    "/api-tokens/": (policy.USE_API, NOT_LEARNERS),
    "/people/": (policy.VIEW_PEOPLE, PEOPLE_STAFF),
    "/people/register/": (policy.VIEW_PEOPLE, PEOPLE_STAFF),
    "/people/duplicates/": (policy.MERGE_PEOPLE, MANAGERS),
    "/people/merges/": (policy.MERGE_PEOPLE, MANAGERS),
    "/people/import/": (policy.IMPORT_PEOPLE, MANAGERS),
    # The consultation log: hotline operators (and programme managers of the ICC programme: not the test one).
    "/hotline/": (policy.RECORD_CONSULTATIONS, frozenset({"hotline_operator"})),
    "/hotline/new/": (policy.RECORD_CONSULTATIONS, frozenset({"hotline_operator"})),
    "/hotline/consultations/": (policy.RECORD_CONSULTATIONS, frozenset({"hotline_operator"})),
    "/hotline/follow-ups/": (policy.RECORD_CONSULTATIONS, frozenset({"hotline_operator"})),
    "/partners/hsds/export/": (policy.CHANGE_DIRECTORY, frozenset({"administrator"})),
    "/partners/hsds/import/": (policy.CHANGE_DIRECTORY, frozenset({"administrator"})),
    "/referrals/": (policy.VIEW_REFERRALS, REFERRAL_READERS),
    "/referrals/to-the-office/": (policy.REFER_TO_OFFICE, frozenset({"partner_user", "partner_user_y"})),
    # The centre's occupancy: case workers and programme managers of counter-trafficking (not case_worker_b).
    "/centre/": (policy.VIEW_CENTRE_OCCUPANCY, frozenset({"programme_manager", "case_worker"})),
    # Statistics: operators, M&E, and programme managers of the ICC programme (the test manager is in CT only).
    "/hotline/statistics/": (policy.VIEW_HOTLINE_STATISTICS, STATISTICS_READERS),
    "/hotline/statistics/export/": (policy.VIEW_HOTLINE_STATISTICS, STATISTICS_READERS),
    "/hotline/statistics/export/?format=xlsx": (policy.VIEW_HOTLINE_STATISTICS, STATISTICS_READERS),
    # Referral statistics: programme managers (their programmes) and M&E (aggregates of all programmes).
    "/reports/referrals/": (policy.VIEW_REFERRAL_STATISTICS, frozenset({"programme_manager", "me_officer"})),
    "/reports/referrals/export.csv": (policy.VIEW_REFERRAL_STATISTICS, frozenset({"programme_manager", "me_officer"})),
    "/hotline/knowledge/": (policy.VIEW_KNOWLEDGE_BASE, KNOWLEDGE_READERS),
    # The case list and opening a case: case workers and programme managers.
    "/cases/": (policy.VIEW_CASES, CASE_STAFF),
    "/cases/new/": (policy.VIEW_CASES, CASE_STAFF),
    "/hotline/knowledge/new/": (policy.CHANGE_KNOWLEDGE_BASE, frozenset({"administrator"})),
    # The consent registry and its CSV: the data protection officer only.
    "/consent/": (policy.VIEW_CONSENT_REGISTRY, frozenset({"data_protection_officer"})),
    "/consent/?format=csv": (policy.VIEW_CONSENT_REGISTRY, frozenset({"data_protection_officer"})),
    # The reports menu: whoever reads some statistics (the programme manager reads the referral statistics).
    "/reports/": ("reports", frozenset({"programme_manager", "hotline_operator", "me_officer"})),
    # The programmes' statistics and reports: their programme managers (the test manager is in CT only) and M&E.
    "/returns/statistics/": (policy.VIEW_RETURN_STATISTICS, frozenset({"me_officer"})),
    "/returns/statistics/export.csv": (policy.VIEW_RETURN_STATISTICS, frozenset({"me_officer"})),
    "/resettlement/report/": (policy.VIEW_RESETTLEMENT_REPORT, frozenset({"me_officer"})),
    "/resettlement/report/export.csv": (policy.VIEW_RESETTLEMENT_REPORT, frozenset({"me_officer"})),
    "/health/statistics/": (policy.VIEW_HEALTH_STATISTICS, frozenset({"me_officer"})),
    "/health/statistics/export.csv": (policy.VIEW_HEALTH_STATISTICS, frozenset({"me_officer"})),
    "/livelihoods/statistics/": (policy.VIEW_LIVELIHOOD_STATISTICS, frozenset({"me_officer"})),
    "/livelihoods/statistics/export.csv": (policy.VIEW_LIVELIHOOD_STATISTICS, frozenset({"me_officer"})),
    # The programmes' own lists: their staff only, none of the personas here (all in CT, the hotline or M&E).
    "/resettlement/trips/": (policy.VIEW_PROCESSING_TRIPS, frozenset()),
    "/health/": (policy.VIEW_HEALTH_DATA, frozenset()),
    "/livelihoods/enterprises/": (policy.VIEW_ENTERPRISES, frozenset()),
}
PAGE_CASES = [
    pytest.param(url, persona, id=f"{url}-{persona}") for url in CAPABILITY_PAGES for persona in PERSONAS
]


@pytest.mark.parametrize("url", list(CAPABILITY_PAGES))
def test_an_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == login_redirect(url)


@pytest.mark.parametrize(("url", "persona"), PAGE_CASES)
def test_a_capability_page_opens_only_for_the_roles_that_hold_it(users, client_for, url, persona):
    capability, allowed = CAPABILITY_PAGES[url]
    user = users[persona]
    before = last_event_id()

    response = client_for(user).get(url)

    if persona in allowed:
        assert response.status_code == 200
        assert not denials_since(before).exists()
    else:
        assert response.status_code == 404
        assert "Not found" in response.content.decode()
        [denial] = denials_since(before)
        assert (denial.actor_id, denial.object_type, denial.object_id) == (user.pk, "capability", capability)


def test_the_audit_trail_is_denied_to_the_administrator(users, client_for):
    """The administrator manages accounts, not the record of what people did."""
    response = client_for(users["administrator"]).get("/audit/")

    assert response.status_code == 404
    assert "<h1>Audit trail</h1>" not in response.content.decode()


def test_reading_the_audit_trail_is_itself_audited(users, client_for):
    officer = users["data_protection_officer"]
    before = last_event_id()

    response = client_for(officer).get("/audit/")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        pk__gt=before, action=Action.VIEW, actor_id=officer.pk, object_type="audit.trail"
    ).exists()


def test_the_partner_directory_shows_active_organisations_only(users, client_for, ngo_x):
    Organisation.objects.create(name="Closed shelter", organisation_type=OrganisationType.NGO, is_active=False)

    content = client_for(users["case_worker"]).get("/partners/").content.decode()

    assert ngo_x.name in content
    assert "Closed shelter" not in content


def test_a_deactivated_users_session_no_longer_opens_anything(users, client_for):
    client = client_for(users["case_worker"])
    User.objects.filter(pk=users["case_worker"].pk).update(is_active=False)

    response = client.get("/partners/")

    assert response.status_code == 302
    assert response["Location"] == login_redirect("/partners/")


# --- API tokens page and revoking ----------------------------------------------------------
@pytest.fixture
def tokens(users):
    """One token per persona: persona -> (token, secret)."""
    return {
        persona: api_services.create_token(users[persona], name=f"{persona}-script", valid_days=30)
        for persona in PERSONAS
    }


@pytest.mark.parametrize("persona", sorted(NOT_LEARNERS))
def test_the_tokens_page_lists_only_ones_own_tokens(users, client_for, tokens, persona):
    content = client_for(users[persona]).get("/api-tokens/").content.decode()

    for owner, (token, _secret) in tokens.items():
        assert (f"<td>{token.name}</td>" in content) is (owner == persona), owner


def test_a_learner_cannot_create_a_token(users, client_for):
    before = last_event_id()

    response = client_for(users["learner"]).post("/api-tokens/", {"name": "sneaky", "valid_days": 30})

    assert response.status_code == 404
    assert not ApiToken.objects.filter(user=users["learner"]).exists()
    assert denials_since(before).get().object_id == policy.USE_API


def test_the_owner_revokes_their_token(users, client_for, tokens):
    token, secret = tokens["case_worker"]

    response = client_for(users["case_worker"]).post(reverse("api_tokens:revoke", args=[token.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("api_tokens:list")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_services.authenticate_token(secret) is None


@pytest.mark.parametrize("persona", sorted(EVERYONE - {"case_worker"}))
def test_nobody_else_can_revoke_a_users_token(users, client_for, tokens, persona):
    token, secret = tokens["case_worker"]
    before = last_event_id()

    response = client_for(users[persona]).post(reverse("api_tokens:revoke", args=[token.pk]))

    assert response.status_code == 404
    [denial] = denials_since(before)
    assert (denial.actor_id, denial.object_type, denial.object_id) == (users[persona].pk, "api.apitoken", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token.is_usable
    assert api_services.authenticate_token(secret) == users["case_worker"]


def test_revoking_a_token_that_does_not_exist_is_not_found_and_audited(users, client_for):
    before = last_event_id()

    response = client_for(users["case_worker"]).post(reverse("api_tokens:revoke", args=[987654]))

    assert response.status_code == 404
    assert denials_since(before).get().object_id == "987654"


def test_revoking_by_get_is_refused(users, client_for, tokens):
    token, secret = tokens["case_worker"]

    response = client_for(users["case_worker"]).get(reverse("api_tokens:revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_services.authenticate_token(secret) == users["case_worker"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_cannot_revoke_a_token(client, tokens, method):
    token, _secret = tokens["case_worker"]
    url = reverse("api_tokens:revoke", args=[token.pk])

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == login_redirect(url)
    token.refresh_from_db()
    assert token.revoked_at is None


# --- The REST API ---------------------------------------------------------------------------
API_ENDPOINTS = [
    "/api/v1/me", "/api/v1/offices", "/api/v1/organisations", "/api/v1/organisations/{ngo_x}", "/api/v1/services",
    # HSDA (read-only Open Referral API): the same tokens, for whoever reads the directory.
    "/api/hsda/", "/api/hsda/services", "/api/hsda/organizations", "/api/hsda/organizations/{ngo_x}",
]


def api_url(template: str, ngo_x) -> str:
    return template.format(ngo_x=ngo_x.pk)


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_the_api_refuses_an_anonymous_caller(client, ngo_x, endpoint):
    response = client.get(api_url(endpoint, ngo_x))

    assert response.status_code == 401
    assert ngo_x.name not in response.content.decode()


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_the_api_ignores_a_signed_in_browser_session(users, client_for, ngo_x, endpoint):
    response = client_for(users["administrator"]).get(api_url(endpoint, ngo_x))

    assert response.status_code == 401


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
@pytest.mark.parametrize("secret", ["wpt_not-a-real-token", "not-even-a-prefix", ""])
def test_the_api_refuses_an_unknown_token(client, ngo_x, endpoint, secret):
    assert client.get(api_url(endpoint, ngo_x), **bearer(secret)).status_code == 401


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_the_api_refuses_a_revoked_token(client, users, tokens, ngo_x, endpoint):
    token, secret = tokens["case_worker"]
    api_services.revoke_token(token, by=users["case_worker"])

    assert client.get(api_url(endpoint, ngo_x), **bearer(secret)).status_code == 401


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_the_api_answers_only_to_roles_that_may_use_it(client, users, tokens, ngo_x, persona, endpoint):
    _token, secret = tokens[persona]

    response = client.get(api_url(endpoint, ngo_x), **bearer(secret))

    if persona in NOT_LEARNERS:
        assert response.status_code == 200
    else:
        assert response.status_code == 401
        assert ngo_x.name not in response.content.decode()


@pytest.mark.parametrize("persona", sorted(NOT_LEARNERS))
def test_the_api_me_endpoint_describes_the_tokens_owner(client, users, tokens, persona):
    _token, secret = tokens[persona]

    response = client.get("/api/v1/me", **bearer(secret))

    assert response.json()["username"] == users[persona].username


def test_an_unknown_organisation_is_not_found_and_audited(client, users, tokens):
    _token, secret = tokens["case_worker"]
    missing = "00000000-0000-0000-0000-000000000000"
    before = last_event_id()

    response = client.get(f"/api/v1/organisations/{missing}", **bearer(secret))

    assert response.status_code == 404
    [denial] = denials_since(before)
    assert (denial.actor_id, denial.object_type, denial.object_id) == (
        users["case_worker"].pk, "partners.organisation", missing,
    )


def test_an_inactive_organisation_is_not_found_through_the_api(client, users, tokens):
    """The detail agrees with the list, which shows active organisations only (administrators, who may
    reactivate one, see it: tests/partners/test_directory_api.py)."""
    closed = Organisation.objects.create(name="Closed shelter", organisation_type=OrganisationType.NGO, is_active=False)
    _token, secret = tokens["case_worker"]
    before = last_event_id()

    detail = client.get(f"/api/v1/organisations/{closed.pk}", **bearer(secret))
    listing = client.get("/api/v1/organisations", **bearer(secret))

    assert detail.status_code == 404
    assert denials_since(before).get().object_id == str(closed.pk)
    assert str(closed.pk) not in listing.content.decode()


def test_the_api_root_is_not_a_page(client):
    assert client.get("/api/v1/").status_code == 404


def test_the_api_schema_holds_no_data(client, users, ngo_x, office):
    """The OpenAPI schema is served without a token (see the report): it must describe, never list."""
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    content = response.content.decode()
    for secret_looking in [ngo_x.name, office.name, users["case_worker"].username + "@", users["partner_user"].email]:
        assert secret_looking not in content


# --- The back office at /admin/ ---------------------------------------------------------------
ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/",
    "/admin/accounts/user/",
    "/admin/accounts/user/add/",
    "/admin/accounts/user/{user}/change/",
    "/admin/accounts/user/{user}/password/",
    "/admin/accounts/office/",
    "/admin/accounts/office/{office}/change/",
    "/admin/accounts/office/{office}/delete/",
    "/admin/partners/organisation/",
    "/admin/partners/organisation/{organisation}/change/",
    "/admin/hotline/topic/",
    "/admin/hotline/topic/add/",
    "/admin/hotline/campaignmaterial/",
    "/admin/hotline/knowledgearticle/",
    "/admin/cases/servicetype/",
    "/admin/cases/servicetype/add/",
    "/admin/protection/room/",
    "/admin/protection/room/add/",
    "/admin/password_change/",
]
BACK_OFFICE_MARK = "Waypoint administration"


def admin_url(template: str, users, office, ngo_x) -> str:
    return template.format(user=users["case_worker"].pk, office=office.pk, organisation=ngo_x.pk)


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_the_administrator_enters_the_back_office(users, client_for, office, ngo_x, page):
    response = client_for(users["administrator"]).get(admin_url(page, users, office, ngo_x))

    assert response.status_code == 200
    assert BACK_OFFICE_MARK in response.content.decode()


@pytest.mark.parametrize("persona", sorted(EVERYONE - {"administrator"}))
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_nobody_else_enters_the_back_office(users, client_for, office, ngo_x, persona, page):
    url = admin_url(page, users, office, ngo_x)
    client = client_for(users[persona])

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={quote(url)}"

    followed = client.get(url, follow=True)
    assert followed.redirect_chain[-1][0] == "/"
    assert followed.status_code == 200
    assert BACK_OFFICE_MARK not in followed.content.decode()


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_an_anonymous_visitor_is_sent_from_the_back_office_to_sign_in(client, users, office, ngo_x, page):
    url = admin_url(page, users, office, ngo_x)

    followed = client.get(url, follow=True)

    assert followed.redirect_chain[0] == (f"/admin/login/?next={quote(url)}", 302)
    assert followed.redirect_chain[-1][0] == reverse("accounts:login")
    assert BACK_OFFICE_MARK not in followed.content.decode()


def test_an_administrator_who_gave_only_a_password_is_kept_out_of_the_back_office(users, client_for):
    response = client_for(users["administrator"], verified=False).get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


@pytest.mark.parametrize("page", ["/admin/audit/auditevent/", "/admin/audit/", "/admin/api/apitoken/", "/admin/api/"])
def test_the_audit_trail_and_api_tokens_are_not_in_the_back_office(users, client_for, page):
    assert client_for(users["administrator"]).get(page).status_code == 404


def test_the_back_office_index_offers_only_users_offices_and_organisations(users, client_for):
    content = client_for(users["administrator"]).get("/admin/").content.decode()

    for present in ["/admin/accounts/user/", "/admin/accounts/office/", "/admin/partners/organisation/"]:
        assert present in content
    for absent in ["/admin/audit/", "/admin/api/", "/admin/auth/", "/admin/otp_totp/"]:
        assert absent not in content


@pytest.mark.parametrize("persona", sorted(EVERYONE - {"administrator"}))
def test_nobody_else_can_promote_themselves_through_the_back_office(users, client_for, persona):
    user = users[persona]
    original_role = user.role
    before_users = User.objects.count()
    client = client_for(user)

    change = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"username": user.username, "role": Role.ADMINISTRATOR, "is_active": "on"},
    )
    add = client.post(
        "/admin/accounts/user/add/",
        {"username": "intruder", "role": Role.ADMINISTRATOR, "password1": "x" * 20, "password2": "x" * 20},
    )

    assert change.status_code == 302
    assert add.status_code == 302
    user.refresh_from_db()
    assert user.role == original_role
    assert User.objects.count() == before_users


# --- Sign-in, passwords and language ----------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/complete/",
    ],
)
def test_the_sign_in_and_password_reset_pages_are_open(client, url):
    assert client.get(url).status_code == 200


def test_a_forged_password_reset_link_leads_nowhere(client, users):
    response = client.get(f"/accounts/password/reset/MQ/not-a-token-{users['case_worker'].pk}/")

    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()
    assert "<form" not in response.content.decode().split("<main", 1)[1]


@pytest.mark.parametrize("url", ["/accounts/password/", "/accounts/verify/", "/accounts/two-factor/"])
def test_personal_account_pages_require_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == login_redirect(url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_may_change_their_own_password(users, client_for, persona):
    assert client_for(users[persona]).get("/accounts/password/").status_code == 200


def test_a_signed_in_user_is_sent_from_the_sign_in_page_to_the_dashboard(users, client_for):
    response = client_for(users["case_worker"]).get("/accounts/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_verified_user_is_sent_past_the_second_factor_pages(users, client_for):
    client = client_for(users["case_worker"])

    assert client.get("/accounts/verify/")["Location"] == "/"
    assert client.get("/accounts/two-factor/")["Location"] == reverse("accounts:verify")


@pytest.mark.parametrize("url", ["/accounts/logout/", "/accounts/language/"])
def test_signing_out_and_changing_language_need_a_post(users, client_for, url):
    client = client_for(users["case_worker"])

    assert client.get(url).status_code == 405
    assert client.get("/").status_code == 200  # still signed in


def test_signing_out_by_post_ends_the_session(users, client_for):
    client = client_for(users["case_worker"])

    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/")["Location"] == login_redirect("/")


def test_changing_language_does_not_redirect_elsewhere(client):
    response = client.post("/accounts/language/", {"language": "ru", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_anonymous_client_is_a_fresh_client():
    """Guard for the tests above: Django's `client` fixture starts signed out."""
    assert Client().get("/")["Location"] == login_redirect("/")
