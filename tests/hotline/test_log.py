"""The entry form for a live call: what it opens with, what it saves, what it refuses (naming the field)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.hotline.log_world import call_data, form_post, make_world
from waypoint.audit.models import Action, AuditEvent
from waypoint.hotline import services
from waypoint.hotline.forms import resolve_country
from waypoint.hotline.models import Consultation, FollowUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, make_user, office):
    return make_world(users, make_user, office)


@pytest.fixture
def operator_client(world, client_for):
    return client_for(world["operator"])


def test_the_form_opens_ready_for_a_call(operator_client, world):
    response = operator_client.get(reverse("hotline:log"))

    assert response.status_code == 200
    form = response.context["form"]
    started = form.initial["started_at"]
    assert abs(started - timezone.now()) < datetime.timedelta(minutes=1)
    assert form.initial["channel"] == "call"
    assert form.initial["outcome"] == "informed"
    assert form.initial["site"] == world["spb"].pk
    assert form.fields["site"].widget.is_hidden  # an operator has one site: nothing to choose
    content = response.content.decode()
    # Callers are anonymous by default: "not known" is what is ticked.
    assert re.search(r'<input type="radio" name="caller_sex" value="" [^>]*checked', content)
    assert re.search(r'<input type="radio" name="nationality" value="" [^>]*checked', content)
    assert 'id="call-timer"' in content
    assert "hotline/entry.js" in content
    assert "Work permits" in content
    assert "Registration (old)" not in content  # a retired topic is not offered
    assert "TV spot 2019" not in content


def test_the_topics_are_in_the_readers_language(operator_client):
    operator_client.post(reverse("accounts:set_language"), {"language": "ru", "next": "/hotline/"})

    content = operator_client.get(reverse("hotline:log")).content.decode()

    assert "Разрешения на работу" in content
    assert "Листовка на узбекском" in content


def test_save_and_next_call_logs_the_call_and_opens_a_fresh_form(operator_client, world):
    response = operator_client.post(reverse("hotline:new"), form_post(world))

    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hotline/?saved={consultation.pk}"
    assert consultation.operator == world["operator"]
    assert consultation.caller_nationality == "UZ"
    assert consultation.caller_type == "labour_migrant"
    assert consultation.duration_minutes == 4
    assert consultation.heard_from == world["materials"]["leaflet-uz"]

    page = operator_client.get(response["Location"])
    content = page.content.decode()
    assert "Saved." in content
    assert f'href="/hotline/{consultation.pk}/"' in content
    assert not page.context["form"].is_bound
    assert 'class="just-saved"' in content


def test_save_and_open_goes_to_the_consultation(operator_client, world):
    data = form_post(world)
    del data["save_and_next"]
    data["save_and_open"] = "1"

    response = operator_client.post(reverse("hotline:new"), data)

    assert response["Location"] == reverse("hotline:detail", args=[Consultation.objects.get().pk])


@pytest.mark.parametrize(
    ("nationality", "country", "code"),
    [
        ("RU", "", "RU"),
        ("", "", ""),
        ("other", "UZ", "UZ"),
        ("other", "Узбекистан", "UZ"),
        ("other", "tajik", "TJ"),
        ("other", "Kyrgyzstan (KG)", "KG"),
        ("", "Молдова", "MD"),  # typed though "not known" is ticked: it is known
    ],
)
def test_nationality_is_one_key_or_a_typed_country(operator_client, world, nationality, country, code):
    operator_client.post(reverse("hotline:new"), form_post(world, nationality=nationality, country=country))

    assert Consultation.objects.get().caller_nationality == code


@pytest.mark.parametrize(
    ("text", "code"),
    [("uz", "UZ"), ("UZB", "UZ"), ("Uzbek", "UZ"), ("узбек", "UZ"), ("Russia", "RU"), ("Россия", "RU"),
     ("Viet Nam", "VN"), ("Vietnam", "VN"), ("Korea", None), ("Atlantis", None), ("", None)],
)
def test_a_country_is_recognised_by_code_or_name_in_english_or_russian(text, code):
    assert resolve_country(text) == code


def test_an_unknown_country_is_named_and_nothing_is_saved(operator_client, world):
    response = operator_client.post(reverse("hotline:new"), form_post(world, country="Atlantis"))

    assert response.status_code == 200
    assert not Consultation.objects.exists()
    assert response.context["form"].errors["country"] == [
        "“Atlantis” is not a country we know: type its ISO code (for example UZ) or its name."
    ]


@pytest.mark.parametrize(
    ("field", "label", "message"),
    [
        ("caller_type", "Caller", "Choose who the caller is."),
        ("topics", "Topics", "Choose at least one topic."),
        ("outcome", "Outcome", "Choose the outcome."),
        ("channel", "Channel", "Choose the channel."),
        ("started_at", "Started at", "Enter when the consultation started."),
        ("duration_minutes", "Duration (minutes)", "Enter the duration in minutes."),
    ],
)
def test_a_missing_required_field_is_named_in_the_summary_and_nothing_is_saved(
    operator_client, world, field, label, message,
):
    response = operator_client.post(reverse("hotline:new"), form_post(world, **{field: None}))

    assert response.status_code == 200
    assert not Consultation.objects.exists()
    content = response.content.decode()
    assert "Nothing was saved." in content
    assert f"{label}</a>: {message}" in content.replace("&#x27;", "'")


@pytest.mark.parametrize(("minutes", "message"), [
    ("601", "The duration must be a whole number of minutes from 0 to 600."),
    ("-3", "The duration must be a whole number of minutes from 0 to 600."),
    ("ten", "Enter the duration as a whole number of minutes."),
])
def test_a_wrong_duration_is_refused(operator_client, world, minutes, message):
    response = operator_client.post(reverse("hotline:new"), form_post(world, duration_minutes=minutes))

    assert response.context["form"].errors["duration_minutes"] == [message]
    assert not Consultation.objects.exists()


def test_a_start_in_the_future_is_refused(operator_client, world):
    later = timezone.localtime() + datetime.timedelta(hours=1)

    data = form_post(world, started_at=later.strftime("%Y-%m-%dT%H:%M"))
    response = operator_client.post(reverse("hotline:new"), data)

    assert response.context["form"].errors["started_at"] == ["The start time is in the future."]
    assert not Consultation.objects.exists()


def test_an_operator_cannot_log_for_another_site(operator_client, world):
    response = operator_client.post(reverse("hotline:new"), form_post(world, site=str(world["moscow"].pk)))

    assert not Consultation.objects.exists()
    assert "You may log consultations only for your own site." in response.content.decode()


def test_the_hotline_manager_picks_the_site(client_for, world):
    client = client_for(world["manager"])
    page = client.get(reverse("hotline:log"))
    assert not page.context["form"].fields["site"].widget.is_hidden
    assert {office.code for office in page.context["form"].fields["site"].queryset} == {"icc-spb", "icc-moscow"}

    client.post(reverse("hotline:new"), form_post(world, site=str(world["moscow"].pk)))

    assert Consultation.objects.get().site == world["moscow"]


def test_needs_call_back_adds_a_follow_up_in_the_same_submit(operator_client, world):
    due = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    operator_client.post(reverse("hotline:new"), form_post(
        world, needs_call_back="on", follow_up_due_at=due, follow_up_action="Call back about the patent",
        follow_up_contact="+7 921 000-11-22",
    ))

    follow_up = FollowUp.objects.get()
    assert follow_up.consultation == Consultation.objects.get()
    assert follow_up.action == "Call back about the patent"
    assert follow_up.contact == "+7 921 000-11-22"


def test_follow_up_fields_are_ignored_unless_a_call_back_is_needed(operator_client, world):
    operator_client.post(reverse("hotline:new"), form_post(world, follow_up_due_at="garbage", follow_up_action="x"))

    assert Consultation.objects.count() == 1
    assert not FollowUp.objects.exists()


def test_a_call_back_outcome_asks_for_the_follow_up(operator_client, world):
    response = operator_client.post(reverse("hotline:new"), form_post(world, outcome="call_back"))

    errors = response.context["form"].errors
    assert errors["follow_up_action"] == [
        "Say what is to be done (for example: call back with the address of a shelter)."
    ]
    assert not Consultation.objects.exists()


def test_five_calls_in_a_row(operator_client, world):
    for number in range(5):
        response = operator_client.post(reverse("hotline:new"), form_post(world, duration_minutes=str(number + 1)))
        assert response.status_code == 302

    assert sorted(Consultation.objects.values_list("duration_minutes", flat=True)) == [1, 2, 3, 4, 5]
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="hotline.consultation").count() == 5


def test_the_latest_calls_are_those_of_the_operators_site(operator_client, world):
    mine = services.record_consultation(world["colleague"], call_data(world))
    services.record_consultation(world["other_site"], call_data(world, site=world["moscow"], duration_minutes=33))

    response = operator_client.get(reverse("hotline:log"))

    assert [c.pk for c in response.context["recent"]] == [mine.pk]


def test_an_operator_without_a_site_is_told_why_there_is_no_form(client_for, make_user):
    lonely = make_user("hotline_operator", "lonely", office=None)

    response = client_for(lonely).get(reverse("hotline:log"))

    assert response.status_code == 200
    assert "You are not assigned to a consultation site" in response.content.decode()
    assert 'id="call-form"' not in response.content.decode()
