"""The data protection officer reads and filters the trail; nobody else can open it."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from waypoint.accounts.models import Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.audit.services import record

MOSCOW = ZoneInfo("Europe/Moscow")  # the office's TIME_ZONE: the page's dates are local dates


def record_at(moment: datetime, action=Action.VIEW, **fields) -> AuditEvent:
    with mock.patch("waypoint.audit.services.timezone.now", return_value=moment):
        return record(action, **fields)


@pytest.fixture
def dpo(users):
    return users[Role.DATA_PROTECTION_OFFICER]


@pytest.fixture
def trail_for(dpo, client_for):
    client = client_for(dpo)

    def listed(**filters):
        response = client.get(reverse("audit:trail"), filters)
        assert response.status_code == 200
        return response, {event.pk for event in response.context["page"].object_list}

    return listed


@pytest.mark.django_db
def test_the_trail_filters_by_user(users, trail_for):
    worker, trainer = users[Role.CASE_WORKER], users[Role.TRAINER]
    mine = [record(Action.VIEW, actor=worker, object_type="cases.case", object_id=str(n)) for n in range(2)]
    record(Action.VIEW, actor=trainer, object_type="cases.case", object_id="1")
    record(Action.LOGIN_FAILED, object_type="accounts.user", username="case_worker_b")

    _response, listed = trail_for(user="CASE_WORKER")

    assert listed == {event.pk for event in mine}


@pytest.mark.django_db
def test_the_trail_filters_by_action(users, trail_for):
    worker = users[Role.CASE_WORKER]
    exported = record(Action.EXPORT, actor=worker, object_type="cases.case", object_id="1")
    record(Action.VIEW, actor=worker, object_type="cases.case", object_id="1")
    record(Action.UPDATE, actor=worker, object_type="cases.case", object_id="1")

    _response, listed = trail_for(action=Action.EXPORT.value)

    assert listed == {exported.pk}


@pytest.mark.django_db
def test_the_trail_filters_by_object_type_and_id(users, trail_for):
    worker = users[Role.CASE_WORKER]
    seven = [
        record(Action.VIEW, actor=worker, object_type="partners.organisation", object_id="7"),
        record(Action.UPDATE, actor=worker, object_type="partners.organisation", object_id="7"),
    ]
    eight = record(Action.VIEW, actor=worker, object_type="partners.organisation", object_id="8")
    record(Action.VIEW, actor=worker, object_type="cases.case", object_id="7")
    seventy_seven = record(Action.VIEW, actor=worker, object_type="partners.organisation", object_id="77")

    _response, of_type = trail_for(object_type="Partners.Organisation")
    _response, of_object = trail_for(object_type="partners.organisation", object_id="7")

    assert of_type == {*(event.pk for event in seven), eight.pk, seventy_seven.pk}
    assert of_object == {event.pk for event in seven}


@pytest.mark.django_db
def test_the_trail_filters_by_local_date_range(trail_for):
    def dated(*args):
        return record_at(datetime(*args, tzinfo=MOSCOW), object_type="test.dated")

    ninth_noon = dated(2024, 3, 9, 12, 0)
    tenth_early = dated(2024, 3, 10, 0, 30)  # still 9 March in UTC
    tenth_late = dated(2024, 3, 10, 23, 30)
    eleventh_early = dated(2024, 3, 11, 0, 30)  # still 10 March in UTC
    twelfth = dated(2024, 3, 12, 9, 0)

    _response, one_day = trail_for(object_type="test.dated", date_from="2024-03-10", date_to="2024-03-10")
    _response, span = trail_for(object_type="test.dated", date_from="2024-03-10", date_to="2024-03-11")
    _response, until = trail_for(object_type="test.dated", date_to="2024-03-09")
    _response, since = trail_for(object_type="test.dated", date_from="2024-03-11")

    assert one_day == {tenth_early.pk, tenth_late.pk}
    assert span == {tenth_early.pk, tenth_late.pk, eleventh_early.pk}
    assert until == {ninth_noon.pk}
    assert since == {eleventh_early.pk, twelfth.pk}


@pytest.mark.django_db
def test_filters_combine(users, trail_for):
    worker, trainer = users[Role.CASE_WORKER], users[Role.TRAINER]
    wanted = record(Action.EXPORT, actor=worker, object_type="cases.case", object_id="3")
    record(Action.EXPORT, actor=trainer, object_type="cases.case", object_id="3")
    record(Action.VIEW, actor=worker, object_type="cases.case", object_id="3")
    record(Action.EXPORT, actor=worker, object_type="cases.case", object_id="4")

    _response, listed = trail_for(user=worker.username, action="export", object_type="cases.case", object_id="3")

    assert listed == {wanted.pk}


@pytest.mark.django_db
def test_a_range_ending_before_it_starts_is_refused_on_the_to_field_and_lists_nothing(trail_for):
    record_at(datetime(2024, 3, 10, 12, 0, tzinfo=MOSCOW), object_type="test.dated")
    record_at(datetime(2024, 3, 11, 12, 0, tzinfo=MOSCOW), object_type="test.dated")

    response, listed = trail_for(date_from="2024-03-11", date_to="2024-03-10")

    assert listed == set()
    assert response.context["page"].paginator.count == 0
    form = response.context["form"]
    assert list(form.errors) == ["date_to"]
    assert form.errors["date_to"] == ["The end date is before the start date."]
    html = response.content.decode()
    assert 'id="id_date_to_error"' in html
    assert "The end date is before the start date." in html
    assert "No events match these filters." in html


@pytest.mark.django_db
def test_without_filters_the_trail_lists_every_earlier_event_newest_first(users, trail_for):
    record(Action.VIEW, actor=users[Role.CASE_WORKER], object_type="cases.case", object_id="1")
    earlier = list(AuditEvent.objects.order_by("-id").values_list("pk", flat=True))

    response, _listed = trail_for()

    page = response.context["page"]
    assert [event.pk for event in page.object_list] == earlier
    assert page.paginator.count == len(earlier)
    assert f"{len(earlier)} events" in response.content.decode()


@pytest.mark.django_db
def test_the_last_page_ends_with_the_oldest_event(users, trail_for):
    worker = users[Role.CASE_WORKER]
    for n in range(51):
        record(Action.VIEW, actor=worker, object_type="cases.case", object_id=str(n))
    oldest_first = list(AuditEvent.objects.order_by("id").values_list("pk", flat=True))
    assert len(oldest_first) == 52  # with the officer's sign-in

    response, listed = trail_for(page="2")

    assert response.context["page"].number == 2
    assert [event.pk for event in response.context["page"].object_list] == oldest_first[1::-1]
    assert listed == set(oldest_first[:2])


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in Role if role != Role.DATA_PROTECTION_OFFICER])
def test_other_roles_get_not_found_and_the_refusal_is_audited(users, client_for, role):
    user = users[role]

    response = client_for(user).get(reverse("audit:trail"))

    assert response.status_code == 404
    denial = AuditEvent.objects.get(action=Action.DENY)
    assert denial.actor_id == user.pk
    assert (denial.object_type, denial.object_id) == ("capability", "view_audit_trail")
    assert not AuditEvent.objects.filter(object_type="audit.trail").exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("audit:trail"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(object_type="audit.trail").exists()


@pytest.mark.django_db
def test_viewing_the_trail_is_itself_audited(dpo, client_for):
    client = client_for(dpo)

    response = client.get(reverse("audit:trail"), {"action": "export"}, REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 200
    viewed = AuditEvent.objects.latest("id")
    assert viewed.action == Action.VIEW
    assert viewed.object_type == "audit.trail"
    assert viewed.actor_id == dpo.pk
    assert viewed.actor_username == dpo.username
    assert viewed.ip_address == "192.0.2.44"
