"""The main navigation each role sees on the dashboard, read from the rendered HTML."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.conftest import enrol_device
from waypoint.accounts.models import Programme, Role
from waypoint.core.navigation import MAIN_NAVIGATION, REPORTS

PERSONAS = [role.value for role in Role] + ["case_worker_b", "partner_user_y"]
STAFF_PERSONAS = [persona for persona in PERSONAS if persona != Role.LEARNER]

# Every navigation item and the address its link must point to.
NAV_LINKS = {
    "Dashboard": "/",
    "People": "/people/",
    "Cases": "/cases/",
    "Hotline": "/hotline/",
    "Knowledge base": "/hotline/knowledge/",
    "Partner directory": "/partners/",
    "Referrals": "/referrals/",
    "Centre": "/centre/",
    "Processing trips": "/resettlement/trips/",
    "Migration health": "/health/",
    "Enterprises": "/livelihoods/enterprises/",
    "Reports": "/reports/",
    "Users and offices": "/admin/",
    "Audit trail": "/audit/",
    "Consent registry": "/consent/",
}
API_TOKENS_LINK = "/api-tokens/"

STAFF_NAVIGATION = ["Dashboard", "Partner directory"]
# Staff who work with persons also read the knowledge base (operators use it during calls).
# Case workers and programme managers also keep cases.
PEOPLE_NAVIGATION = ["Dashboard", "People", "Cases", "Knowledge base", "Partner directory", "Referrals"]
# The test programme manager works in counter-trafficking only: the hotline is for those of the ICC programme.
HOTLINE_NAVIGATION = [
    "Dashboard", "People", "Hotline", "Knowledge base", "Partner directory", "Referrals", "Reports",
]
# Partner users answer the referrals sent to their organisation.
PARTNER_NAVIGATION = ["Dashboard", "Partner directory", "Referrals"]
EXPECTED_NAVIGATION = {
    "administrator": ["Dashboard", "Knowledge base", "Partner directory", "Users and offices"],
    # Reports: the statistics pages, aggregates for programme managers (of their programmes) and M&E (of all).
    # The centre's occupancy: staff of the counter-trafficking programme (case_worker_b works in AVRR).
    "programme_manager": [*PEOPLE_NAVIGATION, "Centre", "Reports"],
    "case_worker": [*PEOPLE_NAVIGATION, "Centre"],
    "hotline_operator": HOTLINE_NAVIGATION,
    "me_officer": ["Dashboard", "Partner directory", "Reports"],
    "data_protection_officer": ["Dashboard", "Partner directory", "Audit trail", "Consent registry"],
    "partner_user": PARTNER_NAVIGATION,
    "trainer": STAFF_NAVIGATION,
    "learner": ["Dashboard"],
    "case_worker_b": PEOPLE_NAVIGATION,
    "partner_user_y": PARTNER_NAVIGATION,
}
# The user menu links to the API tokens page for everyone who may use the API.
SEES_API_TOKENS_LINK = {persona: persona != "learner" for persona in PERSONAS}


class LinkCollector(HTMLParser):
    """The (text, href) of every link, and separately those inside <nav aria-label="Main">."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.main_nav: list[tuple[str, str]] = []
        self.main_nav_count = 0
        self._nav_depth = 0
        self._in_main_nav = False
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "nav":
            self._nav_depth += 1
            if attributes.get("aria-label") == "Main":
                self._in_main_nav = True
                self.main_nav_count += 1
        elif tag == "a":
            self._href = attributes.get("href")
            self._text = []

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav_depth -= 1
            if self._nav_depth == 0:
                self._in_main_nav = False
        elif tag == "a" and self._href is not None:
            link = (" ".join("".join(self._text).split()), self._href)
            self.links.append(link)
            if self._in_main_nav:
                self.main_nav.append(link)
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def parse(response) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(response.content.decode())
    return collector


def test_the_tables_cover_every_navigation_item_and_every_persona():
    assert {str(item.label): item.url for item in MAIN_NAVIGATION} == NAV_LINKS
    assert {str(report.label) for report in REPORTS} == set(EVERY_REPORT)
    assert list(EXPECTED_NAVIGATION) == PERSONAS
    for persona, labels in EXPECTED_NAVIGATION.items():
        assert set(labels) <= set(NAV_LINKS), persona


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_its_navigation(users, client_for, persona):
    response = client_for(users[persona]).get(reverse("core:dashboard"))
    assert response.status_code == 200
    page = parse(response)

    expected = [(label, NAV_LINKS[label]) for label in EXPECTED_NAVIGATION[persona]]
    assert page.main_nav_count == 1
    assert page.main_nav == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_links_to_a_place_the_persona_may_not_go(users, client_for, persona):
    page = parse(client_for(users[persona]).get(reverse("core:dashboard")))
    hrefs = {href for _text, href in page.links}
    texts = {text for text, _href in page.links}

    for label, url in NAV_LINKS.items():
        if label in EXPECTED_NAVIGATION[persona]:
            assert url in hrefs, label
            assert label in texts, label
        else:
            # The dashboard's address is also the brand link, so only the others are checked.
            assert url not in hrefs, label
            assert label not in texts, label


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_dashboard_tiles_repeat_the_navigation_without_the_dashboard(users, client_for, persona):
    response = client_for(users[persona]).get(reverse("core:dashboard"))
    tiles = [label for label in EXPECTED_NAVIGATION[persona] if label != "Dashboard"]
    content = response.content.decode()

    assert ("Where to go" in content) is bool(tiles)
    for label in tiles:
        assert f'<li><a href="{NAV_LINKS[label]}">{label}</a></li>' in content, label


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_tokens_link_is_shown_only_to_those_who_may_use_the_api(users, client_for, persona):
    page = parse(client_for(users[persona]).get(reverse("core:dashboard")))

    assert (("API tokens", API_TOKENS_LINK) in page.links) is SEES_API_TOKENS_LINK[persona]


def test_only_the_data_protection_officer_has_the_audit_trail_link(users, client_for):
    holders = {
        persona for persona in PERSONAS
        if ("Audit trail", "/audit/") in parse(client_for(users[persona]).get("/")).main_nav
    }
    assert holders == {"data_protection_officer"}


def test_only_the_administrator_has_the_users_and_offices_link(users, client_for):
    holders = {
        persona for persona in PERSONAS
        if ("Users and offices", "/admin/") in parse(client_for(users[persona]).get("/")).main_nav
    }
    assert holders == {"administrator"}


def test_learners_have_no_partner_directory_link(users, client_for):
    page = parse(client_for(users["learner"]).get("/"))
    assert "/partners/" not in {href for _text, href in page.links}


def test_the_hotline_link_follows_the_programme_not_only_the_role(users, client_for):
    """Roles do not encode programmes: a programme manager gets the hotline once the ICC programme is theirs."""
    manager = users["programme_manager"]
    assert ("Hotline", "/hotline/") not in parse(client_for(manager).get("/")).main_nav

    manager.programmes = ["CT", "ICC"]
    manager.save()

    assert ("Hotline", "/hotline/") in parse(client_for(manager).get("/")).main_nav


# --- Staff who have given only a password -----------------------------------------------------
@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_staff_without_a_second_factor_are_sent_to_enrol_and_see_no_navigation(users, client_for, persona):
    client = client_for(users[persona], verified=False)

    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2F"

    enrol_page = client.get(response["Location"])
    assert enrol_page.status_code == 200
    page = parse(enrol_page)
    assert page.main_nav_count == 0
    hrefs = {href for _text, href in page.links}
    assert not hrefs & {"/partners/", "/admin/", "/audit/", API_TOKENS_LINK}


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_enrolled_staff_who_gave_only_a_password_are_sent_to_verify_and_see_no_navigation(
    users, client_for, persona,
):
    enrol_device(users[persona])
    client = client_for(users[persona], verified=False)

    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/verify/?next=%2F"

    verify_page = client.get(response["Location"])
    assert verify_page.status_code == 200
    page = parse(verify_page)
    assert page.main_nav_count == 0
    hrefs = {href for _text, href in page.links}
    assert not hrefs & {"/partners/", "/admin/", "/audit/", API_TOKENS_LINK}


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
@pytest.mark.parametrize("url", ["/", "/partners/", "/audit/", "/admin/", "/api-tokens/", "/accounts/password/"])
def test_staff_who_gave_only_a_password_reach_nothing_but_the_second_factor(users, client_for, persona, url):
    response = client_for(users[persona], verified=False).get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/?next=")


def test_a_learner_needs_no_second_factor_and_sees_the_learner_navigation(users, client_for):
    response = client_for(users["learner"], verified=False).get(reverse("core:dashboard"))

    assert response.status_code == 200
    assert parse(response).main_nav == [("Dashboard", "/")]


def test_an_anonymous_visitor_sees_no_navigation_on_the_sign_in_page(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    page = parse(response)
    assert page.main_nav_count == 0
    assert not {href for _text, href in page.links} & {"/partners/", "/admin/", "/audit/", API_TOKENS_LINK}


# --- The reports list ------------------------------------------------------------------------------
EVERY_REPORT = {
    "Referral statistics": "/reports/referrals/",
    "Hotline statistics": "/hotline/statistics/",
    "Return statistics": "/returns/statistics/",
    "Resettlement report": "/resettlement/report/",
    "Health statistics": "/health/statistics/",
    "Grant statistics": "/livelihoods/statistics/",
}
EXPECTED_REPORTS = {
    "programme_manager": ["Referral statistics"],  # of counter-trafficking only
    "hotline_operator": ["Hotline statistics"],
    "me_officer": list(EVERY_REPORT),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_reports_page_lists_exactly_the_reports_the_persona_may_read(users, client_for, persona):
    client = client_for(users[persona])
    response = client.get("/reports/")
    expected = EXPECTED_REPORTS.get(persona, [])
    if not expected:
        assert response.status_code == 404
        return
    links = [(text, href) for text, href in parse(response).links if href in EVERY_REPORT.values()]
    assert links == [(label, EVERY_REPORT[label]) for label in expected]
    for label in expected:
        assert client.get(EVERY_REPORT[label]).status_code == 200, label


@pytest.mark.parametrize(("programme", "report"), [
    (Programme.RETURN, "Return statistics"), (Programme.RESETTLEMENT, "Resettlement report"),
    (Programme.HEALTH, "Health statistics"), (Programme.DIRECT_ASSISTANCE, "Grant statistics"),
])
def test_a_programme_manager_gets_the_report_of_the_programme_they_manage(make_user, client_for, programme, report):
    manager = make_user(Role.PROGRAMME_MANAGER, f"manager_{programme}", programmes=[programme])
    links = parse(client_for(manager).get("/reports/")).links
    assert (report, EVERY_REPORT[report]) in links
    # Referral statistics are every manager's (counted over their own programmes' referrals).
    assert [label for label in EVERY_REPORT if (label, EVERY_REPORT[label]) in links] == [
        "Referral statistics", report]
