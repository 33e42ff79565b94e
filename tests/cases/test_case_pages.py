"""The case pages as a user meets them: the list with its filters and saved views, opening a case, the case
page with its workflow steps, plan, notes, files and timeline, and the edit form that never loses an update.
Every page of a case answers 404 (audited) to whoever is outside it."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import casework, notes, panels, plan
from waypoint.cases.models import (
    Attachment,
    AttachmentKind,
    Case,
    CaseEvent,
    Channel,
    Goal,
    MemberRole,
    Referral,
    ReferralStatus,
    SavedView,
    Task,
)
from waypoint.consent import services as consent_services
from waypoint.consent.models import DataCategory, HowGiven, Purpose
from waypoint.people import index
from waypoint.people import services as people_services
from waypoint.people.models import Person
from waypoint.protection.htcds import CaseStatus, ClosureReason

CT = Programme.COUNTER_TRAFFICKING
PDF = b"%PDF-1.7\n%%EOF\n"
OUTSIDERS = ["case_worker_b", "hotline_operator", "partner_user", "me_officer", "data_protection_officer",
             "administrator", "learner"]


@pytest.fixture(autouse=True)
def no_other_panels(monkeypatch):
    """The other apps' panels are tested by their owners: these pages are tested on the core alone."""
    monkeypatch.setattr(panels, "_PANELS", {})


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def denials_since(since: int):
    return AuditEvent.objects.filter(pk__gt=since, action=Action.DENY)


def register(user, family, given, programme=CT, **more) -> Person:
    return people_services.register(user, {"family_name": family, "given_name": given, **more}, programme=programme)


@pytest.fixture
def person(users):
    return register(users["case_worker"], "Ковальчук", "Юлия", sex="F", birth_date=datetime.date(1990, 4, 12))


@pytest.fixture
def case(users, person):
    return casework.open_case(users["case_worker"], programme=CT, principal=person, owner=users["case_worker"],
                              channel=Channel.HOTLINE)


@pytest.fixture
def other_case(users):
    """A case of the same programme owned by the programme manager: the case worker does not see it."""
    manager = users["programme_manager"]
    someone = register(manager, "Рахимов", "Джамшид", sex="M")
    return casework.open_case(manager, programme=CT, principal=someone, owner=manager, channel=Channel.SELF,
                              risk_level="high")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def references_in(content: str) -> set[str]:
    return set(re.findall(r">(CT-\d{4}-\d{5})</a>", content))


# --- The list ----------------------------------------------------------------------------------------
def test_a_case_worker_lists_their_own_cases_and_a_manager_those_of_the_programme(users, client_for, case,
                                                                                 other_case):
    worker_page = page(client_for(users["case_worker"]), "/cases/")
    manager_page = page(client_for(users["programme_manager"]), "/cases/")

    assert references_in(worker_page) == {case.reference}
    assert "Ковальчук Юлия" in worker_page
    assert references_in(manager_page) == {case.reference, other_case.reference}
    assert not references_in(page(client_for(users["case_worker_b"]), "/cases/"))


def test_the_list_is_audited_by_what_it_showed(users, client_for, case):
    before = last_event_id()
    page(client_for(users["case_worker"]), "/cases/")
    event = AuditEvent.objects.get(pk__gt=before, object_type="cases.list")
    assert event.changes == {"shown": [str(case.pk)]}


@pytest.mark.parametrize(("query", "expected"), [
    ("risk=high", {"other"}),
    ("owner=me", {"other", "closed"}),
    ("owner={worker}", {"mine"}),
    ("status=intake", {"mine", "other"}),
    ("status=%40closed", {"closed"}),
    ("status=%40open", {"mine", "other"}),
    ("vulnerability=pregnant", {"mine"}),
    ("q=00001", {"mine"}),
    ("programme=CT&risk=medium", {"mine", "closed"}),
    ("risk=high&owner=nobody", {"other"}),  # a filter with an invalid value is ignored, not the others
])
def test_the_filters(users, client_for, case, other_case, query, expected):
    manager = users["programme_manager"]
    closed = casework.open_case(manager, programme=CT, principal=register(manager, "Шевченко", "Елена"),
                                owner=manager, channel=Channel.SELF)
    casework.transition(manager, closed, "close", version=1, closure_reason=ClosureReason.OTHER)
    Case.objects.filter(pk=case.pk).update(vulnerabilities=["pregnant", "minor"])
    names = {case.reference: "mine", other_case.reference: "other", closed.reference: "closed"}

    content = page(client_for(manager), "/cases/?" + query.format(worker=users["case_worker"].pk))

    assert {names[reference] for reference in references_in(content)} == expected


def test_overdue_means_a_task_or_a_sent_referral_past_its_date(users, client_for, case, other_case, ngo_x):
    manager = users["programme_manager"]
    third = casework.open_case(manager, programme=CT, principal=register(manager, "Кузнецова", "Анна"),
                               owner=manager, channel=Channel.SELF)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    plan.add_task(manager, case, title="Call the embassy", due_on=yesterday)
    done = plan.add_task(manager, third, title="Done late", due_on=yesterday)
    plan.set_task_done(manager, done, version=1, done=True)
    plan.add_task(manager, third, title="Later", due_on=timezone.localdate() + datetime.timedelta(days=3))
    Referral.objects.create(reference="R-2026-90001", organisation=ngo_x, case=other_case, programme=CT,
                            office=other_case.office, status=ReferralStatus.SENT, due_on=yesterday)
    Referral.objects.create(reference="R-2026-90002", organisation=ngo_x, case=third, programme=CT,
                            office=third.office, status=ReferralStatus.ACCEPTED, due_on=yesterday)
    client = client_for(manager)

    overdue = page(client, "/cases/?overdue=on")
    everything = page(client, "/cases/")

    assert references_in(overdue) == {case.reference, other_case.reference}
    assert references_in(everything) == {case.reference, other_case.reference, third.reference}
    assert "overdue" in overdue


def test_no_name_goes_in_the_address_only_a_reference(users, client_for, case):
    content = page(client_for(users["case_worker"]), "/cases/")
    form = content.split('class="filters case-filters"')[1].split("</form>")[0]
    assert 'name="q"' in form
    assert 'method="get"' in content.split('class="filters case-filters"')[0].rsplit("<form", 1)[1]


def test_paging(users, client_for, person):
    worker = users["case_worker"]
    for number in range(27):
        casework.open_case(worker, programme=CT, principal=register(worker, f"Тестов{chr(0x430 + number)}", "Анна"),
                           owner=worker, channel=Channel.SELF)
    client = client_for(worker)

    first, second = page(client, "/cases/?risk=medium"), page(client, "/cases/?risk=medium&page=2")

    assert len(references_in(first)) == 25
    assert len(references_in(second)) == 2
    assert "?risk=medium&amp;page=2" in first


# --- Saved views ---------------------------------------------------------------------------------------
def test_a_saved_view_is_saved_listed_opened_and_deleted(users, client_for, case):
    client = client_for(users["case_worker"])

    response = client.post("/cases/saved-views/", {"name": "My high risk", "query": "risk=high&owner=me&page=2"})

    assert response.status_code == 302
    assert response["Location"] == "/cases/?owner=me&risk=high"
    view = SavedView.objects.get(user=users["case_worker"])
    listing = page(client, "/cases/")
    assert 'href="/cases/?owner=me&amp;risk=high">My high risk</a>' in listing
    assert "My high risk" not in page(client_for(users["programme_manager"]), "/cases/")

    assert client.post(f"/cases/saved-views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_a_saved_view_needs_a_name(users, client_for):
    client = client_for(users["case_worker"])
    response = client.post("/cases/saved-views/", {"name": "", "query": "risk=high"}, follow=True)
    assert "Give the view a name." in response.content.decode()
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("persona", [*OUTSIDERS, "programme_manager"])
def test_nobody_else_deletes_a_saved_view(users, client_for, persona):
    view = casework.save_view(users["case_worker"], "Mine", [("risk", "high")])
    before = last_event_id()

    response = client_for(users[persona]).post(f"/cases/saved-views/{view.pk}/delete/")

    assert response.status_code == 404
    assert denials_since(before).exists()
    assert SavedView.objects.filter(pk=view.pk).exists()


@pytest.mark.parametrize("persona", ["hotline_operator", "partner_user", "me_officer", "data_protection_officer",
                                     "administrator", "learner"])
def test_only_case_staff_save_views(users, client_for, persona):
    before = last_event_id()
    response = client_for(users[persona]).post("/cases/saved-views/", {"name": "x", "query": "risk=high"})
    assert response.status_code == 404
    assert denials_since(before).get().object_id == "view_cases"
    assert not SavedView.objects.exists()


# --- Opening a case ------------------------------------------------------------------------------------
def open_form(**extra) -> dict:
    return {"programme": CT, "channel": Channel.HOTLINE, "risk_level": "medium", "open": "1", **extra}


def test_a_case_is_opened_for_a_person_found_by_name(users, client_for, person):
    index.reindex(person)
    worker = users["case_worker"]
    client = client_for(worker)

    found = client.post("/cases/new/", {"who-who": "existing", "who-q": "Ковальчук", "search": "1",
                                        "summary": "Met at the airport."})
    content = found.content.decode()
    assert f'value="{person.pk}"' in content
    assert "Met at the airport." in content
    assert "Choose who owns the case." not in content

    response = client.post("/cases/new/", open_form(**{
        "who-who": "existing", "who-person": str(person.pk), "owner": str(worker.pk),
        "vulnerabilities": ["pregnant"], "summary": "Met at the airport."}))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/"
    assert (case.principal, case.owner, case.status, case.vulnerabilities) == (
        person, worker, CaseStatus.INTAKE, ["pregnant"])
    assert case.summary == "Met at the airport."


@pytest.mark.parametrize(("days_ago", "accepted"), [(12, True), (-1, False)])
def test_a_case_received_earlier_is_opened_on_the_day_it_came_never_in_the_future(
        users, client_for, person, days_ago, accepted):
    worker = users["case_worker"]
    received = timezone.localdate() - datetime.timedelta(days=days_ago)
    response = client_for(worker).post("/cases/new/", open_form(**{
        "who-who": "existing", "who-person": str(person.pk), "owner": str(worker.pk),
        "opened_on": received.isoformat()}))
    if accepted:
        case = Case.objects.get()
        assert response.status_code == 302
        assert case.opened_on == received
        assert case.status_changes.get().on == received
    else:
        assert response.status_code == 200
        assert "A case cannot be opened in the future." in response.content.decode()
        assert not Case.objects.exists()


def test_the_form_preselects_a_person_given_by_number(users, client_for, person):
    content = page(client_for(users["case_worker"]), f"/cases/new/?person={person.pk}")
    assert re.search(rf'value="{person.pk}" checked', content)
    assert "Ковальчук Юлия" in content


def test_a_person_the_user_may_not_see_cannot_be_chosen(users, client_for):
    stranger = register(users["hotline_operator"], "Чужой", "Человек", programme=Programme.HOTLINE)
    before = last_event_id()
    response = client_for(users["case_worker"]).post("/cases/new/", open_form(**{
        "who-who": "existing", "who-person": str(stranger.pk), "owner": str(users["case_worker"].pk)}))
    assert response.status_code == 404
    assert denials_since(before).get().object_type == "people.person"
    assert not Case.objects.exists()


def test_a_new_person_is_registered_after_the_duplicate_warning(users, client_for, person):
    index.reindex(person)
    worker = users["case_worker"]
    client = client_for(worker)
    data = open_form(**{"who-who": "new", "person-family_name": "Ковальчук", "person-given_name": "Юлия",
                        "person-sex": "F", "person-birth_date": "1990-04-12", "owner": str(worker.pk)})

    warned = client.post("/cases/new/", data)

    assert warned.status_code == 200
    assert "This person may already be registered" in warned.content.decode()
    assert "Use this record instead" in warned.content.decode()
    assert not Case.objects.exists()
    assert Person.objects.count() == 1

    response = client.post("/cases/new/", {**data, "who-confirm_new": "on"})

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.principal != person
    assert case.principal.family_name == "Ковальчук"
    assert case.principal.registrations.get().programme == CT


def test_using_the_matching_record_instead_chooses_it(users, client_for, person):
    index.reindex(person)
    worker = users["case_worker"]
    data = open_form(**{"who-who": "new", "person-family_name": "Ковальчук", "person-given_name": "Юлия",
                        "owner": str(worker.pk), "who-use": str(person.pk)})
    data.pop("open")

    content = client_for(worker).post("/cases/new/", data).content.decode()

    assert re.search(rf'value="{person.pk}" checked', content)
    assert re.search(r'value="existing"[^>]*checked', content)
    assert not Case.objects.exists()


def test_a_case_referred_by_an_embassy_names_the_embassy(users, client_for, person, ngo_x):
    worker = users["case_worker"]
    client = client_for(worker)
    data = open_form(**{"who-who": "existing", "who-person": str(person.pk), "owner": str(worker.pk),
                        "channel": Channel.DIPLOMATIC})

    refused = client.post("/cases/new/", data).content.decode()

    assert "names the organisation that referred it" in refused
    assert not Case.objects.exists()
    assert client.post("/cases/new/", {**data, "referring_organisation": str(ngo_x.pk)}).status_code == 302
    assert Case.objects.get().referring_organisation == ngo_x


def test_nobody_is_chosen_no_case_is_opened(users, client_for):
    response = client_for(users["case_worker"]).post("/cases/new/", open_form(**{
        "who-who": "existing", "owner": str(users["case_worker"].pk)}))
    assert "Find the person&#x27;s record and choose it" in response.content.decode()
    assert not Case.objects.exists()


def test_the_owner_must_work_in_the_programme(users, client_for, person):
    response = client_for(users["case_worker"]).post("/cases/new/", open_form(**{
        "who-who": "existing", "who-person": str(person.pk), "owner": str(users["case_worker_b"].pk)}))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Case.objects.exists()


# --- The case page -------------------------------------------------------------------------------------
def test_the_case_page_shows_the_core_and_says_why_a_step_is_not_possible_yet(users, client_for, case):
    before = last_event_id()

    content = page(client_for(users["case_worker"]), f"/cases/{case.reference}/")

    assert case.reference in content
    assert "Intake" in content
    assert "has no valid consent to assistance" in content  # before anyone clicks
    assert re.search(r'<button type="button" disabled aria-describedby="why-start_assistance">Start assistance',
                     content)
    assert "Close the case" in content
    for section in ('id="members"', 'id="plan"', 'id="notes"', 'id="attachments"', 'id="timeline"',
                    'id="consultations"'):
        assert section in content
    assert "Case opened (Hotline); owner case_worker." in content
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.VIEW, object_type="cases.case",
                                     object_id=str(case.pk)).exists()


def test_the_panels_of_other_apps_sit_between_the_plan_and_the_notes(users, client_for, case):
    panels.register(panels.Panel(key="test", template="cases/_conflict.html",
                                 context=lambda request, case: {"conflict": {"message": "PANEL-MARK"}}))
    panels.register(panels.Panel(key="hidden", template="cases/_conflict.html",
                                 context=lambda request, case: None))

    content = page(client_for(users["case_worker"]), f"/cases/{case.reference}/")

    assert content.count("PANEL-MARK") == 1
    assert content.index('id="plan"') < content.index("PANEL-MARK") < content.index('id="notes"')


def test_the_timeline_is_newest_first_and_filtered_by_kind(users, client_for, case):
    notes.add_note(users["case_worker"], case, "Called her sister.")
    plan.add_goal(users["case_worker"], case, title="Safe accommodation")
    client = client_for(users["case_worker"])

    everything = page(client, f"/cases/{case.reference}/").split('id="timeline"')[1]
    notes_only = page(client, f"/cases/{case.reference}/?kind=note").split('id="timeline"')[1]

    assert everything.index("Goal added") < everything.index("Note added.") < everything.index("Case opened")
    assert "Note added." in notes_only
    assert "Goal added" not in notes_only


def test_steps_taken_from_the_page(users, client_for, case, person):
    client = client_for(users["case_worker"])
    url = f"/cases/{case.reference}/transition/"

    refused = client.post(url, {"action": "start_assistance", "version": "1"})
    assert refused.status_code == 200
    assert "The step was not taken" in refused.content.decode()
    assert "has no valid consent to assistance" in refused.content.decode()

    no_reason = client.post(url, {"action": "close", "version": "1", "note": "Gone."})
    assert "Choose the reason for closing the case." in no_reason.content.decode()
    assert "Gone." in no_reason.content.decode()  # what was typed stays

    consent_services.record_consent(users["case_worker"], person, purpose=Purpose.ASSISTANCE,
                                    data_categories=[DataCategory.IDENTITY], how_given=HowGiven.ORAL,
                                    witness="Olga", given_on=timezone.localdate())
    taken = client.post(url, {"action": "start_assistance", "version": "1"})
    assert taken.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE

    stale = client.post(url, {"action": "close", "version": "1", "closure_reason": ClosureReason.OTHER})
    assert stale.status_code == 409
    assert "Someone else saved this case at" in stale.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


def test_plan_notes_and_members_from_the_page(users, client_for, case):
    client = client_for(users["case_worker"])
    base = f"/cases/{case.reference}"

    assert client.post(f"{base}/goals/", {"goal-title": "Return home", "goal-plan_type": "Livelihood"})[
        "Location"] == f"{base}/#plan"
    goal = Goal.objects.get()
    assert client.post(f"{base}/tasks/", {"task-title": "Buy a ticket", "task-goal": str(goal.pk),
                                          "task-due_on": "2020-01-01"}).status_code == 302
    task = Task.objects.get()
    content = page(client, f"{base}/")
    assert "Return home" in content
    assert 'class="task overdue"' in content
    assert client.post(f"{base}/tasks/{task.pk}/done/", {"version": "1", "done": "1"}).status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None

    empty = client.post(f"{base}/notes/", {"note-text": "  "})
    assert "The note is empty." in empty.content.decode() or "This field is required." in empty.content.decode()
    assert client.post(f"{base}/notes/", {"note-text": "Called the embassy."}).status_code == 302
    assert "Called the embassy." in page(client, f"{base}/")

    bad_goal = client.post(f"{base}/goals/", {"goal-title": "x", "goal-plan_type": "Astrology"})
    assert bad_goal.status_code == 200
    assert Goal.objects.count() == 1


def test_a_task_marked_from_a_stale_page_is_a_conflict(users, client_for, case):
    task = plan.add_task(users["case_worker"], case, title="Call the embassy")
    plan.set_task_done(users["programme_manager"], task, version=1, done=True)

    response = client_for(users["case_worker"]).post(f"/cases/{case.reference}/tasks/{task.pk}/done/",
                                                     {"version": "1"})

    assert response.status_code == 409
    assert "Someone else changed the task" in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is not None


def test_members_are_added_and_removed_from_the_page(users, client_for, case):
    child = register(users["case_worker"], "Ковальчук", "Мирон")
    index.reindex(child)
    client = client_for(users["case_worker"])
    base = f"/cases/{case.reference}"

    assert "Add a member" in page(client, f"{base}/members/new/")
    found = client.post(f"{base}/members/new/", {"who-who": "existing", "who-q": "Ковальчук Мирон", "search": "1"})
    assert f'value="{child.pk}"' in found.content.decode()
    response = client.post(f"{base}/members/new/", {"who-who": "existing", "who-person": str(child.pk),
                                                    "role": MemberRole.CHILD, "add": "1"})
    assert response["Location"] == f"{base}/#members"
    member = case.members.get(role=MemberRole.CHILD)

    principal = case.members.get(role=MemberRole.PRINCIPAL)
    refused = client.post(f"{base}/members/{principal.pk}/remove/", follow=True)
    assert "The principal cannot be removed" in refused.content.decode()
    assert client.post(f"{base}/members/{member.pk}/remove/").status_code == 302
    assert list(case.members.values_list("role", flat=True)) == [MemberRole.PRINCIPAL]


# --- Editing, with conflicts ---------------------------------------------------------------------------
def edit_data(case, **changes) -> dict:
    data = {"version": str(case.version), "owner": str(case.owner_id), "channel": case.channel,
            "risk_level": case.risk_level, "summary": case.summary}
    data.update(changes)
    return data


def test_the_edit_form_saves(users, client_for, case):
    client = client_for(users["case_worker"])
    assert 'name="version" value="1"' in page(client, f"/cases/{case.reference}/edit/")

    response = client.post(f"/cases/{case.reference}/edit/", edit_data(case, risk_level="high",
                                                                      vulnerabilities=["minor"]))

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.risk_level, case.vulnerabilities, case.version) == ("high", ["minor"], 2)


def test_a_stale_edit_is_a_conflict_that_keeps_the_input_and_shows_theirs(users, client_for, case):
    manager, worker = client_for(users["programme_manager"]), client_for(users["case_worker"])
    page(manager, f"/cases/{case.reference}/edit/")
    page(worker, f"/cases/{case.reference}/edit/")
    assert manager.post(f"/cases/{case.reference}/edit/", edit_data(
        case, risk_level="high", summary="Manager: she is safe at the centre.")).status_code == 302

    response = worker.post(f"/cases/{case.reference}/edit/", edit_data(
        case, risk_level="low", summary="Worker: she moved to her aunt."))

    content = response.content.decode()
    assert response.status_code == 409
    assert re.search(r"Someone else saved this case at \d\d:\d\d: your changes were not saved", content)
    assert "Worker: she moved to her aunt.</textarea>" in content  # the input kept in the form
    assert "Manager: she is safe at the centre." in content  # their version beside it
    assert 'name="version" value="2"' in content
    case.refresh_from_db()
    assert (case.risk_level, case.summary, case.version) == ("high", "Manager: she is safe at the centre.", 2)

    again = worker.post(f"/cases/{case.reference}/edit/", edit_data(
        case, risk_level="low", summary="Worker: she moved to her aunt."))
    assert again.status_code == 302
    case.refresh_from_db()
    assert (case.risk_level, case.version) == ("low", 3)


def test_an_edit_with_a_mistake_names_the_field(users, client_for, case):
    response = client_for(users["case_worker"]).post(f"/cases/{case.reference}/edit/", edit_data(
        case, channel=Channel.LAW_ENFORCEMENT))
    assert response.status_code == 200
    assert "names the organisation that referred it" in response.content.decode()
    case.refresh_from_db()
    assert case.version == 1


def test_goal_and_note_edits_have_the_same_conflict_treatment(users, client_for, case):
    goal = plan.add_goal(users["case_worker"], case, title="Medical check-up")
    note = notes.add_note(users["case_worker"], case, "First text.")
    worker = client_for(users["case_worker"])
    plan.edit_goal(users["programme_manager"], goal, version=1, title="Medical check-up at the clinic",
                       plan_type="", status="open", target_on=None)
    notes.edit_note(users["case_worker"], note, version=1, text="Second text.")

    stale_goal = worker.post(f"/cases/{case.reference}/goals/{goal.pk}/edit/", {
        "version": "1", "title": "My title", "status": "achieved"})
    stale_note = worker.post(f"/cases/{case.reference}/notes/{note.pk}/edit/", {"version": "1", "text": "Third."})

    assert stale_goal.status_code == stale_note.status_code == 409
    assert "My title" in stale_goal.content.decode()
    assert "Medical check-up at the clinic" in stale_goal.content.decode()
    assert "Third.</textarea>" in stale_note.content.decode()
    goal.refresh_from_db()
    note.refresh_from_db()
    assert (goal.title, note.text) == ("Medical check-up at the clinic", "Second text.")


def test_only_the_author_opens_a_notes_correction(users, client_for, case):
    note = notes.add_note(users["case_worker"], case, "Mine.")
    before = last_event_id()
    assert client_for(users["programme_manager"]).get(
        f"/cases/{case.reference}/notes/{note.pk}/edit/").status_code == 404
    assert denials_since(before).exists()
    assert "Mine." in page(client_for(users["case_worker"]), f"/cases/{case.reference}/notes/{note.pk}/edit/")


# --- Files ---------------------------------------------------------------------------------------------
def test_a_file_is_uploaded_and_downloaded_through_the_policy(users, client_for, case):
    client = client_for(users["case_worker"])
    response = client.post(f"/cases/{case.reference}/attachments/", {
        "attachment-file": SimpleUploadedFile("Паспорт Юлии.pdf", PDF), "attachment-kind": "identity_document"})
    assert response["Location"] == f"/cases/{case.reference}/#attachments"
    attachment = Attachment.objects.get()
    assert f"/cases/{case.reference}/attachments/{attachment.pk}/" in page(client, f"/cases/{case.reference}/")
    before = last_event_id()

    download = client.get(f"/cases/{case.reference}/attachments/{attachment.pk}/")

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%D0%9F%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.VIEW, object_type="cases.attachment",
                                     object_id=str(attachment.pk)).exists()


def test_a_wrong_file_is_refused_on_the_page_with_the_field_named(users, client_for, case):
    response = client_for(users["case_worker"]).post(f"/cases/{case.reference}/attachments/", {
        "attachment-file": SimpleUploadedFile("tool.pdf", b"MZ\x90\x00"), "attachment-kind": "other"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_attachment-file_error"' in content
    assert "This kind of file cannot be kept with a case" in content
    assert not Attachment.objects.exists()


def test_a_removed_file_is_no_longer_served(users, client_for, case, django_capture_on_commit_callbacks):
    attachment = notes.upload_attachment(users["case_worker"], case, upload=SimpleUploadedFile("a.pdf", PDF),
                                            kind=AttachmentKind.LEGAL)
    client = client_for(users["case_worker"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/{case.reference}/attachments/{attachment.pk}/remove/").status_code == 302
    assert not Path(attachment.file.path).exists()
    assert client.get(f"/cases/{case.reference}/attachments/{attachment.pk}/").status_code == 404
    assert "One file was removed" in page(client, f"/cases/{case.reference}/")


# --- Every page of a case is closed to those outside it -----------------------------------------------
@pytest.fixture
def parts(users, case):
    worker = users["case_worker"]
    spouse = register(worker, "Ковальчук", "Олег")
    return {
        "goal": plan.add_goal(worker, case, title="Goal"),
        "task": plan.add_task(worker, case, title="Task"),
        "note": notes.add_note(worker, case, "Note"),
        "member": casework.add_member(worker, case, spouse, MemberRole.SPOUSE),
        "attachment": notes.upload_attachment(worker, case, upload=SimpleUploadedFile("a.pdf", PDF),
                                                 kind=AttachmentKind.LEGAL),
    }


CASE_PAGES = [
    ("get", "cases:detail", None), ("get", "cases:edit", None), ("post", "cases:edit", None),
    ("post", "cases:transition", None), ("get", "cases:member_add", None), ("post", "cases:member_add", None),
    ("post", "cases:member_remove", "member"), ("post", "cases:goal_add", None), ("get", "cases:goal_edit", "goal"),
    ("post", "cases:goal_edit", "goal"), ("post", "cases:task_add", None), ("post", "cases:task_done", "task"),
    ("post", "cases:note_add", None), ("get", "cases:note_edit", "note"), ("post", "cases:note_edit", "note"),
    ("post", "cases:attachment_upload", None), ("get", "cases:attachment", "attachment"),
    ("post", "cases:attachment_remove", "attachment"),
]


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize(("method", "name", "part"), CASE_PAGES)
def test_nobody_outside_the_case_reaches_its_pages(users, client_for, case, parts, persona, method, name, part):
    args = [case.reference] + ([parts[part].pk] if part else [])
    before = last_event_id()
    counts = (Goal.objects.count(), Task.objects.count(), case.members.count(), Attachment.objects.count())

    response = getattr(client_for(users[persona]), method)(reverse(name, args=args), {
        "version": "1", "action": "close", "closure_reason": ClosureReason.OTHER, "goal-title": "x", "task-title": "x",
        "note-text": "x", "text": "x", "title": "x", "status": "dropped", "risk_level": "high", "done": "1"})

    assert response.status_code == 404
    [denial] = denials_since(before)
    assert (denial.actor_id, denial.object_type, denial.object_id) == (users[persona].pk, "cases.case",
                                                                        case.reference)
    assert counts == (Goal.objects.count(), Task.objects.count(), case.members.count(), Attachment.objects.count())
    case.refresh_from_db()
    assert (case.status, case.risk_level, case.version) == (CaseStatus.INTAKE, "medium", 1)
    assert not CaseEvent.objects.filter(actor=users[persona]).exists()


def test_a_part_of_another_case_is_not_reached_through_ones_own(users, client_for, case, other_case):
    foreign = notes.add_note(users["programme_manager"], other_case, "Theirs.")
    foreign_file = notes.upload_attachment(users["programme_manager"], other_case,
                                              upload=SimpleUploadedFile("b.pdf", PDF), kind=AttachmentKind.LEGAL)
    client = client_for(users["case_worker"])
    before = last_event_id()

    assert client.get(f"/cases/{case.reference}/attachments/{foreign_file.pk}/").status_code == 404
    assert client.get(f"/cases/{case.reference}/notes/{foreign.pk}/edit/").status_code == 404

    assert {event.object_type for event in denials_since(before)} == {"cases.attachment", "cases.casenote"}


@pytest.mark.parametrize("url", ["/cases/", "/cases/new/"])
def test_case_pages_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
