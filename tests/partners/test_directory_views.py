"""The directory pages as users meet them: search, filters, an organisation's page for each role, the
service page and the availability update."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases.models import Referral, ReferralStatus
from waypoint.partners import taxonomy
from waypoint.partners.models import (
    Agreement,
    AgreementKind,
    Language,
    Organisation,
    OrganisationType,
    Service,
    ServiceStatus,
)

pytestmark = pytest.mark.django_db


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def service(organisation, name, types=(), languages=(), **fields):
    made = Service.objects.create(organization=organisation, name=name, **fields)
    taxonomy.set_service_types(made, types)
    Language.objects.bulk_create([Language(service=made, code=code) for code in languages])
    return made


@pytest.fixture
def directory(ngo_x, ngo_y):
    """NGO X: a women's shelter in Moscow (Cyrillic names); NGO Y: lawyers in St Petersburg; a migration
    service in Astrakhan; an embassy for Tajik nationals."""
    Organisation.objects.filter(pk=ngo_x.pk).update(
        alternate_name="Ёлочка", description="Помощь женщинам, пострадавшим от торговли людьми",
        city="Moscow", region="Moscow", country="RU")
    Organisation.objects.filter(pk=ngo_y.pk).update(city="St Petersburg", region="St Petersburg", country="RU")
    fms = Organisation.objects.create(
        name="Federal Migration Service, Astrakhan", organisation_type=OrganisationType.GOVERNMENT,
        city="Astrakhan", region="Astrakhan Oblast", country="RU")
    embassy = Organisation.objects.create(
        name="Embassy of Tajikistan", organisation_type=OrganisationType.DIPLOMATIC, city="Moscow",
        region="Moscow", country="RU")
    return {
        "shelter": service(ngo_x, "Приют для женщин", ["shelter"], ["ru", "uz"], accepts_sexes=["F"],
                           minimum_age=18, accepts_exploitation_types=["sexual", "labour"], capacity=10, available=2),
        "lawyers": service(ngo_y, "Legal AID clinic", ["legal_aid"], ["en", "ru"]),
        "permits": service(fms, "Work permits", ["documents_migration"], ["ru", "kk"]),
        "consular": service(embassy, "Consular help", ["documents_migration", "return_assistance"], ["tg"],
                            accepts_nationalities=["TJ"]),
        "fms": fms, "embassy": embassy,
    }


def listed(client, **params) -> list[str]:
    """The organisation names on the directory page for these parameters."""
    response = client.get(reverse("partners:list"), params)
    assert response.status_code == 200
    return re.findall(r'<h3><a href="/partners/[0-9a-f-]+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def worker(users, client_for):
    return client_for(users[Role.CASE_WORKER])


# --- Search ---------------------------------------------------------------------------------
def test_the_directory_lists_every_active_organisation_by_name(worker, directory):
    assert listed(worker) == ["Embassy of Tajikistan", "Federal Migration Service, Astrakhan", "NGO X", "NGO Y"]


@pytest.mark.parametrize("words", ["приют", "ПРИЮТ", "Приют Женщин", "пострадавшим", "елочка", "ЁЛОЧКА"])
def test_cyrillic_search_ignores_case_and_the_letter_yo(worker, directory, words):
    assert listed(worker, q=words) == ["NGO X"]


@pytest.mark.parametrize("words", ["legal aid", "LEGAL", "clinic ngo"])
def test_latin_search_ignores_case_and_reads_service_and_organisation_names(worker, directory, words):
    assert listed(worker, q=words) == ["NGO Y"]


def test_every_word_must_be_found(worker, directory):
    assert listed(worker, q="приют legal") == []
    assert listed(worker, q="permits astrakhan") == ["Federal Migration Service, Astrakhan"]


def test_a_search_shows_the_matching_services_of_an_organisation(worker, directory, ngo_x):
    service(ngo_x, "Горячая линия", ["hotline"])

    content = worker.get(reverse("partners:list"), {"q": "горячая"}).content.decode()

    assert "Горячая линия" in content
    assert "Приют для женщин" not in content


def test_characters_that_mean_something_to_sql_are_searched_as_text(worker, directory):
    assert listed(worker, q="%") == []
    assert listed(worker, q="_") == []


# --- Filters --------------------------------------------------------------------------------
def test_filter_by_organisation_type(worker, directory):
    assert listed(worker, type="diplomatic") == ["Embassy of Tajikistan"]
    assert listed(worker, type="ngo") == ["NGO X", "NGO Y"]


def test_filter_by_region_and_country(worker, directory):
    assert listed(worker, region="Astrakhan Oblast") == ["Federal Migration Service, Astrakhan"]
    assert listed(worker, region="St Petersburg") == ["NGO Y"]
    assert len(listed(worker, country="RU")) == 4


def test_filter_by_service_type(worker, directory):
    assert listed(worker, service_type="shelter") == ["NGO X"]
    assert listed(worker, service_type="documents_migration") == [
        "Embassy of Tajikistan", "Federal Migration Service, Astrakhan"]


def test_filter_by_language_served(worker, directory):
    assert listed(worker, language="uz") == ["NGO X"]
    assert listed(worker, language="tg") == ["Embassy of Tajikistan"]
    assert listed(worker, language="en") == ["NGO Y"]


def test_filter_by_who_is_accepted(worker, directory):
    everyone_but_shelter = ["Embassy of Tajikistan", "Federal Migration Service, Astrakhan", "NGO Y"]
    assert listed(worker, sex="M") == everyone_but_shelter
    assert listed(worker, sex="F") == ["Embassy of Tajikistan", "Federal Migration Service, Astrakhan", "NGO X",
                                       "NGO Y"]
    assert listed(worker, age="16", service_type="shelter") == []
    assert listed(worker, age="30", service_type="shelter") == ["NGO X"]
    assert listed(worker, nationality="UZ") == ["Federal Migration Service, Astrakhan", "NGO X", "NGO Y"]
    assert listed(worker, nationality="TJ", service_type="return_assistance") == ["Embassy of Tajikistan"]
    assert "NGO X" not in listed(worker, exploitation_type="begging")
    assert "NGO X" in listed(worker, exploitation_type="labour", sex="F", age="25")


def test_accepting_now_leaves_out_full_closed_and_not_accepting_services(worker, directory):
    assert "NGO X" in listed(worker, accepting="on")
    Service.objects.filter(pk=directory["shelter"].pk).update(available=0)
    Service.objects.filter(pk=directory["lawyers"].pk).update(accepting_referrals=False)
    Service.objects.filter(pk=directory["permits"].pk).update(status=ServiceStatus.TEMPORARILY_CLOSED)

    assert listed(worker, accepting="on") == ["Embassy of Tajikistan"]


def test_an_unknown_filter_value_is_reported_and_left_out(worker, directory):
    response = worker.get(reverse("partners:list"), {"type": "aliens", "age": "-4"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in content
    assert "Age" in content
    assert len(listed(worker, type="aliens")) == 4


def test_results_show_who_is_accepted_and_free_places(worker, directory):
    content = worker.get(reverse("partners:list"), {"service_type": "shelter"}).content.decode()

    assert "Women, 18+, victims of sexual exploitation, forced labour" in content
    assert "2 of 10 places free" in content
    assert "Shelter" in content


def test_results_are_paged(worker, db):
    for number in range(25):
        Organisation.objects.create(name=f"Org {number:02d}", organisation_type=OrganisationType.NGO)

    first = listed(worker, type="ngo")
    second = listed(worker, type="ngo", page="2")

    assert len(first) == 20
    assert len(second) == 7  # 25 + NGO X + NGO Y
    assert not set(first) & set(second)
    assert "type=ngo&amp;page=2" in worker.get(reverse("partners:list"), {"type": "ngo"}).content.decode()


def test_inactive_organisations_are_not_listed(worker, directory, ngo_y):
    Organisation.objects.filter(pk=ngo_y.pk).update(is_active=False)

    assert "NGO Y" not in listed(worker)
    assert listed(worker, q="legal") == []


def test_only_administrators_see_the_hsds_links_and_everyone_the_printable_directory(users, client_for, directory):
    admin = client_for(users[Role.ADMINISTRATOR]).get(reverse("partners:list")).content.decode()
    partner = client_for(users[Role.PARTNER_USER]).get(reverse("partners:list")).content.decode()

    assert reverse("partners:hsds_import") in admin
    assert reverse("partners:hsds_export") in admin
    assert reverse("partners:hsds_import") not in partner
    assert reverse("partners:hsds_export") not in partner
    for content in (admin, partner):
        assert f'{reverse("partners:directory_pdf")}?language=ru' in content
        assert f'{reverse("partners:directory_pdf")}?language=en' in content


# --- An organisation's page -------------------------------------------------------------------
@pytest.fixture
def history(users, ngo_x, office, directory):
    """Referrals with NGO X: two accepted, one declined, one still unanswered; one made by the case worker."""
    sent = timezone.now() - datetime.timedelta(days=10)
    made = []
    for number, (status, hours) in enumerate([
        (ReferralStatus.ACCEPTED, 2), (ReferralStatus.COMPLETED, 10), (ReferralStatus.DECLINED, 30),
        (ReferralStatus.SENT, None),
    ]):
        made.append(Referral.objects.create(
            reference=f"CT-2026-{number + 1:05d}", organisation=ngo_x, service=directory["shelter"],
            programme=Programme.COUNTER_TRAFFICKING, office=office, status=status, sent_at=sent,
            responded_at=sent + datetime.timedelta(hours=hours) if hours else None,
            created_by=users[Role.CASE_WORKER] if number == 0 else users[Role.PROGRAMME_MANAGER],
            reason="Анна Петрова needs a safe place",
        ))
    return made


def organisation_page(client, organisation) -> str:
    response = client.get(reverse("partners:organisation", args=[organisation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_organisation_page_shows_its_services_and_how_to_reach_it(worker, directory, ngo_x):
    content = organisation_page(worker, ngo_x)

    assert "Приют для женщин" in content
    assert "Women, 18+" in content
    assert "2 of 10 places free" in content
    assert "Russian" in content
    assert "Uzbek" in content


def test_staff_see_agreements_and_the_history_of_referrals(worker, directory, ngo_x, history):
    Agreement.objects.create(organisation=ngo_x, kind=AgreementKind.MOU, title="MoU on referrals",
                             valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2021, 1, 1))

    content = organisation_page(worker, ngo_x)

    assert "MoU on referrals" in content
    assert "Expired" in content
    assert "Referrals with this organisation" in content
    assert "67%" in content  # two accepted of three answered
    assert "10.0 h" in content  # median of 2, 10 and 30 hours
    # The case worker sees the referral they made, by reference only.
    assert "CT-2026-00001" in content
    assert "CT-2026-00002" not in content
    assert "Анна" not in content


def test_a_partner_user_sees_neither_agreements_nor_referral_history(users, client_for, directory, ngo_x, history):
    Agreement.objects.create(organisation=ngo_x, kind=AgreementKind.MOU, title="MoU on referrals")

    content = organisation_page(client_for(users[Role.PARTNER_USER]), ngo_x)

    assert "MoU on referrals" not in content
    assert "Referrals with this organisation" not in content
    assert "CT-2026-00001" not in content


def test_only_administrators_see_the_organisations_users_and_the_edit_link(users, client_for, directory, ngo_x):
    admin = organisation_page(client_for(users[Role.ADMINISTRATOR]), ngo_x)
    worker = organisation_page(client_for(users[Role.CASE_WORKER]), ngo_x)

    partner = users[Role.PARTNER_USER]
    assert "Partner users of this organisation" in admin
    assert partner.username in admin
    assert users["partner_user_y"].username not in admin
    assert reverse("admin:partners_organisation_change", args=[ngo_x.pk]) in admin
    assert "Partner users of this organisation" not in worker
    assert reverse("admin:partners_organisation_change", args=[ngo_x.pk]) not in worker


def test_the_organisation_page_is_closed_to_learners(users, client_for, ngo_x):
    before = last_event_id()

    response = client_for(users[Role.LEARNER]).get(reverse("partners:organisation", args=[ngo_x.pk]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.DENY).exists()


def test_an_unknown_organisation_is_not_found_and_audited(worker, users):
    missing = uuid.uuid4()
    before = last_event_id()

    response = worker.get(reverse("partners:organisation", args=[missing]))

    assert response.status_code == 404
    denial = AuditEvent.objects.get(pk__gt=before, action=Action.DENY)
    assert (denial.object_type, denial.object_id) == ("partners.organisation", str(missing))


def test_an_anonymous_visitor_is_sent_to_sign_in(client, directory, ngo_x):
    for url in (reverse("partners:organisation", args=[ngo_x.pk]),
                reverse("partners:service", args=[directory["shelter"].pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_an_inactive_organisations_page_says_so(worker, ngo_x):
    Organisation.objects.filter(pk=ngo_x.pk).update(is_active=False)

    assert "no longer an active partner" in organisation_page(worker, ngo_x)


# --- The service page -------------------------------------------------------------------------
def test_the_service_page_shows_the_service_and_its_organisation(users, client_for, directory, ngo_x):
    from waypoint.partners.models import Schedule

    Schedule.objects.create(service=directory["shelter"], byday="MO,TU,WE,TH,FR", opens_at=datetime.time(9),
                            closes_at=datetime.time(18))
    for persona in (Role.CASE_WORKER, Role.PARTNER_USER, "partner_user_y", Role.ME_OFFICER):
        response = client_for(users[persona]).get(reverse("partners:service", args=[directory["shelter"].pk]))
        content = response.content.decode()
        assert response.status_code == 200
        assert "Приют для женщин" in content
        assert "NGO X" in content
        assert "Mon\N{EN DASH}Fri 09:00\N{EN DASH}18:00" in content


def test_the_service_page_is_closed_to_learners(users, client_for, directory):
    response = client_for(users[Role.LEARNER]).get(reverse("partners:service", args=[directory["shelter"].pk]))

    assert response.status_code == 404


# --- Availability ---------------------------------------------------------------------------
def update(client, service, **data):
    return client.post(reverse("partners:availability", args=[service.pk]), data)


def test_a_partner_user_updates_their_own_services_availability(users, client_for, directory):
    partner = users[Role.PARTNER_USER]
    shelter = directory["shelter"]
    before = last_event_id()

    response = update(client_for(partner), shelter, available="0", accepting_referrals="")

    assert response.status_code == 302
    shelter.refresh_from_db()
    assert shelter.available == 0
    assert shelter.accepting_referrals is False
    assert timezone.now() - shelter.availability_updated_at < datetime.timedelta(minutes=1)
    event = AuditEvent.objects.get(pk__gt=before, action=Action.UPDATE)
    assert (event.actor_id, event.object_type, event.object_id) == (partner.pk, "partners.service", str(shelter.pk))
    assert event.changes["available"] == ["2", "0"]


def test_the_partner_sees_the_form_only_on_their_own_services(users, client_for, directory, ngo_x, ngo_y):
    own = organisation_page(client_for(users[Role.PARTNER_USER]), ngo_x)
    other = organisation_page(client_for(users[Role.PARTNER_USER]), ngo_y)
    worker = organisation_page(client_for(users[Role.CASE_WORKER]), ngo_x)

    assert reverse("partners:availability", args=[directory["shelter"].pk]) in own
    assert "Update availability" not in other
    assert "Update availability" not in worker


def test_a_partner_user_of_another_organisation_gets_404(users, client_for, directory):
    other = users["partner_user_y"]
    shelter = directory["shelter"]
    before = last_event_id()

    response = update(client_for(other), shelter, available="9", accepting_referrals="on")

    assert response.status_code == 404
    shelter.refresh_from_db()
    assert shelter.available == 2
    denial = AuditEvent.objects.get(pk__gt=before, action=Action.DENY)
    assert (denial.actor_id, denial.object_id) == (other.pk, str(shelter.pk))


@pytest.mark.parametrize("persona", [Role.CASE_WORKER, Role.PROGRAMME_MANAGER, Role.ME_OFFICER, Role.LEARNER])
def test_staff_other_than_administrators_cannot_update_availability(users, client_for, directory, persona):
    response = update(client_for(users[persona]), directory["shelter"], available="9", accepting_referrals="on")

    assert response.status_code == 404
    directory["shelter"].refresh_from_db()
    assert directory["shelter"].available == 2


def test_an_administrator_updates_any_services_availability(users, client_for, directory):
    response = update(client_for(users[Role.ADMINISTRATOR]), directory["lawyers"], available="4",
                      accepting_referrals="on")

    assert response.status_code == 302
    directory["lawyers"].refresh_from_db()
    assert directory["lawyers"].available == 4


def test_more_free_places_than_capacity_is_refused_naming_the_field(users, client_for, directory):
    response = update(client_for(users[Role.PARTNER_USER]), directory["shelter"], available="11",
                      accepting_referrals="on")

    assert response.status_code == 400
    content = response.content.decode()
    assert "Free places now" in content
    assert "10" in content
    directory["shelter"].refresh_from_db()
    assert directory["shelter"].available == 2


def test_availability_returns_to_the_page_it_came_from_but_never_elsewhere(users, client_for, directory, ngo_x):
    client = client_for(users[Role.PARTNER_USER])
    page = reverse("partners:organisation", args=[ngo_x.pk])

    back = client.post(reverse("partners:availability", args=[directory["shelter"].pk]),
                       {"available": "1", "accepting_referrals": "on", "next": page})
    away = client.post(reverse("partners:availability", args=[directory["shelter"].pk]),
                       {"available": "1", "accepting_referrals": "on", "next": "https://evil.example/"})

    assert back["Location"] == page
    assert away["Location"] == reverse("partners:service", args=[directory["shelter"].pk])


def test_availability_is_changed_by_post_only(users, client_for, directory):
    response = client_for(users[Role.PARTNER_USER]).get(reverse("partners:availability",
                                                                args=[directory["shelter"].pk]))

    assert response.status_code == 405


def test_the_directory_page_costs_the_same_few_queries_for_many_organisations(worker, directory,
                                                                             django_assert_max_num_queries):
    """No query per organisation or service: a page of twenty costs what a page of four does."""
    for number in range(30):
        organisation = Organisation.objects.create(name=f"Shelter {number:02d}", organisation_type=OrganisationType.NGO)
        service(organisation, f"Beds {number}", ["shelter"], ["ru"], capacity=5, available=1)

    with django_assert_max_num_queries(20):
        assert len(listed(worker)) == 20
    with django_assert_max_num_queries(20):
        assert len(listed(worker, q="beds", sex="F", service_type="shelter")) == 20


def test_an_organisation_page_costs_a_bounded_number_of_queries(worker, directory, ngo_x,
                                                               django_assert_max_num_queries):
    for number in range(15):
        service(ngo_x, f"Service {number}", ["legal_aid"], ["ru", "en"])

    with django_assert_max_num_queries(30):
        organisation_page(worker, ngo_x)
