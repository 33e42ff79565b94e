"""The counter-trafficking profile: every rule it follows, stale edits, who may reach it, its trafficking
events, and its panel on the case page in the user's language."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import panels
from waypoint.cases.casework import open_case
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import CaseEvent, Channel
from waypoint.people import services as people_services
from waypoint.people.models import BirthDatePrecision
from waypoint.protection import htcds, services
from waypoint.protection.models import TraffickingEvent, TraffickingProfile

CT = Programme.COUNTER_TRAFFICKING
TODAY = timezone.localdate()


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(since: int, action: str | None = None):
    events = AuditEvent.objects.filter(pk__gt=since)
    return events.filter(action=action) if action else events


@pytest.fixture
def victim(users):
    """A woman of exactly 30 (born on 1 January thirty years ago), registered in CT by the case worker."""
    return people_services.register(users["case_worker"], {
        "family_name": "Соколова", "given_name": "Анна", "sex": "F",
        "birth_date": datetime.date(TODAY.year - 30, 1, 1), "citizenships": ["RU"],
    }, programme=CT)


@pytest.fixture
def ct_case(users, victim):
    return open_case(users["case_worker"], programme=CT, principal=victim, owner=users["case_worker"],
                     channel=Channel.DIPLOMATIC)


@pytest.fixture
def return_case(users):
    """A case of the return programme, owned by the second case worker."""
    worker = users["case_worker_b"]
    person = people_services.register(worker, {"family_name": "Рахимов", "given_name": "Фарход", "sex": "M"},
                                      programme=Programme.RETURN)
    return open_case(worker, programme=Programme.RETURN, principal=person, owner=worker, channel=Channel.SELF)


def save(user, case, version=0, **fields):
    return services.update_profile(user, case, version=version, **fields)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Creating and saving --------------------------------------------------------------------------
def test_the_first_save_creates_the_profile_from_version_zero(users, ct_case):
    since = last_event_id()

    profile = save(users["case_worker"], ct_case, 0, exploitation_types=["ForcedLabour"],
                   forced_labour_industry="F", control_methods=["DebtBondage", "WithholdsDocuments"])

    assert profile.version == 1
    assert profile.case == ct_case
    assert profile.exploitation_types == ["ForcedLabour"]
    assert profile.updated_by == users["case_worker"]
    created = events_since(since, Action.CREATE).get(object_type="protection.traffickingprofile")
    assert created.changes["case"] == [None, ct_case.reference]
    assert created.changes["forced_labour_industry"] == ["", "F"]  # against a new profile's defaults
    line = CaseEvent.objects.get(case=ct_case, kind="profile")
    for words in ("Forced labour", "Construction", "Debt bondage"):
        assert words in line.summary


def test_a_second_save_bumps_the_version_and_keeps_fields_not_given(users, ct_case):
    first = save(users["case_worker"], ct_case, 0, exploitation_types=["SexualExploitation"],
                 sexual_exploitation_type="Prostitution")

    second = save(users["case_worker"], ct_case, first.version, age_when_trafficked=19)

    assert second.version == 2
    assert second.sexual_exploitation_type == "Prostitution"
    assert TraffickingProfile.objects.get(case=ct_case).age_when_trafficked == 19


def test_saving_nothing_new_writes_nothing(users, ct_case):
    profile = save(users["case_worker"], ct_case, 0, age_when_trafficked=20)
    since = last_event_id()

    again = save(users["case_worker"], ct_case, profile.version, age_when_trafficked=20)

    assert again.version == profile.version
    assert not events_since(since).exists()


def test_unknown_fields_are_a_programming_error(users, ct_case):
    with pytest.raises(TypeError):
        save(users["case_worker"], ct_case, 0, victim_name="x")


# --- Stale edits -----------------------------------------------------------------------------------
def test_a_stale_version_is_a_conflict_and_nothing_is_written(users, ct_case):
    profile = save(users["case_worker"], ct_case, 0, age_when_trafficked=20)
    save(users["programme_manager"], ct_case, profile.version, age_when_trafficked=21)  # someone else saves
    lines = CaseEvent.objects.filter(case=ct_case).count()
    since = last_event_id()

    with pytest.raises(ConflictError) as excinfo:
        save(users["case_worker"], ct_case, profile.version, age_when_trafficked=25, exploitation_types=["Other"])

    saved = TraffickingProfile.objects.get(case=ct_case)
    assert excinfo.value.current.pk == saved.pk
    assert (saved.age_when_trafficked, saved.exploitation_types, saved.version) == (21, [], 2)
    assert CaseEvent.objects.filter(case=ct_case).count() == lines
    refusal = events_since(since).get()
    assert refusal.action == Action.DENY
    assert refusal.changes == {"refused": "profile_update", "reasons": ["stale_version"]}


def test_a_form_opened_before_the_profile_existed_conflicts_with_the_first_save(users, ct_case):
    save(users["programme_manager"], ct_case, 0, age_when_trafficked=21)

    with pytest.raises(ConflictError):
        save(users["case_worker"], ct_case, 0, age_when_trafficked=25)

    assert TraffickingProfile.objects.get(case=ct_case).age_when_trafficked == 21


def test_a_version_for_a_profile_that_does_not_exist_is_a_conflict(users, ct_case):
    with pytest.raises(ConflictError):
        save(users["case_worker"], ct_case, 3, age_when_trafficked=25)

    assert not TraffickingProfile.objects.filter(case=ct_case).exists()


# --- Every rule ----------------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["recruitment_methods", "control_methods", "exploitation_types"])
def test_multi_value_lists_take_known_codes_only(users, ct_case, field):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, **{field: ["Other", "Kidnapping"]})

    assert "Kidnapping" in errors_of(excinfo)[field][0]
    assert not TraffickingProfile.objects.filter(case=ct_case).exists()


def test_a_code_chosen_twice_is_refused_by_its_label(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, control_methods=["DebtBondage", "FalsePromises", "DebtBondage"])

    assert errors_of(excinfo)["control_methods"] == ["Methods of control: Debt bondage is chosen more than once."]


def test_other_is_a_valid_choice_in_every_list(users, ct_case):
    profile = save(users["case_worker"], ct_case, 0, recruitment_methods=["Other"], control_methods=["Other"],
                   exploitation_types=["Other"])

    assert profile.recruitment_methods == profile.control_methods == profile.exploitation_types == ["Other"]


def test_a_list_must_be_a_list_of_codes(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, exploitation_types="ForcedLabour")

    assert "exploitation_types" in errors_of(excinfo)


@pytest.mark.parametrize("field", ["trafficking_status", "status_decided_by", "relationship_to_trafficker",
                                   "forced_labour_industry", "sexual_exploitation_type", "identified_where",
                                   "proceedings", "participation"])
def test_single_value_fields_take_known_codes_only(users, ct_case, field):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, **{field: "Z9"})

    assert field in errors_of(excinfo)


@pytest.mark.parametrize("field", ["trafficking_status", "proceedings", "participation"])
def test_status_proceedings_and_participation_cannot_be_empty(users, ct_case, field):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, **{field: ""})

    assert field in errors_of(excinfo)


@pytest.mark.parametrize("age", [-1, 101])
def test_age_when_trafficked_is_between_0_and_100(users, ct_case, age):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, age_when_trafficked=age)

    assert errors_of(excinfo)["age_when_trafficked"] == ["Age when trafficked must be between 0 and 100."]


def test_age_when_trafficked_is_a_whole_number(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, age_when_trafficked="nineteen")

    assert "age_when_trafficked" in errors_of(excinfo)


def test_age_when_trafficked_cannot_pass_the_persons_age_today(users, ct_case, victim):
    assert save(users["case_worker"], ct_case, 0, age_when_trafficked=30).age_when_trafficked == 30

    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 1, age_when_trafficked=31)

    message = errors_of(excinfo)["age_when_trafficked"][0]
    assert message == f"Age when trafficked (31) is more than {victim.reference}'s age today (30)."


def test_with_only_a_year_of_birth_the_oldest_possible_age_is_allowed(users, ct_case, victim):
    victim.birth_date, victim.birth_date_precision = datetime.date(TODAY.year - 30, 1, 1), BirthDatePrecision.YEAR
    victim.save()

    assert services.current_age(victim, datetime.date(TODAY.year, 12, 31)) == 30
    with pytest.raises(ValidationError):
        save(users["case_worker"], ct_case, 0, age_when_trafficked=31)


def test_without_a_birth_date_any_age_up_to_100_is_allowed(users, ct_case, victim):
    victim.birth_date, victim.birth_date_precision = None, ""
    victim.save()

    assert save(users["case_worker"], ct_case, 0, age_when_trafficked=64).age_when_trafficked == 64


def test_exact_age_counts_the_birthday(victim):
    victim.birth_date = datetime.date(2000, 6, 15)

    assert services.current_age(victim, datetime.date(2026, 6, 14)) == 25
    assert services.current_age(victim, datetime.date(2026, 6, 15)) == 26


def test_the_industry_needs_forced_or_child_labour(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, exploitation_types=["SexualExploitation"], forced_labour_industry="F")

    assert "forced_labour_industry" in errors_of(excinfo)
    assert save(users["case_worker"], ct_case, 0, exploitation_types=["ChildLabour"],
                forced_labour_industry="A").forced_labour_industry == "A"


def test_removing_forced_labour_while_an_industry_is_saved_is_refused(users, ct_case):
    profile = save(users["case_worker"], ct_case, 0, exploitation_types=["ForcedLabour"], forced_labour_industry="T")

    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, profile.version, exploitation_types=["ForcedBegging"])

    assert "forced_labour_industry" in errors_of(excinfo)
    assert TraffickingProfile.objects.get(case=ct_case).exploitation_types == ["ForcedLabour"]


def test_the_type_of_sexual_exploitation_needs_sexual_exploitation(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, exploitation_types=["ForcedLabour"],
             sexual_exploitation_type="Pornography")

    assert "sexual_exploitation_type" in errors_of(excinfo)


@pytest.mark.parametrize("status", [htcds.TraffickingStatus.ACTUAL, htcds.TraffickingStatus.NOT_A_VICTIM])
def test_a_decided_status_says_who_decided_it(users, ct_case, status):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, trafficking_status=status)

    assert str(status.label) in errors_of(excinfo)["status_decided_by"][0]
    assert save(users["case_worker"], ct_case, 0, trafficking_status=status,
                status_decided_by="Police").status_decided_by == "Police"


def test_a_possible_victim_needs_no_decision(users, ct_case):
    assert save(users["case_worker"], ct_case, 0, trafficking_status="PossibleVictimOfTrafficking").version == 1


def test_participation_needs_proceedings(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, participation="witness")

    assert "participation" in errors_of(excinfo)
    profile = save(users["case_worker"], ct_case, 0, proceedings="opened", participation="witness")
    assert (profile.proceedings, profile.participation) == ("opened", "witness")


def test_declining_to_take_part_also_needs_proceedings(users, ct_case):
    with pytest.raises(ValidationError):
        save(users["case_worker"], ct_case, 0, participation="declined")


def test_the_grant_is_not_negative(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, reintegration_grant=Decimal("-1"), grant_currency="RUB")

    assert errors_of(excinfo)["reintegration_grant"] == ["The reintegration grant cannot be negative."]


def test_the_grant_has_a_currency(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, reintegration_grant=Decimal("15000"), grant_currency="")

    assert "grant_currency" in errors_of(excinfo)


def test_the_currency_is_an_iso_code(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, reintegration_grant=Decimal("100"), grant_currency="RUR")

    assert "grant_currency" in errors_of(excinfo)
    profile = save(users["case_worker"], ct_case, 0, reintegration_grant=Decimal("450.50"), grant_currency="usd")
    assert (profile.reintegration_grant, profile.grant_currency) == (Decimal("450.50"), "USD")


@pytest.mark.parametrize("amount", ["lots", "NaN", "Infinity"])
def test_the_grant_is_an_amount(users, ct_case, amount):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, reintegration_grant=amount, grant_currency="RUB")

    assert errors_of(excinfo)["reintegration_grant"] == ["Reintegration grant: give an amount, e.g. 15000.00."]


def test_the_grant_fits_its_column(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, reintegration_grant=Decimal("10.001"), grant_currency="RUB")

    assert "reintegration_grant" in errors_of(excinfo)


def test_every_error_is_reported_at_once_and_nothing_is_saved(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker"], ct_case, 0, trafficking_status="ActualVictimOfTrafficking",
             age_when_trafficked=120, participation="witness", sexual_exploitation_type="Prostitution")

    assert set(errors_of(excinfo)) == {"status_decided_by", "age_when_trafficked", "participation",
                                       "sexual_exploitation_type"}
    assert not TraffickingProfile.objects.filter(case=ct_case).exists()
    assert not CaseEvent.objects.filter(case=ct_case, kind="profile").exists()


# --- Audit and timeline --------------------------------------------------------------------------
def test_the_audit_names_changed_fields_and_hides_the_plan(users, ct_case):
    profile = save(users["case_worker"], ct_case, 0, age_when_trafficked=20)
    since = last_event_id()

    save(users["case_worker"], ct_case, profile.version, reintegration_plan="Vocational course in Tver, then a job.",
         repatriation_needed=True)

    event = events_since(since, Action.UPDATE).get()
    assert event.changes == {"reintegration_plan": None, "repatriation_needed": ["False", "True"]}
    assert "Tver" not in str(event.changes)


def test_the_timeline_says_what_changed_in_words_but_not_the_plan(users, ct_case):
    profile = save(users["case_worker"], ct_case, 0)

    save(users["case_worker"], ct_case, profile.version, trafficking_status="ActualVictimOfTrafficking",
         status_decided_by="CourtOrProsecution", reintegration_plan="Vocational course in Tver.")

    line = CaseEvent.objects.filter(case=ct_case, kind="profile").order_by("-pk").first()
    assert line.actor == users["case_worker"]
    assert "Victim of trafficking" in line.summary
    assert "Court or prosecution" in line.summary
    assert "Reintegration plan changed" in line.summary
    assert "Tver" not in line.summary


# --- Who may, and which cases ------------------------------------------------------------------
def test_a_user_outside_the_case_gets_404_and_the_denial_is_audited(users, ct_case):
    since = last_event_id()

    with pytest.raises(Http404):
        save(users["case_worker_b"], ct_case, 0, age_when_trafficked=20)

    assert events_since(since, Action.DENY).filter(object_type="cases.case", object_id=str(ct_case.pk)).exists()
    assert not TraffickingProfile.objects.filter(case=ct_case).exists()


def test_the_programme_manager_of_ct_may_edit(users, ct_case):
    assert save(users["programme_manager"], ct_case, 0, age_when_trafficked=20).updated_by == users["programme_manager"]


def test_a_case_of_another_programme_has_no_profile(users, return_case):
    since = last_event_id()

    with pytest.raises(ValidationError) as excinfo:
        save(users["case_worker_b"], return_case, 0, age_when_trafficked=20)

    assert "not a counter-trafficking case" in excinfo.value.messages[0]
    assert events_since(since, Action.DENY).get().changes["reasons"] == ["not_counter_trafficking"]
    assert not TraffickingProfile.objects.exists()
    with pytest.raises(ValidationError):
        services.add_event(users["case_worker_b"], return_case, event_type="Recruitment", country="TJ")


# --- Trafficking events -------------------------------------------------------------------------
def test_an_event_is_recorded_with_its_profile_audit_and_timeline(users, ct_case):
    since = last_event_id()

    event = services.add_event(users["case_worker"], ct_case, event_type="Exploitation", country="tr",
                               place="Antalya", started_on=datetime.date(2023, 3, 1),
                               ended_on=datetime.date(2023, 9, 15))

    assert event.country == "TR"
    assert event.profile.case == ct_case  # the profile was started for it
    created = events_since(since, Action.CREATE).get(object_type="protection.traffickingevent")
    assert created.changes["place"] is None  # the place is kept encrypted, not in the trail
    line = CaseEvent.objects.get(case=ct_case, kind="profile")
    assert line.summary == "Trafficking event recorded: Exploitation in Türkiye (Antalya), 2023-03-01 to 2023-09-15."


def test_an_event_cannot_end_before_it_started(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        services.add_event(users["case_worker"], ct_case, event_type="Transit", country="KZ",
                           started_on=datetime.date(2023, 3, 1), ended_on=datetime.date(2023, 2, 1))

    assert "ended_on" in errors_of(excinfo)
    assert not TraffickingEvent.objects.exists()
    assert not TraffickingProfile.objects.exists()


def test_an_event_on_one_day_is_fine(users, ct_case):
    day = datetime.date(2023, 3, 1)

    assert services.add_event(users["case_worker"], ct_case, event_type="Transit", country="KZ", started_on=day,
                              ended_on=day).pk


@pytest.mark.parametrize("field", ["started_on", "ended_on"])
def test_an_event_is_not_in_the_future(users, ct_case, field):
    with pytest.raises(ValidationError) as excinfo:
        services.add_event(users["case_worker"], ct_case, event_type="Recruitment", country="RU",
                           **{field: TODAY + datetime.timedelta(days=1)})

    assert field in errors_of(excinfo)


@pytest.mark.parametrize("country", ["XX", "RUS", ""])
def test_an_event_country_is_an_iso_alpha_2_code(users, ct_case, country):
    with pytest.raises(ValidationError) as excinfo:
        services.add_event(users["case_worker"], ct_case, event_type="Recruitment", country=country)

    assert "country" in errors_of(excinfo)


def test_an_event_type_is_recruitment_transit_or_exploitation(users, ct_case):
    with pytest.raises(ValidationError) as excinfo:
        services.add_event(users["case_worker"], ct_case, event_type="Rescue", country="RU")

    assert "event_type" in errors_of(excinfo)


def test_removing_an_event(users, ct_case):
    event = services.add_event(users["case_worker"], ct_case, event_type="Recruitment", country="RU", place="Tver")
    since = last_event_id()

    services.remove_event(users["case_worker"], ct_case, event.pk)

    assert not TraffickingEvent.objects.exists()
    assert events_since(since, Action.DELETE).get().object_id == str(event.pk)
    assert CaseEvent.objects.filter(case=ct_case, summary__isnull=False).order_by("-pk").first().summary == (
        "Trafficking event removed: Recruitment in Russian Federation (Tver).")


def test_an_event_of_another_case_cannot_be_removed_through_this_one(users, ct_case, victim):
    other_person = people_services.register(users["case_worker"], {"family_name": "Орлова", "given_name": "Людмила"},
                                            programme=CT)
    other = open_case(users["case_worker"], programme=CT, principal=other_person, owner=users["case_worker"],
                      channel=Channel.NGO)
    event = services.add_event(users["case_worker"], other, event_type="Recruitment", country="RU")

    with pytest.raises(Http404):
        services.remove_event(users["case_worker"], ct_case, event.pk)

    assert TraffickingEvent.objects.filter(pk=event.pk).exists()


def test_outsiders_cannot_add_or_remove_events(users, ct_case):
    event = services.add_event(users["case_worker"], ct_case, event_type="Recruitment", country="RU")

    with pytest.raises(Http404):
        services.add_event(users["case_worker_b"], ct_case, event_type="Transit", country="KZ")
    with pytest.raises(Http404):
        services.remove_event(users["case_worker_b"], ct_case, event.pk)

    assert list(TraffickingEvent.objects.all()) == [event]


def test_events_run_recruitment_transit_exploitation(users, ct_case):
    add = services.add_event
    add(users["case_worker"], ct_case, event_type="Exploitation", country="TR", started_on=datetime.date(2023, 3, 1))
    add(users["case_worker"], ct_case, event_type="Transit", country="GE", started_on=datetime.date(2023, 2, 20))
    add(users["case_worker"], ct_case, event_type="Recruitment", country="RU", started_on=datetime.date(2023, 2, 25))

    ordered = services.events_in_order(TraffickingEvent.objects.all())

    assert [e.event_type for e in ordered] == ["Recruitment", "Transit", "Exploitation"]


# --- The pages --------------------------------------------------------------------------------------
def edit_url(case) -> str:
    return reverse("protection:profile_edit", args=[case.reference])


def form_data(version, **fields):
    data = {"version": version, "trafficking_status": "PossibleVictimOfTrafficking", "proceedings": "none",
            "participation": "none", "grant_currency": "RUB"}
    data.update(fields)
    return data


def test_the_addresses():
    assert edit_url(type("C", (), {"reference": "CT-2026-00042"})) == "/protection/CT-2026-00042/profile/"
    assert reverse("protection:event_add", args=["CT-2026-00042"]) == "/protection/CT-2026-00042/events/new/"
    assert reverse("protection:event_remove", args=["CT-2026-00042", 7]) == "/protection/CT-2026-00042/events/7/remove/"


def test_the_owner_opens_the_form_grouped_as_htcds_groups_it(users, client_for, ct_case):
    response = client_for(users["case_worker"]).get(edit_url(ct_case))

    assert response.status_code == 200
    content = response.content.decode()
    for legend in ("Trafficking status and decision", "Recruitment", "Control", "Exploitation",
                   "Identification, proceedings and reintegration", "Trafficking events"):
        assert legend in content
    assert 'name="version" value="0"' in content
    assert 'type="checkbox" name="control_methods" value="DebtBondage"' in content


@pytest.mark.parametrize("persona", ["case_worker_b", "partner_user", "me_officer", "hotline_operator",
                                     "data_protection_officer", "administrator", "trainer", "learner"])
def test_everyone_outside_the_case_gets_404_audited(users, client_for, ct_case, persona):
    client = client_for(users[persona])
    for method, url in (("get", edit_url(ct_case)), ("post", edit_url(ct_case)),
                        ("post", reverse("protection:event_add", args=[ct_case.reference])),
                        ("post", reverse("protection:event_remove", args=[ct_case.reference, 1]))):
        since = last_event_id()
        response = getattr(client, method)(url, form_data(0) if method == "post" else None)
        assert response.status_code == 404, (persona, url)
        assert events_since(since, Action.DENY).exists(), (persona, url)
    assert not TraffickingProfile.objects.exists()


def test_a_case_of_another_programme_answers_404_audited_even_to_its_owner(users, client_for, return_case):
    client = client_for(users["case_worker_b"])
    for method, url in (("get", edit_url(return_case)), ("post", edit_url(return_case)),
                        ("post", reverse("protection:event_add", args=[return_case.reference]))):
        since = last_event_id()
        assert getattr(client, method)(url, form_data(0) if method == "post" else None).status_code == 404
        assert events_since(since, Action.DENY).filter(object_type="cases.case").exists()


def test_the_form_speaks_russian_when_the_user_does(users, client_for, ct_case):
    client = client_for(users["case_worker"])
    client.post(reverse("accounts:set_language"), {"language": "ru", "next": edit_url(ct_case)})

    content = client.get(edit_url(ct_case)).content.decode()

    assert "Принудительный труд" in content
    assert "Возможная жертва торговли людьми" in content


def test_an_unknown_case_answers_404(users, client_for):
    assert client_for(users["case_worker"]).get("/protection/CT-1999-99999/profile/").status_code == 404


def test_saving_the_form(users, client_for, ct_case):
    response = client_for(users["case_worker"]).post(edit_url(ct_case), form_data(
        0, exploitation_types=["ForcedLabour", "Other"], forced_labour_industry="F", control_methods=["DebtBondage"],
        age_when_trafficked="24", identified_where="abroad", repatriation_needed="on", reintegration_grant="15000",
    ))

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{ct_case.reference}/#profile"
    profile = TraffickingProfile.objects.get(case=ct_case)
    assert profile.exploitation_types == ["ForcedLabour", "Other"]
    assert (profile.age_when_trafficked, profile.identified_where, profile.repatriation_needed) == (24, "abroad", True)
    assert profile.reintegration_grant == Decimal("15000")


def test_a_rule_broken_on_the_form_is_shown_at_its_field(users, client_for, ct_case):
    response = client_for(users["case_worker"]).post(edit_url(ct_case), form_data(
        0, exploitation_types=["SexualExploitation"], forced_labour_industry="C"))

    assert response.status_code == 200
    form = response.context["form"]
    assert "forced_labour_industry" in form.errors
    assert 'value="SexualExploitation" id="id_exploitation_types_1" checked' in response.content.decode()
    assert not TraffickingProfile.objects.exists()


def test_a_stale_form_answers_409_with_the_users_input_kept(users, client_for, ct_case):
    profile = save(users["programme_manager"], ct_case, 0, exploitation_types=["ForcedBegging"], age_when_trafficked=17)

    response = client_for(users["case_worker"]).post(edit_url(ct_case), form_data(
        0, exploitation_types=["Servitude"], age_when_trafficked="18"))

    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else saved this profile while you were editing it. Nothing was saved." in content
    assert "Forced begging" in content  # their saved value, shown beside the user's
    form = response.context["form"]
    assert form["age_when_trafficked"].value() == "18"
    assert form["exploitation_types"].value() == ["Servitude"]
    assert form["version"].value() == str(profile.version)  # saving again, knowingly, keeps the user's input
    saved = TraffickingProfile.objects.get(case=ct_case)
    assert (saved.age_when_trafficked, saved.version) == (17, 1)


def test_adding_and_removing_an_event_through_the_page(users, client_for, ct_case):
    client = client_for(users["case_worker"])
    add = reverse("protection:event_add", args=[ct_case.reference])

    response = client.post(add, {"event-event_type": "Recruitment", "event-country": "UZ", "event-place": "Samarkand",
                                 "event-started_on": "2022-05-01"})

    assert response.status_code == 302
    event = TraffickingEvent.objects.get()
    assert (event.country, event.place, event.started_on) == ("UZ", "Samarkand", datetime.date(2022, 5, 1))
    assert "Samarkand" in client.get(edit_url(ct_case)).content.decode()

    response = client.post(reverse("protection:event_remove", args=[ct_case.reference, event.pk]))

    assert response.status_code == 302
    assert not TraffickingEvent.objects.exists()


def test_a_bad_event_is_refused_with_the_reason_at_its_field(users, client_for, ct_case):
    response = client_for(users["case_worker"]).post(reverse("protection:event_add", args=[ct_case.reference]), {
        "event-event_type": "Exploitation", "event-country": "TR", "event-started_on": "2023-05-01",
        "event-ended_on": "2023-04-01"})

    assert response.status_code == 400
    assert response.context["event_form"].errors["ended_on"] == ["The event cannot end before it started."]
    assert not TraffickingEvent.objects.exists()


def test_event_pages_take_post_only(users, client_for, ct_case):
    client = client_for(users["case_worker"])

    assert client.get(reverse("protection:event_add", args=[ct_case.reference])).status_code == 405


# --- The panel on the case page -------------------------------------------------------------------
def render_panel(user, case) -> str:
    request = RequestFactory().get(f"/cases/{case.reference}/")
    user.is_verified = lambda: True  # past the second factor, as the OTP middleware would say
    request.user = user
    return "".join(panels.render_panels(request, case))


@pytest.fixture
def recorded(users, ct_case):
    save(users["case_worker"], ct_case, 0, exploitation_types=["ForcedLabour"], forced_labour_industry="F",
         control_methods=["DebtBondage"], reintegration_plan="Course in Tver.")
    services.add_event(users["case_worker"], ct_case, event_type="Exploitation", country="TR", place="Antalya",
                       started_on=datetime.date(2023, 3, 1))
    services.add_event(users["case_worker"], ct_case, event_type="Recruitment", country="RU",
                       started_on=datetime.date(2023, 2, 1))
    return ct_case


def test_the_panel_shows_the_profile_in_words_with_the_itinerary(users, recorded):
    html = render_panel(users["case_worker"], recorded)

    assert 'id="profile"' in html
    for words in ("Forced labour", "Construction", "Debt bondage"):
        assert words in html
    assert "ForcedLabour" not in html.replace('step-', '')  # codes are not shown
    assert "Course in Tver." in html
    assert html.index("Russian Federation") < html.index("Türkiye")  # recruitment, then exploitation
    assert edit_url(recorded) in html


def test_the_panel_speaks_russian_when_the_user_does(users, recorded):
    with translation.override("ru"):
        html = render_panel(users["case_worker"], recorded)

    assert "Принудительный труд" in html
    assert "Возможная жертва торговли людьми" in html
    assert "Турция" in html
    assert "Российская Федерация" in html
    assert "Forced labour" not in html


def test_the_panel_invites_to_record_a_missing_profile(users, ct_case):
    html = render_panel(users["programme_manager"], ct_case)

    assert "No trafficking profile recorded yet." in html
    assert edit_url(ct_case) in html


def test_the_panel_is_left_out_for_users_outside_the_case_and_for_other_programmes(users, recorded, return_case):
    assert "Forced labour" not in render_panel(users["case_worker_b"], recorded)
    assert 'id="profile"' not in render_panel(users["case_worker_b"], return_case)


def test_the_panel_is_registered_for_ct_at_order_20():
    panel = next(p for p in panels._PANELS.values() if p.key == "profile")

    assert (panel.order, panel.programmes) == (20, ("CT",))
