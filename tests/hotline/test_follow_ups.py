"""The follow-up queue of a site: overdue first, then today's, then later; done, cancelled, reassigned."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.hotline.log_world import call_data, make_world
from waypoint.audit.models import Action, AuditEvent
from waypoint.hotline import services
from waypoint.hotline.models import FollowUp, FollowUpStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, make_user, office):
    return make_world(users, make_user, office)


def follow_up_at(
    world, due: datetime.datetime, action: str, *, site="spb", operator="operator", contact="",
) -> FollowUp:
    data = call_data(world, site=world[site], started_at=min(due, timezone.now()) - datetime.timedelta(hours=1))
    consultation = services.record_consultation(world[operator], data)
    return services.add_follow_up(world[operator], consultation, {"due_at": due, "action": action, "contact": contact})


@pytest.fixture
def queue(world):
    now = timezone.localtime()
    end_of_today = now.replace(hour=23, minute=59, second=59, microsecond=999999)
    later_today = now + min(datetime.timedelta(minutes=5), (end_of_today - now) / 2)
    return {
        "overdue": follow_up_at(world, now - datetime.timedelta(days=1), "Overdue call-back", contact="+7 911 1"),
        "today": follow_up_at(world, later_today, "Today's call-back"),
        "later": follow_up_at(world, now + datetime.timedelta(days=3), "Later call-back", operator="colleague"),
        "elsewhere": follow_up_at(world, now - datetime.timedelta(days=2), "Moscow call-back", site="moscow",
                                  operator="other_site"),
    }


def test_the_queue_holds_the_sites_open_follow_ups_overdue_first(client_for, world, queue):
    response = client_for(world["operator"]).get(reverse("hotline:follow_ups"))

    assert response.status_code == 200
    groups = {key: [row.follow_up.pk for row in rows] for key, rows in response.context["groups"].items()}
    assert groups == {"overdue": [queue["overdue"].pk], "today": [queue["today"].pk], "later": [queue["later"].pk]}
    content = response.content.decode()
    positions = [content.index(text) for text in ("Overdue call-back", "Today&#x27;s call-back", "Later call-back")]
    assert positions == sorted(positions)
    assert 'class="queue-item overdue"' in content
    assert "+7 911 1" in content
    assert "Moscow call-back" not in content


def test_reading_the_queue_is_audited_by_follow_up_numbers(client_for, world, queue):
    client_for(world["operator"]).get(reverse("hotline:follow_ups"))

    event = AuditEvent.objects.get(action=Action.VIEW, object_type="hotline.followup", object_id="queue")
    shown = {int(pk) for pk in event.changes["shown"][0].split(", ")}
    assert shown == {queue["overdue"].pk, queue["today"].pk, queue["later"].pk}
    assert "+7 911" not in str(event.changes)


def test_only_mine_keeps_the_follow_ups_assigned_to_me(client_for, world, queue):
    response = client_for(world["colleague"]).get(reverse("hotline:follow_ups"), {"mine": "1"})

    shown = [row.follow_up.pk for rows in response.context["groups"].values() for row in rows]
    assert shown == [queue["later"].pk]


def test_the_hotline_manager_sees_every_sites_queue(client_for, world, queue):
    response = client_for(world["manager"]).get(reverse("hotline:follow_ups"))

    assert response.context["count"] == 4


def test_mark_done_with_a_result(client_for, world, queue):
    follow_up = queue["overdue"]
    url = reverse("hotline:follow_up_done", args=[follow_up.pk])

    response = client_for(world["colleague"]).post(url, {f"done-{follow_up.pk}-result": "Reached; sent the address"})

    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:follow_ups")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.result) == (FollowUpStatus.DONE, "Reached; sent the address")
    queue_page = client_for(world["colleague"]).get(reverse("hotline:follow_ups"))
    assert follow_up.pk not in [r.follow_up.pk for rows in queue_page.context["groups"].values() for r in rows]


def test_mark_done_without_a_result_is_refused_on_its_row(client_for, world, queue):
    follow_up = queue["today"]

    response = client_for(world["operator"]).post(
        reverse("hotline:follow_up_done", args=[follow_up.pk]), {f"done-{follow_up.pk}-result": ""},
    )

    assert response.status_code == 400
    assert "Say what came of the follow-up." in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN


def test_cancel_and_reassign(client_for, world, queue):
    client = client_for(world["operator"])
    cancelled, moved = queue["overdue"], queue["today"]

    client.post(reverse("hotline:follow_up_cancel", args=[cancelled.pk]),
                {f"cancel-{cancelled.pk}-reason": "Wrong number"})
    client.post(reverse("hotline:follow_up_reassign", args=[moved.pk]),
                {f"reassign-{moved.pk}-assigned_to": world["colleague"].pk})

    cancelled.refresh_from_db()
    moved.refresh_from_db()
    assert (cancelled.status, cancelled.result) == (FollowUpStatus.CANCELLED, "Wrong number")
    assert moved.assigned_to == world["colleague"]


def test_reassigning_to_an_operator_of_another_site_is_refused(client_for, world, queue):
    moved = queue["today"]

    response = client_for(world["operator"]).post(
        reverse("hotline:follow_up_reassign", args=[moved.pk]),
        {f"reassign-{moved.pk}-assigned_to": world["other_site"].pk},
    )

    assert response.status_code == 400
    assert "This person does not work on the consultations of this site." in response.content.decode()
    moved.refresh_from_db()
    assert moved.assigned_to == world["operator"]


def test_a_follow_up_done_meanwhile_by_a_colleague_is_reported_not_overwritten(client_for, world, queue):
    follow_up = queue["today"]
    services.complete_follow_up(world["colleague"], follow_up, "Reached")

    response = client_for(world["operator"]).post(
        reverse("hotline:follow_up_cancel", args=[follow_up.pk]), {f"cancel-{follow_up.pk}-reason": ""}, follow=True,
    )

    assert "This follow-up is already done." in response.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.result) == (FollowUpStatus.DONE, "Reached")


@pytest.mark.parametrize("action", ["follow_up_done", "follow_up_cancel", "follow_up_reassign"])
def test_an_operator_of_another_site_cannot_act_on_a_follow_up(client_for, world, queue, action):
    follow_up = queue["today"]

    response = client_for(world["other_site"]).post(reverse(f"hotline:{action}", args=[follow_up.pk]), {
        f"done-{follow_up.pk}-result": "x", f"cancel-{follow_up.pk}-reason": "x",
        f"reassign-{follow_up.pk}-assigned_to": world["other_site"].pk,
    })

    assert response.status_code == 404
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.assigned_to) == (FollowUpStatus.OPEN, world["operator"])
    assert AuditEvent.objects.filter(
        action=Action.DENY, actor_id=world["other_site"].pk, object_type="hotline.followup",
    ).exists()


@pytest.mark.parametrize("role", ["me_officer", "case_worker", "programme_manager", "partner_user"])
def test_other_roles_cannot_act_on_a_follow_up(client_for, users, world, queue, role):
    follow_up = queue["today"]

    response = client_for(users[role]).post(
        reverse("hotline:follow_up_done", args=[follow_up.pk]), {f"done-{follow_up.pk}-result": "x"},
    )

    assert response.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN


@pytest.mark.parametrize("action", ["follow_up_done", "follow_up_cancel", "follow_up_reassign"])
def test_queue_actions_need_a_post(client_for, world, queue, action):
    assert client_for(world["operator"]).get(reverse(f"hotline:{action}", args=[queue["today"].pk])).status_code == 405


# --- Adding a follow-up from the consultation page ------------------------------------------------
def test_a_follow_up_is_added_from_the_consultation_page(client_for, world):
    consultation = services.record_consultation(world["operator"], call_data(world))
    due = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    response = client_for(world["colleague"]).post(reverse("hotline:follow_up_add", args=[consultation.pk]), {
        "fu-due_at": due, "fu-action": "Tell the caller the shelter's answer", "fu-contact": "WhatsApp",
    })

    assert response["Location"] == reverse("hotline:detail", args=[consultation.pk]) + "#follow-ups"
    follow_up = consultation.follow_ups.get()
    assert (follow_up.action, follow_up.assigned_to) == ("Tell the caller the shelter's answer", world["colleague"])


def test_a_wrong_follow_up_is_shown_on_the_consultation_page(client_for, world):
    consultation = services.record_consultation(world["operator"], call_data(world))

    response = client_for(world["operator"]).post(
        reverse("hotline:follow_up_add", args=[consultation.pk]), {"fu-due_at": "", "fu-action": ""},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter when the follow-up is due." in content
    assert not consultation.follow_ups.exists()


def test_another_site_cannot_add_a_follow_up(client_for, world):
    consultation = services.record_consultation(world["operator"], call_data(world))

    response = client_for(world["other_site"]).post(
        reverse("hotline:follow_up_add", args=[consultation.pk]),
        {"fu-due_at": "2030-01-01T10:00", "fu-action": "Sneak"},
    )

    assert response.status_code == 404
    assert not FollowUp.objects.exists()
