"""The consent pages as their users meet them: a case worker records a consent after explaining it (every
refusal on its field, nothing half-saved, no stray file), the consents panel of the case page and the
person page, withdrawal that stops sharing at once, the data protection officer's registry and its CSV, and
the signed form behind the access policy."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import panels, timeline
from waypoint.cases.models import Case, CaseEvent, CaseMember, Channel, MemberRole
from waypoint.consent import services
from waypoint.consent.forms import CHECKLIST
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import BirthDatePrecision, Person, ProgrammeRegistration

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(since: int, **filters):
    return AuditEvent.objects.filter(pk__gt=since, **filters)


def stored_forms(media: Path) -> list[Path]:
    folder = media / "consent" / "forms"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def person(db):
    person = Person.objects.create(given_name="Dilnoza", family_name="Karimova", sex="F",
                                   birth_date=datetime.date(1996, 5, 2), birth_date_precision=BirthDatePrecision.EXACT)
    ProgrammeRegistration.objects.create(person=person, programme=Programme.COUNTER_TRAFFICKING)
    return person


@pytest.fixture
def case(users, office, person):
    case = Case.objects.create(
        reference="CT-2026-00042", programme=Programme.COUNTER_TRAFFICKING, office=office,
        owner=users["case_worker"], opened_on=TODAY, channel=Channel.DIPLOMATIC,
    )
    CaseMember.objects.create(case=case, person=person, role=MemberRole.PRINCIPAL)
    return case


@pytest.fixture
def other_case(users, office, make_user):
    """A case of another case worker of the same programme: not in the test case worker's hands."""
    colleague = make_user("case_worker", "colleague", programmes=[Programme.COUNTER_TRAFFICKING])
    return Case.objects.create(
        reference="CT-2026-00099", programme=Programme.COUNTER_TRAFFICKING, office=office, owner=colleague,
        opened_on=TODAY, channel=Channel.NGO,
    )


def checklist() -> dict[str, str]:
    return {name: "on" for name, _label in CHECKLIST}


def form_data(organisation: Organisation, **overrides) -> dict:
    data = {
        "purpose": Purpose.REFERRAL, "recipient_organisation": str(organisation.pk), "recipient_type": "",
        "data_categories": [DataCategory.IDENTITY, DataCategory.CONTACTS], "how_given": HowGiven.ORAL,
        "witness": "Olga Ivanova", "given_on": TODAY.isoformat(), "expires_on": "", **checklist(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def record_url(person: Person, case: Case | None = None) -> str:
    url = reverse("consent:record", args=[person.pk])
    return f"{url}?case={case.reference}" if case is not None else url


def add_consent(user, person, organisation=None, **overrides):
    values = {
        "purpose": Purpose.REFERRAL, "recipient_organisation": organisation,
        "recipient_type": "" if organisation else OrganisationType.NGO,
        "data_categories": [DataCategory.IDENTITY, DataCategory.CONTACTS], "how_given": HowGiven.ORAL,
        "witness": "Olga Ivanova", "given_on": TODAY,
    }
    values.update(overrides)
    return services.record_consent(user, person, **values)


# --- Recording a consent ---------------------------------------------------------------------------
def test_the_form_explains_what_the_person_agrees_to_and_asks_for_the_checklist(users, client_for, person):
    before = last_event_id()

    response = client_for(users["case_worker"]).get(record_url(person))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Karimova Dilnoza" in content
    for _name, label in CHECKLIST:
        assert str(label).replace("'", "&#x27;") in content
    assert "In plain words:" in content
    assert "The office sends the data ticked below to the organisation named" in content
    assert events_since(before, action=Action.VIEW, object_type="people.person", object_id=str(person.pk)).exists()


def test_a_consent_recorded_from_the_person_page_goes_back_there_and_is_audited(users, client_for, person, ngo_x):
    worker = users["case_worker"]
    before = last_event_id()

    response = client_for(worker).post(record_url(person), form_data(ngo_x))

    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.pk]) + "#cases"
    consent = ConsentRecord.objects.get()
    assert (consent.person, consent.purpose, consent.recipient_organisation) == (person, Purpose.REFERRAL, ngo_x)
    assert consent.data_categories == [DataCategory.IDENTITY, DataCategory.CONTACTS]
    assert (consent.how_given, consent.witness, consent.given_on) == (HowGiven.ORAL, "Olga Ivanova", TODAY)
    assert consent.recorded_by == worker
    assert events_since(before, action=Action.CREATE, object_type="consent.consentrecord",
                        object_id=str(consent.pk), actor_id=worker.pk).exists()
    assert not CaseEvent.objects.exists()
    assert services.may_share(person, ngo_x, Purpose.REFERRAL, [DataCategory.IDENTITY])


def test_a_consent_recorded_from_a_case_writes_the_timeline_and_goes_back_to_the_case(
    users, client_for, person, case, ngo_x,
):
    response = client_for(users["case_worker"]).post(record_url(person, case), form_data(ngo_x))

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.reference]) + "#consents"
    consent = ConsentRecord.objects.get()
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.object_type, event.object_id) == (timeline.CONSENT, "consent.consentrecord",
                                                                str(consent.pk))
    assert event.actor == users["case_worker"]
    assert person.reference in event.summary
    assert "NGO X" in event.summary


def test_a_case_the_user_does_not_work_on_is_ignored_and_the_attempt_audited(
    users, client_for, person, other_case, ngo_x,
):
    CaseMember.objects.create(case=other_case, person=person, role=MemberRole.PRINCIPAL)
    before = last_event_id()

    response = client_for(users["case_worker"]).post(record_url(person, other_case), form_data(ngo_x))

    assert response["Location"] == reverse("people:detail", args=[person.pk]) + "#cases"
    assert ConsentRecord.objects.count() == 1
    assert not CaseEvent.objects.filter(case=other_case).exists()
    assert events_since(before, action=Action.DENY, object_type="cases.case",
                        object_id=other_case.reference).exists()


def test_a_written_consent_keeps_the_scan_under_a_random_name(users, client_for, person, ngo_x, media):
    upload = SimpleUploadedFile("Karimova signed.pdf", PDF, content_type="application/pdf")

    response = client_for(users["case_worker"]).post(
        record_url(person), form_data(ngo_x, how_given=HowGiven.WRITTEN, witness="", form=upload))

    assert response.status_code == 302
    consent = ConsentRecord.objects.get()
    [stored] = stored_forms(media)
    assert consent.form.name == f"consent/forms/{stored.name}"
    assert "Karimova" not in stored.name
    assert stored.read_bytes() == PDF


def big_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * services.FORM_MAX_BYTES, content_type="application/pdf")


INVALID = [
    pytest.param({"how_given": HowGiven.WRITTEN, "witness": ""}, "form", "needs the scan of the signed form",
                 id="written-without-file"),
    pytest.param({"witness": ""}, "witness", "needs the name of the witness", id="oral-without-witness"),
    pytest.param({"how_given": HowGiven.GUARDIAN, "witness": " "}, "witness", "name of the guardian",
                 id="guardian-without-name"),
    pytest.param({"given_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "given_on",
                 "cannot be dated in the future", id="future-date"),
    pytest.param({"given_on": "2025-03-10", "expires_on": "2025-03-01"}, "expires_on",
                 "must expire after the date it was given", id="expiry-before-given"),
    pytest.param({"data_categories": ["identity", "shoe_size"]}, "data_categories", "Unknown kind of data: shoe_size",
                 id="unknown-category"),
    pytest.param({"data_categories": None}, "data_categories", "Choose at least one kind of data",
                 id="no-category"),
    pytest.param({"how_given": HowGiven.WRITTEN, "witness": "",
                  "form": lambda: SimpleUploadedFile("consent.pdf", b"MZ\x90\x00 a program", "application/pdf")},
                 "form", "must be a PDF, JPEG or PNG file", id="wrong-file-type"),
    pytest.param({"how_given": HowGiven.WRITTEN, "witness": "", "form": big_pdf}, "form", "larger than 10 MB",
                 id="too-big-file"),
    pytest.param({"recipient_organisation": ""}, "recipient_organisation", "Name the organisation",
                 id="referral-without-recipient"),
    pytest.param({"recipient_type": OrganisationType.NGO}, "recipient_type", "not both", id="organisation-and-type"),
    pytest.param({"explained_withdrawal": None}, "explained_withdrawal", "Tick this once you have explained it",
                 id="checklist-not-ticked"),
    pytest.param({"purpose": None}, "purpose", "Choose what the consent is for", id="no-purpose"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), INVALID)
def test_an_invalid_consent_names_the_field_and_leaves_nothing_behind(
    users, client_for, person, case, ngo_x, media, overrides, field, message,
):
    overrides = {key: value() if callable(value) else value for key, value in overrides.items()}
    before = last_event_id()

    response = client_for(users["case_worker"]).post(record_url(person, case), form_data(ngo_x, **overrides))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in content
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', content, re.S)
    assert errors is not None, field
    assert message in errors.group(1).replace("&#x27;", "'")
    assert not ConsentRecord.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not events_since(before, object_type="consent.consentrecord").exists()
    assert stored_forms(media) == []


def test_the_form_is_translated(users, client_for, person, ngo_x):
    client = client_for(users["case_worker"])
    client.post(reverse("accounts:set_language"), {"language": "ru", "next": "/"})

    response = client.post(record_url(person), form_data(ngo_x, witness=""))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in content
    assert not ConsentRecord.objects.exists()
    assert 'id="id_witness_error"' in content


def test_a_failure_after_the_scan_was_written_removes_it(users, client_for, person, case, ngo_x, media, monkeypatch):
    """The file is not part of the transaction: if the timeline line cannot be written, the record rolls back
    and the scan written a moment before is deleted, so no signature stays on disk without its record."""
    def broken(*args, **kwargs):
        raise RuntimeError("timeline unavailable")

    monkeypatch.setattr(timeline, "log", broken)
    upload = SimpleUploadedFile("consent.pdf", PDF, content_type="application/pdf")

    with pytest.raises(RuntimeError):
        client_for(users["case_worker"]).post(
            record_url(person, case), form_data(ngo_x, how_given=HowGiven.WRITTEN, witness="", form=upload))

    assert not ConsentRecord.objects.exists()
    assert stored_forms(media) == []


def test_for_an_office_purpose_the_recipient_is_not_asked(users, client_for, person, ngo_x):
    response = client_for(users["case_worker"]).post(
        record_url(person), form_data(ngo_x, purpose=Purpose.ASSISTANCE, recipient_type=OrganisationType.NGO))

    assert response.status_code == 302
    consent = ConsentRecord.objects.get()
    assert (consent.recipient_organisation, consent.recipient_type) == (None, "")


def test_a_consent_to_any_organisation_of_a_type(users, client_for, person, ngo_y):
    response = client_for(users["case_worker"]).post(
        record_url(person), form_data(ngo_y, recipient_organisation="", recipient_type=OrganisationType.NGO,
                                      expires_on=(TODAY + datetime.timedelta(days=365)).isoformat()))

    assert response.status_code == 302
    assert services.may_share(person, ngo_y, Purpose.REFERRAL, [DataCategory.CONTACTS])


def test_an_inactive_organisation_cannot_be_chosen(users, client_for, person):
    closed = Organisation.objects.create(name="Closed shelter", organisation_type=OrganisationType.NGO,
                                         is_active=False)
    client = client_for(users["case_worker"])

    assert "Closed shelter" not in client.get(record_url(person)).content.decode()
    response = client.post(record_url(person), form_data(closed))

    assert 'id="id_recipient_organisation_error"' in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_for_a_minor_the_page_says_so_and_only_a_guardian_consents(users, client_for, ngo_x):
    child = Person.objects.create(given_name="Aziz", family_name="Karimov",
                                  birth_date=datetime.date(TODAY.year - 12, 1, 1),
                                  birth_date_precision=BirthDatePrecision.YEAR)
    ProgrammeRegistration.objects.create(person=child, programme=Programme.COUNTER_TRAFFICKING)
    client = client_for(users["case_worker"])

    page = client.get(record_url(child)).content.decode()
    assert "This person is a minor" in page

    refused = client.post(record_url(child), form_data(ngo_x)).content.decode()
    assert re.search(r'id="id_how_given_error">.*?was a minor on', refused, re.S)
    assert not ConsentRecord.objects.exists()

    without_name = client.post(record_url(child), form_data(ngo_x, how_given=HowGiven.GUARDIAN, witness=""))
    assert 'id="id_witness_error"' in without_name.content.decode()

    accepted = client.post(record_url(child), form_data(ngo_x, how_given=HowGiven.GUARDIAN, witness="Malika Karimova"))
    assert accepted.status_code == 302
    assert ConsentRecord.objects.get().witness == "Malika Karimova"


def test_a_link_may_say_what_the_consent_is_for(users, client_for, person, ngo_x):
    content = client_for(users["case_worker"]).get(
        record_url(person) + f"?purpose=referral&organisation={ngo_x.pk}").content.decode()

    assert re.search(r'<input type="radio" name="purpose" value="referral"[^>]*checked', content)
    assert re.search(rf'<option value="{ngo_x.pk}" selected>', content)


@pytest.mark.parametrize("persona", ["case_worker_b", "hotline_operator", "partner_user", "data_protection_officer",
                                     "me_officer", "administrator"])
def test_only_staff_who_may_change_the_person_record_a_consent(users, client_for, person, ngo_x, persona):
    client = client_for(users[persona])
    before = last_event_id()

    page = client.get(record_url(person))
    posted = client.post(record_url(person), form_data(ngo_x))

    assert (page.status_code, posted.status_code) == (404, 404)
    assert not ConsentRecord.objects.exists()
    denials = events_since(before, action=Action.DENY, object_type="people.person", object_id=str(person.pk))
    assert denials.count() == 2


def test_a_merged_away_record_takes_no_consent(users, client_for, person, ngo_x):
    survivor = Person.objects.create(given_name="Dilnoza", family_name="Karimova")
    ProgrammeRegistration.objects.create(person=survivor, programme=Programme.COUNTER_TRAFFICKING)
    Person.objects.filter(pk=person.pk).update(merged_into=survivor)

    response = client_for(users["case_worker"]).post(record_url(person), form_data(ngo_x))

    assert response.status_code == 404
    assert not ConsentRecord.objects.exists()


def test_recording_needs_sign_in(client, person):
    response = client.get(record_url(person))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- The consents panel of the case page and the person page ---------------------------------------
def render_panel(user, case) -> str:
    """Only this app's panel (the case page is composed by another app)."""
    [panel] = [p for p in panels.panels_for(case) if p.key == "consents"]
    request = RequestFactory().get(reverse("cases:detail", args=[case.reference]))
    user.is_verified = lambda: True  # past the second factor, as the OTP middleware would say
    request.user = user
    return render_to_string(panel.template, {"case": case, "panel": panel, **panel.context(request, case)},
                            request=request)


def test_the_panel_is_registered_for_every_programme_after_the_referrals(case):
    [panel] = [p for p in panels.panels_for(case) if p.key == "consents"]
    assert (panel.order, panel.programmes, panel.template) == (70, (), "consent/_panel_consents.html")


def test_the_panel_shows_each_members_consents_with_their_actions(users, person, case, ngo_x, media):
    worker = users["case_worker"]
    scanned = add_consent(worker, person, ngo_x, how_given=HowGiven.WRITTEN, witness="",
                          form=SimpleUploadedFile("f.pdf", PDF, content_type="application/pdf"),
                          expires_on=TODAY + datetime.timedelta(days=10))
    add_consent(worker, person, None, given_on=TODAY - datetime.timedelta(days=400),
                          expires_on=TODAY - datetime.timedelta(days=35))
    withdrawn = add_consent(worker, person, None, purpose=Purpose.STATISTICS, recipient_type="")
    services.withdraw(worker, withdrawn, "")

    content = render_panel(worker, case)

    assert 'id="consents"' in content
    assert "Karimova Dilnoza" in content
    assert f'href="{record_url(person, case)}"' in content
    assert "Referral to another organisation" in content
    assert "NGO X" in content
    assert "any: Non-governmental organisation" in content
    assert "Name, sex, date of birth, nationality, Phone, email, address" in content
    assert f'href="{reverse("consent:form", args=[scanned.pk])}"' in content
    assert "consent-state valid expiring" in content
    assert "consent-state expired" in content
    assert "consent-state withdrawn" in content
    withdraw_actions = re.findall(r'action="(/cases/[^"]+/withdraw/)"', content)
    assert withdraw_actions == [reverse("cases:consent_withdraw", args=[case.reference, scanned.pk])]


def test_the_panel_names_no_one_the_user_may_not_see(users, person, case, ngo_x, make_user):
    """A programme manager of the case's programme sees the case; a member registered only in another programme
    is shown by record number, without a "Record consent" link."""
    stranger = Person.objects.create(given_name="Ivan", family_name="Petrov")
    ProgrammeRegistration.objects.create(person=stranger, programme=Programme.RETURN)
    CaseMember.objects.create(case=case, person=stranger, role=MemberRole.OTHER)

    content = render_panel(users["programme_manager"], case)

    assert stranger.reference in content
    assert "Petrov" not in content
    assert record_url(stranger, case) not in content
    assert record_url(person, case) in content


def test_withdrawing_through_the_panel_stops_sharing_at_once(users, client_for, person, case, ngo_x):
    worker = users["case_worker"]
    consent = add_consent(worker, person, ngo_x)
    assert services.may_share(person, ngo_x, Purpose.REFERRAL, [DataCategory.IDENTITY])
    [action] = re.findall(r'action="(/cases/[^"]+/withdraw/)"', render_panel(worker, case))

    response = client_for(worker).post(action, {"note": "She called to say she changed her mind."})

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.reference]) + "#consents"
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    decision = services.may_share(person, ngo_x, Purpose.REFERRAL, [DataCategory.IDENTITY])
    assert not decision
    assert "has not consented" in decision.reason
    assert "consent-state withdrawn" in render_panel(worker, case)


def test_withdrawing_from_the_persons_consents_stops_sharing_and_tells_each_case(
    users, client_for, person, case, ngo_x,
):
    """A person without a case (a hotline caller referred with consent) can withdraw too; the cases the person
    is a member of get a timeline line."""
    worker = users["case_worker"]
    consent = add_consent(worker, person, ngo_x)
    client = client_for(worker)
    page = client.get(record_url(person)).content.decode()
    withdraw_url = reverse("consent:withdraw", args=[consent.pk])
    assert f'action="{withdraw_url}"' in page

    response = client.post(withdraw_url, {"note": "Told the hotline."})

    assert response["Location"] == f"{record_url(person)}#consent-{consent.pk}"
    consent.refresh_from_db()
    assert (consent.withdrawn_at is not None, consent.withdrawal_note) == (True, "Told the hotline.")
    assert not services.may_share(person, ngo_x, Purpose.REFERRAL, [DataCategory.IDENTITY])
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.object_id) == (timeline.CONSENT, str(consent.pk))
    assert "Consent withdrawn" in event.summary
    assert f'action="{withdraw_url}"' not in client.get(record_url(person)).content.decode()

    again = client.post(withdraw_url, follow=True)
    assert "already withdrawn" in again.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("persona", ["case_worker_b", "hotline_operator", "partner_user", "data_protection_officer"])
def test_nobody_else_withdraws_a_persons_consent(users, client_for, person, ngo_x, persona):
    consent = add_consent(users["case_worker"], person, ngo_x)
    before = last_event_id()

    response = client_for(users[persona]).post(reverse("consent:withdraw", args=[consent.pk]))

    assert response.status_code == 404
    [denial] = events_since(before, action=Action.DENY)
    assert (denial.object_type, denial.object_id) == ("consent.consentrecord", str(consent.pk))
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_withdrawing_needs_a_post(users, client_for, person, ngo_x):
    consent = add_consent(users["case_worker"], person, ngo_x)

    response = client_for(users["case_worker"]).get(reverse("consent:withdraw", args=[consent.pk]))

    assert response.status_code == 405
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_case_page_shows_the_consents_panel(users, client_for, person, case, ngo_x):
    add_consent(users["case_worker"], person, ngo_x)

    content = client_for(users["case_worker"]).get(reverse("cases:detail", args=[case.reference])).content.decode()

    assert 'id="consents"' in content
    assert f'href="{record_url(person, case)}"' in content


def test_the_person_page_lists_the_consents_and_offers_to_record_one(users, client_for, person, ngo_x):
    consent = add_consent(users["case_worker"], person, ngo_x, expires_on=TODAY + datetime.timedelta(days=90))

    content = client_for(users["case_worker"]).get(reverse("people:detail", args=[person.pk])).content.decode()

    assert "Consent: Referral to another organisation, to NGO X" in content
    assert f"valid until {(TODAY + datetime.timedelta(days=90)).isoformat()}" in content
    assert f'href="{record_url(person)}#consent-{consent.pk}"' in content
    assert f'<a class="button" href="{record_url(person)}">Record consent</a>' in content


# --- The registry ---------------------------------------------------------------------------------
@pytest.fixture
def registry(users, person, ngo_x, ngo_y):
    """Five consents of two persons: valid, expiring soon, expired, withdrawn, and one given long ago."""
    worker = users["case_worker"]
    other = Person.objects.create(given_name="Gulnara", family_name="Saidova")
    ProgrammeRegistration.objects.create(person=other, programme=Programme.COUNTER_TRAFFICKING)
    consents = {
        "valid": add_consent(worker, person, ngo_x),
        "expiring": add_consent(worker, other, ngo_y, expires_on=TODAY + datetime.timedelta(days=12)),
        "expired": add_consent(worker, person, None, purpose=Purpose.ASSISTANCE, recipient_type="",
                               given_on=TODAY - datetime.timedelta(days=500),
                               expires_on=TODAY - datetime.timedelta(days=100)),
        "withdrawn": add_consent(worker, other, None, purpose=Purpose.STATISTICS, recipient_type="",
                                 how_given=HowGiven.GUARDIAN, witness="Rustam Saidov"),
        "old": add_consent(worker, person, ngo_x, purpose=Purpose.LAW_ENFORCEMENT,
                           given_on=datetime.date(2024, 2, 1)),
    }
    services.withdraw(worker, consents["withdrawn"], "")
    return consents


def shown_ids(content: str) -> set[int]:
    body = content.split('<table class="listing registry">', 1)[1]
    return {int(number) for number in re.findall(r"<tr>\s*<td>(\d+)</td>", body)}


def test_the_officer_sees_every_consent_by_record_number_only(users, client_for, registry, person):
    officer = users["data_protection_officer"]
    before = last_event_id()

    response = client_for(officer).get(reverse("consent:registry"))

    content = response.content.decode()
    assert response.status_code == 200
    assert shown_ids(content) == {consent.pk for consent in registry.values()}
    assert person.reference in content
    for name in ("Karimova", "Dilnoza", "Saidova", "Rustam Saidov", "Olga Ivanova"):
        assert name not in content
    assert events_since(before, action=Action.VIEW, object_type="consent.registry", actor_id=officer.pk).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"purpose": "referral"}, {"valid", "expiring"}, id="purpose"),
        pytest.param({"state": "valid"}, {"valid", "expiring", "old"}, id="valid"),
        pytest.param({"state": "expired"}, {"expired"}, id="expired"),
        pytest.param({"state": "withdrawn"}, {"withdrawn"}, id="withdrawn"),
        pytest.param({"expiring": "on"}, {"expiring"}, id="expiring-within-30-days"),
        pytest.param({"how_given": "guardian"}, {"withdrawn"}, id="how-given"),
        pytest.param({"given_from": "2024-01-01", "given_to": "2024-12-31"}, {"old"}, id="given-between"),
    ],
)
def test_the_registry_filters(users, client_for, registry, query, expected):
    content = client_for(users["data_protection_officer"]).get(reverse("consent:registry"), query).content.decode()

    assert shown_ids(content) == {registry[key].pk for key in expected}


def test_the_registry_filters_by_recipient_organisation(users, client_for, registry, ngo_y):
    content = client_for(users["data_protection_officer"]).get(
        reverse("consent:registry"), {"organisation": str(ngo_y.pk)}).content.decode()

    assert shown_ids(content) == {registry["expiring"].pk}


def test_dates_in_the_wrong_order_show_an_error_and_no_records(users, client_for, registry):
    content = client_for(users["data_protection_officer"]).get(
        reverse("consent:registry"), {"given_from": "2026-01-01", "given_to": "2025-01-01"}).content.decode()

    assert "The last date comes before the first." in content
    assert shown_ids(content) == set()


def test_the_registry_counts_per_purpose(users, client_for, registry):
    content = client_for(users["data_protection_officer"]).get(reverse("consent:registry")).content.decode()

    counts = {
        label: [int(n) for n in numbers]
        for label, *numbers in re.findall(
            r'<tr><th scope="row">([^<]+)</th><td class="number">(\d+)</td><td class="number">(\d+)</td>'
            r'<td class="number">(\d+)</td><td class="number">(\d+)</td></tr>', content)
    }
    assert counts["Referral to another organisation"] == [2, 2, 0, 0]
    assert counts["Assistance by the office"] == [1, 0, 1, 0]
    assert counts["Anonymised statistics"] == [1, 0, 0, 1]
    assert counts["Sharing with law enforcement"] == [1, 1, 0, 0]
    assert counts["Return travel"] == [0, 0, 0, 0]


def test_the_csv_holds_the_filtered_registry_without_names_and_is_audited(users, client_for, registry, person):
    officer = users["data_protection_officer"]
    before = last_event_id()

    response = client_for(officer).get(reverse("consent:registry"), {"state": "valid", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="consent-registry-')
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Consent,Person (record number),Purpose")
    assert {int(line.split(",", 1)[0]) for line in lines[1:]} == {
        registry[key].pk for key in ("valid", "expiring", "old")}
    assert person.reference in text
    for name in ("Karimova", "Dilnoza", "Saidova", "Olga Ivanova"):
        assert name not in text
    export = events_since(before, action=Action.EXPORT, object_type="consent.registry").get()
    assert export.actor_id == officer.pk
    assert export.changes["filters"] == ["state=valid"]
    assert export.changes["rows"] == ["3"]


def test_a_recipient_named_like_a_formula_is_not_run_by_a_spreadsheet(users, client_for, person):
    trap = Organisation.objects.create(name="=HYPERLINK(\"http://evil\")", organisation_type=OrganisationType.NGO)
    add_consent(users["case_worker"], person, trap)

    text = client_for(users["data_protection_officer"]).get(
        reverse("consent:registry"), {"format": "csv"}).content.decode("utf-8-sig")

    assert "'=HYPERLINK" in text


# --- The signed form ------------------------------------------------------------------------------
@pytest.fixture
def signed(users, person, ngo_x):
    return add_consent(users["case_worker"], person, ngo_x, how_given=HowGiven.WRITTEN, witness="",
                       form=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"))


@pytest.mark.parametrize("persona", ["data_protection_officer", "case_worker", "programme_manager"])
def test_the_signed_form_is_downloaded_by_the_officer_and_the_staff_who_see_the_consent(
    users, client_for, signed, persona,
):
    before = last_event_id()

    response = client_for(users[persona]).get(reverse("consent:form", args=[signed.pk]))

    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="consent-{signed.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    event = events_since(before, action=Action.VIEW, object_type="consent.consentrecord",
                         object_id=str(signed.pk)).get()
    assert (event.actor_id, event.changes) == (users[persona].pk, {"read": ["signed form"]})


@pytest.mark.parametrize("persona", ["partner_user", "case_worker_b", "hotline_operator", "me_officer",
                                     "administrator", "learner"])
def test_nobody_else_gets_the_signed_form(users, client_for, signed, persona):
    before = last_event_id()

    response = client_for(users[persona]).get(reverse("consent:form", args=[signed.pk]))

    assert response.status_code == 404
    assert PDF not in response.content
    [denial] = events_since(before, action=Action.DENY)
    assert (denial.actor_id, denial.object_type, denial.object_id) == (
        users[persona].pk, "consent.consentrecord", str(signed.pk))
    assert not events_since(before, action=Action.VIEW).exists()


def test_a_consent_without_a_form_or_an_unknown_one_is_not_found(users, client_for, person, ngo_x):
    oral = add_consent(users["case_worker"], person, ngo_x)
    client = client_for(users["data_protection_officer"])
    before = last_event_id()

    assert client.get(reverse("consent:form", args=[oral.pk])).status_code == 404
    assert client.get(reverse("consent:form", args=[987654])).status_code == 404
    assert events_since(before, action=Action.DENY, object_id="987654").exists()
