"""HTTP hardening: security headers on every page, a strict CSP the pages actually obey,
friendly error pages without debug information, and a production configuration that passes
Django's deployment checks."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import path, reverse

from tests.conftest import PASSWORD, enrol_device
from waypoint.accounts.models import Role
from waypoint.config.urls import urlpatterns as site_urlpatterns
from waypoint.core.views import server_error

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
SECRET_KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)"
DEBUG_MARKERS = ("Traceback", "Request Method:", "Django Version", "DEBUG = True", "URLconf", "settings.py")


# --- A URL that fails, to see the 500 page through the whole stack ----------------------------
class BoomError(Exception):
    pass


def explode(request):
    raise BoomError("something broke deep inside: secret-detail-1234")


urlpatterns = [path("boom/", explode), *site_urlpatterns]
handler500 = "waypoint.core.views.server_error"
handler404 = "waypoint.core.views.page_not_found"


# --- Inspecting pages -----------------------------------------------------------------------
class InlineCodeFinder(HTMLParser):
    """Collects everything a strict CSP would block: inline scripts and styles, event
    handler attributes, style attributes and javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not attributes.get("src"):
                self.problems.append(f"inline <script> {attrs}")
            else:
                self.scripts.append(attributes["src"])
        if tag == "style":
            self.problems.append("inline <style> block")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>: {value}")
            if name.startswith(("on", "hx-on")):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"code inside a <script src>: {data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    directives = {}
    for part in filter(None, (part.strip() for part in csp.split(";"))):
        name, _space, value = part.partition(" ")
        directives[name] = value
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# The pages each kind of visitor sees, as (who, url name or path).
ANONYMOUS_PAGES = [
    reverse("accounts:login"),
    reverse("accounts:password_reset"),
    reverse("accounts:password_reset_done"),
    reverse("accounts:password_reset_complete"),
    reverse("accounts:password_reset_confirm", args=["Mg", "not-a-token"]),
]
STAFF_PAGES = [
    ("case_worker", reverse("core:dashboard")),
    ("case_worker", reverse("partners:list")),
    ("case_worker", reverse("api_tokens:list")),
    ("case_worker", reverse("accounts:password_change")),
    ("case_worker", reverse("people:search")),
    ("case_worker", reverse("people:search") + "?q=Ivanov"),
    ("case_worker", reverse("people:register")),
    ("data_protection_officer", reverse("audit:trail")),
    ("data_protection_officer", reverse("audit:trail") + "?username=x"),
    ("administrator", reverse("core:dashboard")),
    ("administrator", reverse("admin:index")),
    ("administrator", reverse("admin:accounts_user_changelist")),
    ("partner_user", reverse("core:dashboard")),
    ("learner", reverse("core:dashboard")),
]


def all_pages(users, client_for):
    """(description, response) for every kind of page: open, signed in, mid sign-in, errors."""
    anonymous = Client()
    for url in ANONYMOUS_PAGES:
        yield f"anonymous {url}", anonymous.get(url)
    for who, url in STAFF_PAGES:
        yield f"{who} {url}", client_for(users[who]).get(url)

    unenrolled = Client()
    unenrolled.force_login(users["hotline_operator"])
    yield "enrolment page", unenrolled.get(reverse("accounts:enrol"))
    yield "wrong enrolment code", unenrolled.post(reverse("accounts:enrol"), {"otp_token": "000000"})
    enrol_device(users["me_officer"])
    unverified = Client()
    unverified.force_login(users["me_officer"])
    yield "code page", unverified.get(reverse("accounts:verify"))

    yield "wrong password", Client().post(reverse("accounts:login"), {"username": "trainer", "password": "x"})
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        locked = Client().post(reverse("accounts:login"), {"username": "trainer", "password": "x"})
    yield "locked out", locked
    yield "404 anonymous", anonymous.get("/no-such-page/")
    yield "404 signed in", client_for(users["case_worker"]).get("/no-such-page/")
    yield "404 by policy", client_for(users["case_worker"]).get(reverse("audit:trail"))
    yield "csrf failure", Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x"})
    yield from people_pages(users, client_for)


def people_pages(users, client_for):
    """The person pages need a person; the registration form is also seen with errors and a warning."""
    from waypoint.people import services as people

    worker = client_for(users["case_worker"])
    person = people.register(users["case_worker"], {"family_name": "Ковальчук", "given_name": "Юлия"}, programme="CT")
    people.add_document(users["case_worker"], person, {"document_type": "passport", "number": "4506123456"})
    people.add_alias(users["case_worker"], person, {"family_name": "Kowaltschuk"})
    yield "person page", worker.get(reverse("people:detail", args=[person.pk]))
    yield "person edit page", worker.get(reverse("people:edit", args=[person.pk]))
    yield "person page with a form error", worker.post(reverse("people:document_add", args=[person.pk]),
                                                       {"document-number": "1"})
    yield "people search with a result", worker.get(reverse("people:search"), {"q": "Kovalchuk"})
    yield "registration with errors and a duplicate warning", worker.post(reverse("people:register"), {
        "family_name": "Kovalchuk", "given_name": "Yulia", "birth_date": "2999-01-01", "programme": "CT",
        "alias-TOTAL_FORMS": "1", "alias-INITIAL_FORMS": "0", "alias-0-kind": "spelling",
    })
    yield "person of another programme", client_for(users["case_worker_b"]).get(
        reverse("people:detail", args=[person.pk])
    )


def test_every_page_carries_the_security_headers(users, client_for):
    seen = 0
    for description, response in all_pages(users, client_for):
        assert response.status_code in {200, 403, 404, 429}, description
        try:
            assert_security_headers(response)
        except (AssertionError, KeyError) as error:
            raise AssertionError(f"{description}: {error!r}") from error
        seen += 1
    assert seen > 20


def test_no_page_contains_inline_scripts_styles_or_handlers(users, client_for):
    for description, response in all_pages(users, client_for):
        html = response.content.decode()
        assert "<html" in html, description
        assert inline_code(html) == [], description


def test_the_inspector_notices_inline_code():
    """The page inspection above must be able to fail."""
    assert inline_code('<script src="/static/a.js"></script><p>ok</p>') == []
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<script src="/a.js">alert(1)</script>')
    assert inline_code('<div style="color: red">x</div>')
    assert inline_code("<style>p { color: red }</style>")
    assert inline_code('<button onclick="go()">x</button>')
    assert inline_code('<a href="javascript:go()">x</a>')


def test_the_enrolment_qr_code_is_inline_svg_without_style_attributes(users):
    client = Client()
    client.force_login(users[Role.CASE_WORKER])

    html = client.get(reverse("accounts:enrol")).content.decode()

    assert "<svg" in html
    assert inline_code(html) == []


def test_scripts_come_only_from_our_own_static_files(users, client_for):
    finder = InlineCodeFinder()
    finder.feed(client_for(users[Role.CASE_WORKER]).get(reverse("core:dashboard")).content.decode())

    assert finder.scripts
    static = "/" + settings.STATIC_URL.lstrip("/")
    assert all(src.startswith(static) for src in finder.scripts)


def test_api_answers_carry_the_security_headers(users):
    from waypoint.api import services

    _token, secret = services.create_token(users[Role.CASE_WORKER], name="t", valid_days=30)

    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Error pages ----------------------------------------------------------------------------
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_missing_page_shows_the_friendly_404_without_debug_information(users, client_for, signed_in):
    client = client_for(users[Role.CASE_WORKER]) if signed_in else Client()

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Not found" in page
    assert "There is nothing here, or it is not available to you." in page
    for marker in DEBUG_MARKERS:
        assert marker not in page


def test_a_forbidden_object_looks_exactly_like_a_missing_one(users, client_for):
    """Denials answer the same 404, so the existence of a record is not revealed."""
    client = client_for(users[Role.CASE_WORKER])

    forbidden = client.get(reverse("audit:trail"))
    missing = client.get("/no-such-page/")

    assert forbidden.status_code == missing.status_code == 404
    assert "There is nothing here" in forbidden.content.decode()


def test_the_500_handler_renders_the_friendly_page():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "nothing from it was saved" in page
    assert inline_code(page) == []


@pytest.mark.urls("tests.core.test_security")
def test_an_unexpected_error_shows_the_friendly_page_and_no_details(users, client_for):
    client = client_for(users[Role.CASE_WORKER])
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "secret-detail-1234" not in page
    assert "Boom" not in page
    for marker in DEBUG_MARKERS:
        assert marker not in page
    assert_security_headers(response)


def test_a_form_sent_without_its_csrf_token_shows_the_expired_form_page(users):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"username": "case_worker", "password": PASSWORD})

    assert response.status_code == 403
    page = response.content.decode()
    assert "The form has expired" in page
    assert "Nothing was saved" in page
    assert "CSRF cookie not set" not in page, "the technical reason stays in the log"
    assert "_auth_user_id" not in client.session


def test_a_signed_in_form_without_its_csrf_token_changes_nothing(users):
    user = users[Role.CASE_WORKER]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("accounts:set_language"), {"language": "ru"})

    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
    user.refresh_from_db()
    assert user.language == ""


def test_a_form_with_its_csrf_token_is_accepted(users):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        reverse("accounts:login"), {"username": "learner", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302


# --- Production configuration ---------------------------------------------------------------
@pytest.fixture(scope="module")
def production_environment(tmp_path_factory) -> dict[str, str]:
    """The environment a production server runs with; nothing inherited from the test run."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "waypoint.config.settings",
        "WAYPOINT_ENV_FILE": "/nonexistent",
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "".join(secrets.choice(SECRET_KEY_ALPHABET) for _ in range(60)),
        "ALLOWED_HOSTS": "waypoint.example.org",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(36)[:48],
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('production') / 'waypoint.sqlite3'}",
    }


def run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments], cwd=REPO, env=environment, capture_output=True, text=True, timeout=120,
        check=False,
    )


def test_the_production_environment_is_really_production(production_environment):
    assert len(production_environment["SECRET_KEY"]) == 60
    assert len(production_environment["BLIND_INDEX_KEY"]) == 48
    assert production_environment["DATABASE_URL"].startswith("sqlite:////")


def test_production_settings_pass_the_deployment_checks(production_environment):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_the_deployment_checks_can_fail(production_environment):
    """The check above means something: a weak configuration is reported."""
    weak = {**production_environment, "HTTPS": "false", "SECRET_KEY": "short"}

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], weak)

    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_NAME": settings.SESSION_COOKIE_NAME,
    "CSRF_COOKIE_NAME": settings.CSRF_COOKIE_NAME,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SESSION_COOKIE_PATH": settings.SESSION_COOKIE_PATH,
    "CSRF_COOKIE_PATH": settings.CSRF_COOKIE_PATH,
    "SESSION_COOKIE_DOMAIN": settings.SESSION_COOKIE_DOMAIN,
    "CSRF_COOKIE_DOMAIN": settings.CSRF_COOKIE_DOMAIN,
    "LANGUAGE_COOKIE_SECURE": settings.LANGUAGE_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
}))
"""


def test_production_cookies_are_host_locked_and_hsts_is_on(production_environment):
    result = run(["-c", PRINT_SETTINGS], production_environment)

    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")
    # Browsers accept a __Host- cookie only if it is Secure, has path / and names no domain.
    for cookie in ("SESSION", "CSRF"):
        assert production[f"{cookie}_COOKIE_SECURE"] is True
        assert production[f"{cookie}_COOKIE_PATH"] == "/"
        assert production[f"{cookie}_COOKIE_DOMAIN"] is None
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["LANGUAGE_COOKIE_SECURE"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True


def test_production_refuses_to_start_without_a_secret_key(production_environment):
    environment = {key: value for key, value in production_environment.items() if key != "SECRET_KEY"}

    result = run(["manage.py", "check"], environment)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
