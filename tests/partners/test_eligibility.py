"""Would a service take a person: the reasons a worker reads, and the short "who is accepted" line."""

import datetime

import pytest
from django.utils import timezone, translation

from waypoint.partners.eligibility import accepts, accepts_label, refusal_reasons
from waypoint.partners.models import ExploitationType, Service, ServiceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(ngo_x):
    """A women's shelter for adult victims of sexual or labour exploitation, with two free beds."""
    return Service.objects.create(
        organization=ngo_x, name="Shelter for women", accepts_sexes=["F"], minimum_age=18,
        accepts_exploitation_types=[ExploitationType.SEXUAL, ExploitationType.LABOUR],
        capacity=12, available=2,
    )


@pytest.fixture
def open_service(ngo_x):
    return Service.objects.create(organization=ngo_x, name="Legal advice")


# --- Who is accepted ------------------------------------------------------------------------
def test_a_service_without_conditions_takes_anyone(open_service):
    assert refusal_reasons(open_service, sex="M", age=70, nationality="NG", exploitation_type="organs") == []
    assert accepts(open_service, sex="F", age=3)


def test_a_woman_who_fits_every_condition_is_accepted(shelter):
    assert refusal_reasons(shelter, sex="F", age=24, nationality="UZ", exploitation_type="sexual") == []


def test_a_man_is_refused_by_a_shelter_for_women(shelter):
    with translation.override("en"):
        reasons = refusal_reasons(shelter, sex="M", age=30)

    assert reasons == ["Accepts only: Female."]


def test_sex_codes_are_read_in_either_case(shelter):
    assert refusal_reasons(shelter, sex="f") == []
    assert len(refusal_reasons(shelter, sex="m")) == 1


def test_a_person_of_other_sex_is_refused_where_only_women_are_taken(shelter):
    assert len(refusal_reasons(shelter, sex="X")) == 1


@pytest.mark.parametrize(("age", "refused"), [(17, True), (18, False), (45, False), (0, True)])
def test_the_minimum_age_counts_the_birthday_itself(shelter, age, refused):
    with translation.override("en"):
        reasons = refusal_reasons(shelter, age=age)

    assert (reasons == ["Accepts only people aged 18+."]) is refused
    assert bool(reasons) is refused


@pytest.mark.parametrize(("age", "refused"), [(0, False), (17, False), (18, True)])
def test_a_childrens_shelter_takes_only_under_eighteens(ngo_x, age, refused):
    children = Service.objects.create(organization=ngo_x, name="Children's shelter", minimum_age=0, maximum_age=17)

    with translation.override("en"):
        reasons = refusal_reasons(children, age=age)

    assert bool(reasons) is refused
    if refused:
        assert reasons == ["Accepts only people aged 0\N{EN DASH}17."]


def test_a_nationality_not_listed_is_refused_and_the_accepted_ones_are_named(ngo_x):
    consulate = Service.objects.create(organization=ngo_x, name="Consular help", accepts_nationalities=["TJ", "UZ"])

    with translation.override("en"):
        refused = refusal_reasons(consulate, nationality="KG")

    assert refused == ["Accepts only citizens of: Tajikistan, Uzbekistan."]
    assert refusal_reasons(consulate, nationality="tj") == []


def test_a_form_of_exploitation_not_listed_is_refused(shelter):
    with translation.override("en"):
        reasons = refusal_reasons(shelter, exploitation_type=ExploitationType.BEGGING)

    assert reasons == ["Accepts only victims of: sexual exploitation, forced labour."]
    assert refusal_reasons(shelter, exploitation_type="labour") == []


def test_what_is_not_known_about_the_person_never_refuses(shelter):
    assert refusal_reasons(shelter) == []
    assert refusal_reasons(shelter, sex="", age=None, nationality="", exploitation_type="") == []


def test_every_reason_is_given_at_once(shelter):
    reasons = refusal_reasons(shelter, sex="M", age=12, exploitation_type="begging")

    assert len(reasons) == 3


def test_reasons_name_countries_in_the_users_language(ngo_x):
    consulate = Service.objects.create(organization=ngo_x, name="Consular help", accepts_nationalities=["TJ"])

    with translation.override("ru"):
        [reason] = refusal_reasons(consulate, nationality="UZ")

    assert "Таджикистан" in reason


# --- Whether the service takes anyone now -------------------------------------------------
def test_no_free_places_refuses_everyone_and_says_since_when(shelter):
    shelter.available = 0
    shelter.availability_updated_at = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 30))
    shelter.save()

    with translation.override("en"):
        reasons = refusal_reasons(shelter, sex="F", age=30)

    assert len(reasons) == 1
    assert reasons[0].startswith("No free places (as of ")
    assert "2026" in reasons[0]


def test_no_free_places_without_a_date_still_refuses(shelter):
    shelter.available = 0
    shelter.save()

    with translation.override("en"):
        assert refusal_reasons(shelter) == ["No free places."]


def test_untracked_availability_does_not_refuse(ngo_x):
    """Capacity without a current count: the directory does not know, so it does not refuse."""
    service = Service.objects.create(organization=ngo_x, name="Day centre", capacity=30, available=None)

    assert refusal_reasons(service) == []


def test_a_service_not_accepting_referrals_refuses(shelter):
    shelter.accepting_referrals = False
    shelter.save()

    with translation.override("en"):
        assert refusal_reasons(shelter, sex="F") == ["The service is not accepting referrals now."]


@pytest.mark.parametrize("status", [ServiceStatus.INACTIVE, ServiceStatus.DEFUNCT, ServiceStatus.TEMPORARILY_CLOSED])
def test_a_service_that_is_not_active_refuses(shelter, status):
    shelter.status = status
    shelter.save()

    with translation.override("en"):
        reasons = refusal_reasons(shelter)

    assert reasons == [f"The service is not active ({status.label})."]


def test_a_service_of_an_organisation_no_longer_active_refuses(shelter, ngo_x):
    ngo_x.is_active = False
    ngo_x.save()
    shelter.refresh_from_db()

    with translation.override("en"):
        assert refusal_reasons(shelter) == ["The organisation is no longer an active partner."]


def test_closed_and_personal_reasons_add_up(shelter):
    shelter.accepting_referrals = False
    shelter.available = 0
    shelter.save()

    assert len(refusal_reasons(shelter, sex="M")) == 3


def test_malformed_acceptance_lists_count_as_anyone(ngo_x):
    """A list edited by hand into something that is not a list must not lock everyone out."""
    service = Service.objects.create(organization=ngo_x, name="Odd", accepts_sexes="F", accepts_nationalities={"a": 1})

    assert refusal_reasons(service, sex="M", nationality="RU") == []


# --- The short line -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({}, "Anyone"),
        ({"accepts_sexes": ["F"], "minimum_age": 18, "accepts_exploitation_types": ["sexual"]},
         "Women, 18+, victims of sexual exploitation"),
        ({"minimum_age": 0, "maximum_age": 17}, "Children, 0\N{EN DASH}17"),
        ({"accepts_sexes": ["F"], "maximum_age": 17}, "Girls, up to 17"),
        ({"accepts_sexes": ["M"]}, "Men"),
        ({"accepts_sexes": ["M", "F"]}, "Women and men"),
        ({"accepts_sexes": ["F", "M", "X"]}, "Anyone"),
        ({"accepts_nationalities": ["UZ"]}, "Citizens of Uzbekistan"),
        ({"accepts_exploitation_types": ["labour", "domestic"]}, "Victims of forced labour, domestic servitude"),
    ],
)
def test_the_accepts_line_sums_up_who_is_taken(ngo_x, fields, label):
    service = Service(organization=ngo_x, name="S", **fields)

    with translation.override("en"):
        assert accepts_label(service) == label


def test_the_accepts_line_is_in_the_users_language(ngo_x):
    service = Service(organization=ngo_x, name="S", accepts_nationalities=["UZ"])

    with translation.override("ru"):
        assert "Узбекистан" in accepts_label(service)
