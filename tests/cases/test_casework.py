"""The case core's services: editing with optimistic locking, workflow steps with guards, members, the plan,
notes and attachments, saved views. Every write leaves its audit event and its timeline line; every refusal
writes nothing and is audited."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.utils import timezone

from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import casework, notes, plan, timeline
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import (
    Attachment,
    AttachmentKind,
    Case,
    CaseEvent,
    CaseMember,
    CaseNote,
    Channel,
    Goal,
    GoalStatus,
    MemberRole,
    SavedView,
    Task,
    Vulnerability,
)
from waypoint.consent import services as consent_services
from waypoint.consent.models import DataCategory, HowGiven, Purpose
from waypoint.people import services as people_services
from waypoint.people.models import ProgrammeRegistration
from waypoint.protection.htcds import CaseStatus, ClosureReason, SupportPlanType

CT = Programme.COUNTER_TRAFFICKING
OUTSIDERS = ["case_worker_b", "hotline_operator", "partner_user", "me_officer", "data_protection_officer",
             "administrator"]


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(since: int, **filters):
    return AuditEvent.objects.filter(pk__gt=since, **filters)


def lines(case: Case, kind: str | None = None) -> list[str]:
    events = CaseEvent.objects.filter(case=case).order_by("at", "id")
    if kind:
        events = events.filter(kind=kind)
    return [event.summary for event in events]


@pytest.fixture
def person(users):
    return people_services.register(users["case_worker"], {"family_name": "Ковальчук", "given_name": "Юлия",
                                                          "sex": "F", "citizenships": ["UA"]}, programme=CT)


@pytest.fixture
def case(users, person):
    return casework.open_case(users["case_worker"], programme=CT, principal=person, owner=users["case_worker"],
                              channel=Channel.HOTLINE)


@pytest.fixture
def colleague(make_user):
    return make_user("case_worker", "colleague", programmes=[CT], first_name="Anna", last_name="Petrova")


def consent_to_assistance(user, person):
    return consent_services.record_consent(
        user, person, purpose=Purpose.ASSISTANCE, data_categories=[DataCategory.IDENTITY], how_given=HowGiven.ORAL,
        witness="Olga Ivanova", given_on=timezone.localdate())


def edit(user, case, **changes):
    values = {"summary": case.summary, "risk_level": case.risk_level, "vulnerabilities": case.vulnerabilities,
              "owner": case.owner, "assigned": list(case.assigned.all()), "channel": case.channel,
              "referring_organisation": case.referring_organisation, "version": case.version}
    values.update(changes)
    return casework.edit_case(user, case, **values)


# --- Editing ------------------------------------------------------------------------------------------
def test_an_edit_is_saved_audited_and_told_on_the_timeline(users, case, colleague):
    before = last_event_id()

    saved = edit(users["case_worker"], case, summary="Met at Sheremetyevo.", risk_level="high",
                 vulnerabilities=[Vulnerability.PREGNANT], assigned=[colleague])

    case.refresh_from_db()
    assert (case.summary, case.risk_level, case.vulnerabilities) == ("Met at Sheremetyevo.", "high", ["pregnant"])
    assert list(case.assigned.all()) == [colleague]
    assert case.version == saved.version == 2
    [event] = events_since(before, action=Action.UPDATE, object_type="cases.case")
    assert event.changes["summary"] is None  # named, never its value
    assert event.changes["risk_level"] == ["medium", "high"]
    assert "Sheremetyevo" not in str(event.changes)
    assert lines(case, timeline.ASSIGNED) == ["Staff: assigned Anna Petrova."]
    assert lines(case, timeline.EDITED) == [
        "Risk level changed from Medium to High.", "Vulnerabilities: added Pregnant.", "Summary edited."]
    assert "Sheremetyevo" not in " ".join(lines(case))


def test_a_new_owner_is_an_assignment_line(users, case, colleague):
    edit(users["case_worker"], case, owner=colleague)

    case.refresh_from_db()
    assert case.owner == colleague
    assert lines(case, timeline.ASSIGNED) == ["Owner changed from case_worker to Anna Petrova."]


def test_saving_without_changes_writes_nothing(users, case):
    before = last_event_id()

    edit(users["case_worker"], case)

    case.refresh_from_db()
    assert case.version == 1
    assert not events_since(before).exists()


def test_a_stale_edit_writes_nothing_and_is_audited(users, case):
    manager, worker = users["programme_manager"], users["case_worker"]
    opened = Case.objects.get(pk=case.pk)  # both open the form at version 1
    edit(manager, case, risk_level="high", summary="The manager's summary.")
    before = last_event_id()
    timeline_before = CaseEvent.objects.count()

    with pytest.raises(ConflictError) as conflict:
        edit(worker, opened, risk_level="low", summary="The worker's summary.")

    case.refresh_from_db()
    assert (case.risk_level, case.summary, case.version) == ("high", "The manager's summary.", 2)
    assert conflict.value.current.version == 2
    assert CaseEvent.objects.count() == timeline_before
    [refusal] = events_since(before)
    assert (refusal.action, refusal.object_id, refusal.changes) == (
        Action.DENY, str(case.pk), {"refused": "edit", "reasons": ["stale_version"]})


def test_invalid_edits_name_their_fields_and_write_nothing(users, case):
    with pytest.raises(ValidationError) as refused:
        edit(users["case_worker"], case, owner=users["case_worker_b"], assigned=[users["hotline_operator"]],
             channel=Channel.LAW_ENFORCEMENT, risk_level="extreme", vulnerabilities=["unknown"])

    assert set(refused.value.message_dict) == {"owner", "assigned", "referring_organisation", "risk_level",
                                                 "vulnerabilities"}
    assert "directory" in refused.value.message_dict["referring_organisation"][0]
    case.refresh_from_db()
    assert (case.version, case.channel, case.risk_level) == (1, Channel.HOTLINE, "medium")


def test_a_referring_organisation_is_recorded(users, case, ngo_x):
    edit(users["case_worker"], case, channel=Channel.NGO, referring_organisation=ngo_x)

    case.refresh_from_db()
    assert case.referring_organisation == ngo_x
    assert lines(case, timeline.EDITED) == ["How the case came changed to: Non-governmental organisation: NGO X."]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_nobody_outside_the_case_edits_it(users, case, persona):
    before = last_event_id()

    with pytest.raises(Http404):
        edit(users[persona], case, risk_level="high")

    case.refresh_from_db()
    assert case.risk_level == "medium"
    assert events_since(before, action=Action.DENY, object_type="cases.case").exists()


# --- Workflow steps ----------------------------------------------------------------------------------
def test_a_guard_refuses_assistance_without_consent_and_the_refusal_is_audited(users, case):
    [start] = [choice for choice in casework.available_actions(case) if choice.action == "start_assistance"]
    assert start.blocked
    assert "has no valid consent to assistance" in start.reasons[0]
    before = last_event_id()

    with pytest.raises(ValidationError) as refused:
        casework.transition(users["case_worker"], case, "start_assistance", version=case.version)

    assert "has no valid consent to assistance" in refused.value.message_dict["action"][0]
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.INTAKE, 1)
    assert lines(case, timeline.STATUS) == []
    [refusal] = events_since(before)
    assert refusal.action == Action.DENY
    assert refusal.changes == {"refused": "transition:start_assistance", "reasons": ["guard:consent_to_assistance"]}


def test_with_consent_assistance_starts(users, case, person):
    consent_to_assistance(users["case_worker"], person)
    assert not next(c for c in casework.available_actions(case) if c.action == "start_assistance").blocked
    before = last_event_id()

    casework.transition(users["case_worker"], case, "start_assistance", version=1)

    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.ACTIVE, 2)
    assert lines(case, timeline.STATUS) == ["Status changed from Intake to Active (Start assistance)."]
    [event] = events_since(before, action=Action.UPDATE, object_type="cases.case")
    assert event.changes["status"] == ["intake", "Active"]


def test_a_step_the_workflow_does_not_offer_from_the_status_is_refused_and_audited(users, case):
    before = last_event_id()

    with pytest.raises(ValidationError) as refused:
        casework.transition(users["case_worker"], case, "follow_up", version=1)

    assert refused.value.message_dict["action"] == ["“Move to follow-up” cannot be done while the case is Intake."]
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE
    assert events_since(before).get().changes == {"refused": "transition:follow_up",
                                                  "reasons": ["not_available_from:intake"]}


def test_an_unknown_step_is_refused(users, case):
    with pytest.raises(ValidationError) as refused:
        casework.transition(users["case_worker"], case, "teleport", version=1)
    assert "action" in refused.value.message_dict


def test_closing_needs_a_reason_of_the_workflow(users, case):
    for reason in ("", "BecauseISaidSo"):
        with pytest.raises(ValidationError) as refused:
            casework.transition(users["case_worker"], case, "close", version=1, closure_reason=reason)
        assert refused.value.message_dict == {"closure_reason": ["Choose the reason for closing the case."]}
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.version) == (CaseStatus.INTAKE, None, 1)

    casework.transition(users["case_worker"], case, "close", version=1, closure_reason=ClosureReason.LOST_CONTACT,
                        note="No answer for three months.")

    case.refresh_from_db()
    assert (case.status, case.closed_on, case.closure_reason) == (
        CaseStatus.CLOSED, timezone.localdate(), ClosureReason.LOST_CONTACT)
    assert case.closure_note == "No answer for three months."
    assert case.is_closed
    assert lines(case, timeline.STATUS) == ["Status changed from Intake to Closed (Close the case). Reason: Lost "
                                            "contact. Note: No answer for three months."]


def test_reopening_needs_a_note_clears_the_closure_and_counts(users, case, person):
    consent_to_assistance(users["case_worker"], person)
    casework.transition(users["case_worker"], case, "close", version=1, closure_reason=ClosureReason.OTHER)

    with pytest.raises(ValidationError) as refused:
        casework.transition(users["case_worker"], case, "reopen", version=2, note="  ")
    assert set(refused.value.message_dict) == {"note"}

    casework.transition(users["case_worker"], case, "reopen", version=2, note="She called again from Kazan.")

    case.refresh_from_db()
    assert (case.status, case.closed_on, case.closure_reason, case.closure_note, case.reopened_count) == (
        CaseStatus.ACTIVE, None, "", "", 1)
    assert lines(case, timeline.STATUS)[-1] == ("Status changed from Closed to Active (Reopen the case). "
                                                "Note: She called again from Kazan.")


def test_a_step_from_a_stale_page_writes_nothing(users, case):
    casework.transition(users["programme_manager"], case, "close", version=1, closure_reason=ClosureReason.OTHER)
    before = last_event_id()

    with pytest.raises(ConflictError):
        casework.transition(users["case_worker"], case, "close", version=1, closure_reason=ClosureReason.DECEASED)

    case.refresh_from_db()
    assert (case.closure_reason, case.version) == (ClosureReason.OTHER, 2)
    assert events_since(before).get().changes == {"refused": "transition:close", "reasons": ["stale_version"]}


def test_the_default_workflow_serves_a_programme_without_its_own(make_user, person):
    # Every case programme registers its workflow; the hotline's cases (none are opened today) would take the default.
    worker = make_user(Role.CASE_WORKER, "icc_case_worker", programmes=[Programme.HOTLINE])
    ProgrammeRegistration.objects.create(person=person, programme=Programme.HOTLINE)
    case = casework.open_case(worker, programme=Programme.HOTLINE, principal=person, owner=worker,
                              channel=Channel.SELF)
    assert [c.action for c in casework.available_actions(case)] == ["close"]

    casework.transition(worker, case, "close", version=1, closure_reason="completed")

    case.refresh_from_db()
    assert (case.status, case.closure_reason) == ("closed", "completed")


# --- Members -------------------------------------------------------------------------------------------
def test_a_child_is_added_and_registered_in_the_programme(users, case):
    manager = users["programme_manager"]
    manager.programmes = [CT, Programme.RETURN]
    manager.save()
    child = people_services.register(manager, {"family_name": "Ковальчук", "given_name": "Мирон"},
                                     programme=Programme.RETURN)
    before = last_event_id()

    member = casework.add_member(manager, case, child, MemberRole.CHILD)

    assert member.role == MemberRole.CHILD
    assert ProgrammeRegistration.objects.filter(person=child, programme=CT).exists()
    assert events_since(before, action=Action.CREATE, object_type="cases.casemember").exists()
    assert lines(case, timeline.MEMBER) == [f"{child.reference} added to the case as child."]
    assert "Мирон" not in " ".join(lines(case))


def test_one_principal_and_each_person_once(users, case, person):
    other = people_services.register(users["case_worker"], {"family_name": "Иванов"}, programme=CT)

    with pytest.raises(ValidationError) as second_principal:
        casework.add_member(users["case_worker"], case, other, MemberRole.PRINCIPAL)
    with pytest.raises(ValidationError) as twice:
        casework.add_member(users["case_worker"], case, person, MemberRole.OTHER)

    assert "already has a principal" in second_principal.value.message_dict["role"][0]
    assert "already a member" in twice.value.message_dict["person"][0]
    assert case.members.count() == 1


def test_a_person_the_user_may_not_see_is_not_added(users, case):
    stranger = people_services.register(users["hotline_operator"], {"family_name": "Чужой"},
                                        programme=Programme.HOTLINE)
    before = last_event_id()

    with pytest.raises(Http404):
        casework.add_member(users["case_worker"], case, stranger, MemberRole.OTHER)

    assert case.members.count() == 1
    assert events_since(before, action=Action.DENY, object_type="people.person").exists()


def test_the_principal_stays_and_others_are_removed(users, case, person):
    spouse = people_services.register(users["case_worker"], {"family_name": "Ковальчук", "given_name": "Олег"},
                                      programme=CT)
    member = casework.add_member(users["case_worker"], case, spouse, MemberRole.SPOUSE)
    principal = case.members.get(role=MemberRole.PRINCIPAL)

    with pytest.raises(ValidationError):
        casework.remove_member(users["case_worker"], principal)
    casework.remove_member(users["case_worker"], member)

    assert list(case.members.values_list("person", flat=True)) == [person.pk]
    assert lines(case, timeline.MEMBER)[-1] == f"{spouse.reference} removed from the case (was spouse)."


def test_registering_a_new_member_and_adding_them_is_one_step(users, case):
    member = casework.add_new_member(users["case_worker"], case, {"family_name": "Ковальчук", "given_name": "Ира"},
                                     MemberRole.CHILD)
    assert member.person.registrations.get().programme == CT

    with pytest.raises(ValidationError):
        casework.add_new_member(users["case_worker"], case, {"family_name": "Второй"}, MemberRole.PRINCIPAL)
    assert not case.members.filter(person__family_name="Второй").exists()


# --- The plan ------------------------------------------------------------------------------------------
def test_a_goal_takes_an_htcds_support_plan_type_in_the_ct_programme(users, case):
    goal = plan.add_goal(users["case_worker"], case, title="Safe accommodation", plan_type=SupportPlanType.HEALTH,
                             target_on=datetime.date(2026, 9, 1))

    assert (goal.plan_type, goal.status) == ("Health", GoalStatus.OPEN)
    assert lines(case, timeline.PLAN) == ["Goal added: Safe accommodation."]
    with pytest.raises(ValidationError) as refused:
        plan.add_goal(users["case_worker"], case, title="x", plan_type="Astrology")
    assert "plan_type" in refused.value.message_dict
    with pytest.raises(ValidationError) as empty:
        plan.add_goal(users["case_worker"], case, title="  ")
    assert "title" in empty.value.message_dict
    assert case.goals.count() == 1


def test_a_programme_without_plan_types_takes_none(users, person):
    worker = users["case_worker_b"]
    ProgrammeRegistration.objects.create(person=person, programme=Programme.RETURN)
    case = casework.open_case(worker, programme=Programme.RETURN, principal=person, owner=worker, channel="self")

    with pytest.raises(ValidationError):
        plan.add_goal(worker, case, title="Ticket home", plan_type=SupportPlanType.HEALTH)
    assert plan.add_goal(worker, case, title="Ticket home").plan_type == ""


def test_achieving_a_goal_dates_it_and_a_stale_goal_edit_writes_nothing(users, case):
    goal = plan.add_goal(users["case_worker"], case, title="Medical check-up")

    plan.edit_goal(users["case_worker"], goal, version=1, title="Medical check-up", plan_type="",
                       status=GoalStatus.ACHIEVED, target_on=None)
    goal.refresh_from_db()
    assert (goal.status, goal.achieved_on, goal.version) == (GoalStatus.ACHIEVED, timezone.localdate(), 2)
    assert lines(case, timeline.PLAN)[-1] == "Goal achieved: Medical check-up."

    with pytest.raises(ConflictError):
        plan.edit_goal(users["programme_manager"], goal, version=1, title="Changed", plan_type="",
                           status=GoalStatus.DROPPED, target_on=None)
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.version) == ("Medical check-up", GoalStatus.ACHIEVED, 2)


def test_tasks_are_for_staff_of_the_programme_and_under_goals_of_the_case(users, case, colleague, person):
    other_case = casework.open_case(users["case_worker"], programme=CT, principal=people_services.register(
        users["case_worker"], {"family_name": "Другая"}, programme=CT), owner=users["case_worker"], channel="self")
    foreign_goal = plan.add_goal(users["case_worker"], other_case, title="Elsewhere")

    with pytest.raises(ValidationError) as refused:
        plan.add_task(users["case_worker"], case, title="Buy a ticket", assigned_to=users["case_worker_b"],
                          goal=foreign_goal)
    assert set(refused.value.message_dict) == {"assigned_to", "goal"}
    assert not case.tasks.exists()

    goal = plan.add_goal(users["case_worker"], case, title="Return home")
    task = plan.add_task(users["case_worker"], case, title="Buy a ticket", assigned_to=colleague, goal=goal,
                             due_on=datetime.date(2026, 5, 4))
    assert lines(case, timeline.PLAN)[-1] == "Task added: Buy a ticket (due 2026-05-04, for Anna Petrova)."

    plan.set_task_done(users["case_worker"], task, version=1, done=True)
    task.refresh_from_db()
    assert (task.done_by, task.version) == (users["case_worker"], 2)
    assert task.done_at is not None
    with pytest.raises(ConflictError):
        plan.set_task_done(users["programme_manager"], task, version=1, done=False)
    task.refresh_from_db()
    assert task.done_at is not None
    plan.set_task_done(users["programme_manager"], task, version=2, done=False)
    task.refresh_from_db()
    assert task.done_at is None
    assert lines(case, timeline.PLAN)[-2:] == ["Task done: Buy a ticket.", "Task not done after all: Buy a ticket."]


# --- Notes ---------------------------------------------------------------------------------------------
def test_a_note_is_encrypted_and_its_correction_never_repeats_the_old_text(users, case):
    note = notes.add_note(users["case_worker"], case, "She was held in a flat in Podolsk.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_casenote WHERE id = %s", [note.pk])
        [raw] = cursor.fetchone()
    assert "Podolsk" not in raw

    notes.edit_note(users["case_worker"], note, version=1, text="She was held in a flat near Moscow.")

    note.refresh_from_db()
    assert (note.text, note.version) == ("She was held in a flat near Moscow.", 2)
    assert note.edited_at is not None
    assert lines(case, timeline.NOTE)[0] == "Note added."
    assert lines(case, timeline.NOTE)[1].startswith("Note of ")
    assert lines(case, timeline.NOTE)[1].endswith(" edited.")
    assert "Podolsk" not in " ".join(lines(case))
    update = AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.casenote").get()
    assert update.changes == {"text": None}


def test_only_the_author_corrects_a_note_and_a_stale_correction_writes_nothing(users, case):
    note = notes.add_note(users["case_worker"], case, "First version.")

    with pytest.raises(ValidationError):
        notes.edit_note(users["programme_manager"], note, version=1, text="The manager's version.")
    notes.edit_note(users["case_worker"], note, version=1, text="Second version.")
    with pytest.raises(ConflictError):
        notes.edit_note(users["case_worker"], note, version=1, text="From an old window.")

    note.refresh_from_db()
    assert note.text == "Second version."
    assert CaseNote.objects.count() == 1


# --- Attachments ---------------------------------------------------------------------------------------
ATTACHMENTS = Path(settings.MEDIA_ROOT) / "cases" / "attachments"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def stored_files() -> set[str]:
    return {path.name for path in ATTACHMENTS.iterdir()} if ATTACHMENTS.is_dir() else set()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tool.exe", "MZ")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "content_type", "extension"), [
    ("Паспорт Ковальчук.pdf", PDF, "application/pdf", "pdf"),
    ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg", "jpg"),
    ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png", "png"),
    ("letter.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("notes.txt", "Билет до Ташкента.\n".encode(), "text/plain; charset=utf-8", "txt"),
])
def test_a_file_is_kept_under_a_random_name_with_its_real_type(users, case, name, content, content_type, extension):
    content = docx_bytes() if content is None else content
    before = stored_files()

    attachment = notes.upload_attachment(users["case_worker"], case, upload=SimpleUploadedFile(name, content),
                                            kind=AttachmentKind.IDENTITY_DOCUMENT, description="From the embassy")

    assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type, len(content))
    [added] = stored_files() - before
    assert added.endswith(f".{extension}")
    assert "Ковальчук" not in attachment.file.name
    assert "Паспорт" not in added
    assert (ATTACHMENTS / added).read_bytes() == content
    assert lines(case, timeline.ATTACHMENT) == [f"File added: {name} (Identity document)."]


@pytest.mark.parametrize(("name", "content"), [
    ("invoice.pdf", b"MZ\x90\x00 a program pretending to be a PDF"),
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("archive.zip", None),
    ("binary.txt", b"text\x00with a NUL"),
])
def test_a_file_of_the_wrong_type_is_refused_audited_and_not_stored(users, case, name, content):
    content = plain_zip() if content is None else content
    before, event = stored_files(), last_event_id()

    with pytest.raises(ValidationError) as refused:
        notes.upload_attachment(users["case_worker"], case, upload=SimpleUploadedFile(name, content),
                                   kind=AttachmentKind.OTHER)

    assert "This kind of file cannot be kept with a case" in refused.value.message_dict["file"][0]
    assert stored_files() == before
    assert not Attachment.objects.exists()
    assert events_since(event).get().changes == {"refused": "attachment", "reasons": ["wrong_type"]}


def test_a_file_too_big_is_refused_with_the_limit(users, case, settings):
    settings.WAYPOINT_ATTACHMENT_MAX_BYTES = 1024 * 1024
    before, event = stored_files(), last_event_id()

    with pytest.raises(ValidationError) as refused:
        notes.upload_attachment(users["case_worker"], case, upload=SimpleUploadedFile(
            "big.pdf", PDF + b"0" * (1024 * 1024)), kind=AttachmentKind.MEDICAL)

    assert refused.value.message_dict["file"] == ["The file is larger than 1 MB: it was not saved."]
    assert stored_files() == before
    assert events_since(event).get().changes == {"refused": "attachment", "reasons": ["too_big"]}


def test_the_default_limit_is_20_megabytes(settings):
    del settings.WAYPOINT_ATTACHMENT_MAX_BYTES
    assert notes.attachment_max_bytes() == 20 * 1024 * 1024


def test_a_failed_save_leaves_no_file_on_disk(users, case, monkeypatch):
    before = stored_files()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(timeline, "log", broken)
    with pytest.raises(RuntimeError):
        notes.upload_attachment(users["case_worker"], case, upload=SimpleUploadedFile("a.pdf", PDF),
                                   kind=AttachmentKind.LEGAL)

    assert stored_files() == before
    assert not Attachment.objects.exists()


def test_removing_a_file_keeps_the_record_and_deletes_the_file(users, case, django_capture_on_commit_callbacks):
    attachment = notes.upload_attachment(users["case_worker"], case, upload=SimpleUploadedFile("a.pdf", PDF),
                                            kind=AttachmentKind.LEGAL)
    path = Path(attachment.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        notes.remove_attachment(users["case_worker"], attachment)

    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert not path.exists()
    assert lines(case, timeline.ATTACHMENT)[-1] == "File removed: a.pdf."


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_nobody_outside_the_case_adds_or_removes_files(users, case, persona):
    attachment = notes.upload_attachment(users["case_worker"], case, upload=SimpleUploadedFile("a.pdf", PDF),
                                            kind=AttachmentKind.LEGAL)
    with pytest.raises(Http404):
        notes.upload_attachment(users[persona], case, upload=SimpleUploadedFile("b.pdf", PDF),
                                   kind=AttachmentKind.LEGAL)
    with pytest.raises(Http404):
        notes.remove_attachment(users[persona], attachment)
    attachment.refresh_from_db()
    assert attachment.removed_at is None
    assert Attachment.objects.count() == 1


# --- Saved views ---------------------------------------------------------------------------------------
def test_a_saved_view_keeps_only_the_lists_filters_and_a_name_is_reused(users):
    worker = users["case_worker"]

    view = casework.save_view(worker, "  My  high risk ", [("risk", "high"), ("page", "3"), ("evil", "x"),
                                                          ("owner", "me")])
    assert (view.name, view.query) == ("My high risk", "owner=me&risk=high")

    again = casework.save_view(worker, "My high risk", [("overdue", "on")])
    assert again.pk == view.pk
    assert SavedView.objects.get().query == "overdue=on"
    with pytest.raises(ValidationError):
        casework.save_view(worker, " ", [("risk", "high")])


def test_a_saved_view_is_its_owners_alone(users):
    view = casework.save_view(users["case_worker"], "Mine", [("risk", "high")])

    with pytest.raises(Http404):
        casework.delete_view(users["programme_manager"], view)
    with pytest.raises(Http404):
        casework.save_view(users["hotline_operator"], "Sneaky", [])
    casework.delete_view(users["case_worker"], view)

    assert not SavedView.objects.exists()


def test_every_goal_task_note_and_member_write_checks_access(users, case):
    outsider = users["case_worker_b"]
    goal = plan.add_goal(users["case_worker"], case, title="Goal")
    task = plan.add_task(users["case_worker"], case, title="Task")
    note = notes.add_note(users["case_worker"], case, "Note")
    calls = [
        lambda: plan.add_goal(outsider, case, title="x"),
        lambda: plan.edit_goal(outsider, goal, version=1, title="x", plan_type="", status="open", target_on=None),
        lambda: plan.add_task(outsider, case, title="x"),
        lambda: plan.set_task_done(outsider, task, version=1, done=True),
        lambda: notes.add_note(outsider, case, "x"),
        lambda: notes.edit_note(outsider, note, version=1, text="x"),
        lambda: casework.remove_member(outsider, CaseMember.objects.get(case=case)),
        lambda: casework.transition(outsider, case, "close", version=1, closure_reason=ClosureReason.OTHER),
    ]
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert (Goal.objects.get().title, Task.objects.get().done_at, CaseNote.objects.get().text) == ("Goal", None, "Note")
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE
