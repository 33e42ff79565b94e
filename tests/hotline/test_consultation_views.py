"""One consultation, its correction and the list: who sees what, what is audited, what the filters keep."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.hotline.log_world import call_data, form_post, make_world
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases.models import Case, Referral, ReferralKind
from waypoint.hotline import services
from waypoint.hotline.models import Consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, make_user, office):
    return make_world(users, make_user, office)


@pytest.fixture
def call(world) -> Consultation:
    data = call_data(world, answer="Gave the address of the FMS office")
    return services.record_consultation(world["operator"], data)


def denials(user, object_type: str):
    return AuditEvent.objects.filter(action=Action.DENY, actor_id=user.pk, object_type=object_type)


# --- The consultation page --------------------------------------------------------------------
def test_the_consultation_page_shows_the_call_and_is_an_audited_read(client_for, world, call):
    response = client_for(world["colleague"]).get(reverse("hotline:detail", args=[call.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Gave the address of the FMS office" in content
    assert "Labour migrant" in content
    assert "Uzbekistan" in content
    assert "Work permits" in content
    assert "Leaflet in Uzbek" in content
    assert AuditEvent.objects.filter(
        action=Action.VIEW, actor_id=world["colleague"].pk, object_type="hotline.consultation", object_id=str(call.pk),
    ).exists()


def test_the_edit_link_is_for_the_recording_operator_and_managers(client_for, world, call):
    edit_url = reverse("hotline:edit", args=[call.pk])

    assert edit_url in client_for(world["operator"]).get(reverse("hotline:detail", args=[call.pk])).content.decode()
    assert edit_url in client_for(world["manager"]).get(reverse("hotline:detail", args=[call.pk])).content.decode()
    assert edit_url not in client_for(world["colleague"]).get(
        reverse("hotline:detail", args=[call.pk])).content.decode()


@pytest.mark.parametrize("who", ["other_site"])
def test_an_operator_of_another_site_gets_404_and_the_attempt_is_audited(client_for, world, call, who):
    user = world[who]
    for url in (reverse("hotline:detail", args=[call.pk]), reverse("hotline:edit", args=[call.pk])):
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert "FMS office" not in response.content.decode()
    assert denials(user, "hotline.consultation").count() == 2


@pytest.mark.parametrize("role", ["programme_manager", "me_officer", "case_worker", "administrator", "partner_user",
                                  "data_protection_officer", "trainer"])
def test_roles_without_the_hotline_get_404_on_a_consultation(client_for, users, world, call, role):
    response = client_for(users[role]).get(reverse("hotline:detail", args=[call.pk]))

    assert response.status_code == 404
    assert denials(users[role], "capability").filter(object_id="record_consultations").exists()


def test_a_missing_consultation_looks_like_a_forbidden_one(client_for, world, call):
    missing = client_for(world["operator"]).get(reverse("hotline:detail", args=[987654]))
    forbidden = client_for(world["other_site"]).get(reverse("hotline:detail", args=[call.pk]))

    assert missing.status_code == forbidden.status_code == 404


def test_the_page_names_the_case_and_referrals_by_reference_and_status_only(client_for, world, call, ngo_x, office):
    case = Case.objects.create(reference="CT-2026-00007", programme="CT", office=office, owner=world["manager"],
                               opened_on=timezone.localdate(), channel="hotline", summary="Secret summary")
    referral = Referral.objects.create(
        reference="REF-2026-00003", kind=ReferralKind.PERSON, organisation=ngo_x, programme="ICC",
        office=world["spb"], status="sent", reason="Secret reason",
    )
    call.case = case
    call.save()
    call.referrals.add(referral)

    content = client_for(world["operator"]).get(reverse("hotline:detail", args=[call.pk])).content.decode()

    assert "CT-2026-00007" in content
    assert "REF-2026-00003" in content
    assert "Sent" in content
    assert "Secret summary" not in content
    assert "Secret reason" not in content


# --- Correcting -------------------------------------------------------------------------------
def test_the_recording_operator_corrects_a_call_with_the_same_form(client_for, world, call):
    client = client_for(world["operator"])
    page = client.get(reverse("hotline:edit", args=[call.pk]))
    form = page.context["form"]
    assert form.initial["country"] == "Uzbekistan (UZ)"
    assert form.initial["nationality"] == "other"

    data = form_post(world, outcome="referred", opened=form.initial["opened"])
    data["started_at"] = timezone.localtime(call.started_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("hotline:edit", args=[call.pk]), data)

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.outcome == "referred"


def test_a_colleague_cannot_correct_a_call_they_did_not_log(client_for, world, call):
    response = client_for(world["colleague"]).post(
        reverse("hotline:edit", args=[call.pk]), form_post(world, outcome="other", opened="x"),
    )

    assert response.status_code == 404
    call.refresh_from_db()
    assert call.outcome == "informed"


def test_a_correction_over_someone_elses_newer_save_is_refused_and_shown(client_for, world, call):
    client = client_for(world["operator"])
    opened = client.get(reverse("hotline:edit", args=[call.pk])).context["form"].initial["opened"]
    services.update_consultation(world["manager"], call, {"duration_minutes": 25})

    data = form_post(world, duration_minutes="9", opened=opened)
    response = client.post(reverse("hotline:edit", args=[call.pk]), data)

    assert response.status_code == 200
    assert "Someone else saved this consultation" in response.content.decode()
    call.refresh_from_db()
    assert call.duration_minutes == 25
    assert response.context["form"].initial["duration_minutes"] == 25


# --- The list ---------------------------------------------------------------------------------
@pytest.fixture
def calls(world):
    now = timezone.now()
    made = {
        "today_call": call_data(world),
        "walk_in_police": call_data(world, channel="walk_in", topics=[world["topics"]["police"]], outcome="referred"),
        "last_week": call_data(world, started_at=now - datetime.timedelta(days=7)),
        "moscow": call_data(world, site=world["moscow"]),
    }
    return {
        key: services.record_consultation(world["other_site"] if key == "moscow" else world["operator"], data)
        for key, data in made.items()
    }


def listed(client, **params) -> set[int]:
    response = client.get(reverse("hotline:consultations"), params)
    assert response.status_code == 200
    return {c.pk for c in response.context["page"].object_list}


def test_the_list_holds_the_calls_of_the_site(client_for, world, calls):
    client = client_for(world["colleague"])

    assert listed(client) == {calls[k].pk for k in ("today_call", "walk_in_police", "last_week")}


def test_the_list_filters_by_date_channel_outcome_and_topic(client_for, world, calls):
    client = client_for(world["operator"])
    today = timezone.localdate().isoformat()

    assert listed(client, date_from=today) == {calls["today_call"].pk, calls["walk_in_police"].pk}
    assert listed(client, date_to=(timezone.localdate() - datetime.timedelta(days=1)).isoformat()) == {
        calls["last_week"].pk}
    assert listed(client, channel="walk_in") == {calls["walk_in_police"].pk}
    assert listed(client, outcome="referred") == {calls["walk_in_police"].pk}
    assert listed(client, topic=world["topics"]["police"].pk) == {calls["walk_in_police"].pk}


def test_the_hotline_manager_lists_and_filters_every_site(client_for, world, calls):
    client = client_for(world["manager"])

    assert listed(client) == {c.pk for c in calls.values()}
    assert listed(client, site=world["moscow"].pk) == {calls["moscow"].pk}


def test_the_list_is_paged(client_for, world):
    for _ in range(30):
        services.record_consultation(world["operator"], call_data(world))
    client = client_for(world["operator"])

    first = client.get(reverse("hotline:consultations"))
    second = client.get(reverse("hotline:consultations"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_the_list_never_shows_the_answer(client_for, world, calls):
    content = client_for(world["operator"]).get(reverse("hotline:consultations")).content.decode()

    assert "patent" not in content
