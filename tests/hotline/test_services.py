"""The consultation log's services: what is saved, what is refused (naming the field, saving nothing), who may."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from tests.hotline.log_world import a_minute_ago, call_data, make_world
from waypoint.audit.models import Action, AuditEvent
from waypoint.hotline import services
from waypoint.hotline.models import Consultation, FollowUp, FollowUpStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, make_user, office):
    return make_world(users, make_user, office)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Recording --------------------------------------------------------------------------------
def test_a_call_is_saved_with_its_topics_and_audited_without_the_answer(world):
    operator = world["operator"]
    topics = [world["topics"]["work-permits"], world["topics"]["police"]]

    consultation = services.record_consultation(operator, call_data(world, topics=topics))

    consultation.refresh_from_db()
    assert consultation.operator == operator
    assert consultation.site == world["spb"]
    assert (consultation.caller_nationality, consultation.caller_language) == ("UZ", "uz")
    assert set(consultation.topics.all()) == set(topics)
    assert consultation.answer == "Explained how to apply for a patent."
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="hotline.consultation")
    assert event.object_id == str(consultation.pk)
    assert event.changes["answer"] is None
    assert event.changes["topics"] == [None, "police, work-permits"]
    assert "patent" not in str(event.changes)


def test_the_answer_is_stored_encrypted(world):
    consultation = services.record_consultation(world["operator"], call_data(world, answer="Shelter on Ligovsky"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT answer FROM hotline_consultation WHERE id = %s", [consultation.pk])
        [stored] = cursor.fetchone()
    assert "Ligovsky" not in stored


def test_a_call_back_is_saved_with_the_call_in_one_go(world):
    due = timezone.now() + datetime.timedelta(days=1)

    consultation = services.record_consultation(
        world["operator"], call_data(world, outcome="call_back"),
        follow_up={"due_at": due, "action": "Call back with the shelter's address", "contact": "+7 911 123-45-67"},
    )

    follow_up = consultation.follow_ups.get()
    assert (follow_up.due_at, follow_up.status) == (due, "open")
    assert follow_up.action == "Call back with the shelter's address"
    assert follow_up.assigned_to == world["operator"]
    assert follow_up.contact == "+7 911 123-45-67"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM hotline_followup WHERE id = %s", [follow_up.pk])
        assert "123-45-67" not in cursor.fetchone()[0]
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="hotline.followup")
    assert event.changes["contact"] is None


def test_a_call_back_outcome_without_a_follow_up_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        services.record_consultation(world["operator"], call_data(world, outcome="call_back"))

    assert list(errors_of(excinfo)) == ["follow_up"]
    assert not Consultation.objects.exists()


def test_a_wrong_follow_up_saves_neither_the_call_nor_the_follow_up(world):
    before_start = a_minute_ago() - datetime.timedelta(hours=1)

    with pytest.raises(ValidationError) as excinfo:
        services.record_consultation(
            world["operator"], call_data(world), follow_up={"due_at": before_start, "action": "  "},
        )

    assert set(errors_of(excinfo)) == {"follow_up_due_at", "follow_up_action"}
    assert not Consultation.objects.exists()
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("site", None, "Choose the site."),
        ("channel", "", "Choose the channel."),
        ("started_at", None, "Enter when the consultation started."),
        ("duration_minutes", None, "Enter the duration in minutes."),
        ("caller_type", "", "Choose the caller."),
        ("topics", [], "Choose at least one topic."),
        ("outcome", None, "Choose the outcome."),
    ],
)
def test_a_missing_required_field_is_named_and_nothing_is_saved(world, field, value, message):
    with pytest.raises(ValidationError) as excinfo:
        services.record_consultation(world["operator"], call_data(world, **{field: value}))

    assert errors_of(excinfo) == {field: [message]}
    assert not Consultation.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_every_problem_is_named_at_once(world):
    with pytest.raises(ValidationError) as excinfo:
        services.record_consultation(world["operator"], call_data(
            world, caller_type="", topics=[], outcome="", duration_minutes=601, caller_nationality="XX",
            caller_language="zz", channel="fax",
        ))

    assert set(errors_of(excinfo)) == {
        "caller_type", "topics", "outcome", "duration_minutes", "caller_nationality", "caller_language", "channel",
    }


@pytest.mark.parametrize(("minutes", "accepted"), [(0, True), (600, True), (601, False), (-1, False)])
def test_the_duration_is_from_0_to_600_minutes(world, minutes, accepted):
    data = call_data(world, duration_minutes=minutes)
    if accepted:
        assert services.record_consultation(world["operator"], data).duration_minutes == minutes
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.record_consultation(world["operator"], data)
        assert list(errors_of(excinfo)) == ["duration_minutes"]


def test_a_start_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        services.record_consultation(
            world["operator"], call_data(world, started_at=timezone.now() + datetime.timedelta(minutes=10)),
        )

    assert errors_of(excinfo) == {"started_at": ["The start time is in the future."]}


def test_an_operator_logs_only_for_their_own_site(world):
    with pytest.raises(ValidationError) as excinfo:
        services.record_consultation(world["operator"], call_data(world, site=world["moscow"]))

    assert errors_of(excinfo) == {"site": ["You may log consultations only for your own site."]}
    assert not Consultation.objects.exists()


def test_a_programme_manager_of_the_hotline_logs_for_any_site(world):
    consultation = services.record_consultation(world["manager"], call_data(world, site=world["moscow"]))

    assert consultation.site == world["moscow"]


def test_a_programme_manager_outside_the_hotline_programme_may_not_log(world, users):
    before = AuditEvent.objects.count()

    with pytest.raises(Http404):
        services.record_consultation(users["programme_manager"], call_data(world))

    assert not Consultation.objects.exists()
    denial = AuditEvent.objects.filter(pk__gt=before).get()
    assert (denial.action, denial.object_id) == (Action.DENY, "record_consultations")


@pytest.mark.parametrize("role", ["me_officer", "case_worker", "administrator", "partner_user"])
def test_other_roles_may_not_log(world, users, role):
    with pytest.raises(Http404):
        services.record_consultation(users[role], call_data(world))
    assert not Consultation.objects.exists()


def test_retired_topics_and_materials_are_not_offered_for_new_calls(world):
    with pytest.raises(ValidationError) as excinfo:
        services.record_consultation(world["operator"], call_data(
            world, topics=[world["topics"]["retired"]], heard_from=world["materials"]["tv-2019"],
        ))

    assert set(errors_of(excinfo)) == {"topics", "heard_from"}


# --- Correcting -------------------------------------------------------------------------------
def test_the_recording_operator_corrects_a_call_and_the_change_is_audited(world):
    consultation = services.record_consultation(world["operator"], call_data(world))
    opened = services.fingerprint(consultation)

    services.update_consultation(world["operator"], consultation, {
        "outcome": "referred", "topics": [world["topics"]["trafficking"]],
    }, opened=opened)

    consultation.refresh_from_db()
    assert consultation.outcome == "referred"
    assert [t.code for t in consultation.topics.all()] == ["trafficking"]
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="hotline.consultation")
    assert event.changes == {"outcome": ["informed", "referred"], "topics": ["work-permits", "trafficking"]}


def test_a_colleague_of_the_site_sees_but_does_not_correct_a_call(world):
    consultation = services.record_consultation(world["operator"], call_data(world))

    with pytest.raises(Http404):
        services.update_consultation(world["colleague"], consultation, {"outcome": "other"})

    consultation.refresh_from_db()
    assert consultation.outcome == "informed"


def test_the_hotline_manager_corrects_any_call(world):
    consultation = services.record_consultation(world["operator"], call_data(world))

    services.update_consultation(world["manager"], consultation, {"duration_minutes": 12})

    consultation.refresh_from_db()
    assert consultation.duration_minutes == 12


def test_a_save_over_a_newer_version_is_a_conflict_and_writes_nothing(world):
    consultation = services.record_consultation(world["operator"], call_data(world))
    opened = services.fingerprint(consultation)
    services.update_consultation(world["manager"], consultation, {"duration_minutes": 12})

    with pytest.raises(services.ConflictError):
        services.update_consultation(world["operator"], consultation, {"duration_minutes": 7}, opened=opened)

    consultation.refresh_from_db()
    assert consultation.duration_minutes == 12


def test_a_retired_topic_already_on_a_call_may_stay_when_it_is_corrected(world):
    consultation = services.record_consultation(world["operator"], call_data(world))
    consultation.topics.add(world["topics"]["retired"])

    services.update_consultation(world["operator"], consultation, {
        "topics": [world["topics"]["retired"], world["topics"]["police"]],
    })

    assert {t.code for t in consultation.topics.all()} == {"retired", "police"}


def test_nothing_changed_writes_no_event(world):
    consultation = services.record_consultation(world["operator"], call_data(world))

    services.update_consultation(world["operator"], consultation, {"outcome": "informed"})

    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


# --- Follow-ups -------------------------------------------------------------------------------
@pytest.fixture
def follow_up(world) -> FollowUp:
    consultation = services.record_consultation(world["operator"], call_data(world))
    return services.add_follow_up(world["operator"], consultation, {
        "due_at": timezone.now() + datetime.timedelta(hours=2), "action": "Send the list of legal aid NGOs",
        "contact": "Telegram @caller",
    })


def test_any_operator_of_the_site_completes_a_follow_up(world, follow_up):
    services.complete_follow_up(world["colleague"], follow_up, "Sent the list; the caller will go on Monday.")

    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    assert follow_up.done_at is not None
    assert follow_up.result == "Sent the list; the caller will go on Monday."
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="hotline.followup")
    assert event.changes == {"status": ["open", "done"], "result": None}


def test_a_follow_up_needs_a_result_to_be_done(world, follow_up):
    with pytest.raises(ValidationError) as excinfo:
        services.complete_follow_up(world["operator"], follow_up, "  ")

    assert list(errors_of(excinfo)) == ["result"]
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN


def test_a_follow_up_is_done_only_once(world, follow_up):
    services.complete_follow_up(world["operator"], follow_up, "Reached")

    with pytest.raises(ValidationError) as excinfo:
        services.cancel_follow_up(world["colleague"], follow_up, "Not needed")

    assert errors_of(excinfo) == {"status": ["This follow-up is already done."]}
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.result) == (FollowUpStatus.DONE, "Reached")


def test_an_operator_of_another_site_cannot_touch_a_follow_up(world, follow_up):
    before = AuditEvent.objects.count()

    with pytest.raises(Http404):
        services.complete_follow_up(world["other_site"], follow_up, "Done")

    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.DENY, object_type="hotline.followup").exists()


def test_a_follow_up_is_cancelled_with_a_reason(world, follow_up):
    services.cancel_follow_up(world["operator"], follow_up, "The caller called again and got the answer")

    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CANCELLED
    assert follow_up.result == "The caller called again and got the answer"


def test_a_follow_up_is_reassigned_only_to_someone_who_sees_the_call(world, follow_up):
    with pytest.raises(ValidationError) as excinfo:
        services.reassign_follow_up(world["operator"], follow_up, world["other_site"])
    assert list(errors_of(excinfo)) == ["assigned_to"]

    services.reassign_follow_up(world["operator"], follow_up, world["colleague"])

    follow_up.refresh_from_db()
    assert follow_up.assigned_to == world["colleague"]
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="hotline.followup").get()
    assert event.changes == {"assigned_to": ["hotline_operator", "operator_spb_2"]}


def test_a_follow_up_cannot_be_due_before_the_call(world):
    consultation = services.record_consultation(world["operator"], call_data(world))

    with pytest.raises(ValidationError) as excinfo:
        services.add_follow_up(world["operator"], consultation, {
            "due_at": consultation.started_at - datetime.timedelta(days=1), "action": "Call back",
        })

    assert list(errors_of(excinfo)) == ["due_at"]
    assert not FollowUp.objects.exists()
