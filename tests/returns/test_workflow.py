"""A return case from screening to monitoring through the services, with every refusal the issue names: an
ineligible person, a questionnaire with missing answers, booking without documents or medical clearance, departing
before the journey, arriving without a reception, an instalment above the budget. Nothing refused is saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.returns.conftest import COMPLETE, book, clear, issue_documents, members, step, to_counselled
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import movements
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import MemberRole, MovementStatus, StatusChange
from waypoint.returns import eligibility, monitoring, questionnaire, reintegration
from waypoint.returns.models import (
    Answer,
    Category,
    Instalment,
    MonitoringVisit,
    Question,
    ReturnProfile,
    TravelDocument,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_the_pilot_excludes_cis_oecd_and_eu_nationals_and_names_every_reason(worker, pilot, open_return):
    case = open_return("Nurlan", nationality="KZ")
    screening = eligibility.screen(worker, case, project=pilot, nationality="KZ", migration_status="regular",
                                   destination_country="KZ", vulnerabilities=[])
    assert not screening.eligible
    reasons = eligibility.reasons_in_words(screening)
    assert any("Kazakhstan" in r and "CIS" in r for r in reasons)
    assert any("Regular stay" in r for r in reasons)
    assert any("vulnerable" in r for r in reasons)
    with pytest.raises(ValidationError) as refused:
        step(worker, case, "confirm_eligible")
    assert "not eligible" in str(refused.value)
    assert AuditEvent.objects.filter(action=Action.DENY, changes__refused="transition:confirm_eligible").exists()
    case.refresh_from_db()
    assert case.status == "requested"
    # Georgia left the CIS: a Georgian in irregular stay, vulnerable, is eligible.
    georgian = open_return("Giorgi", nationality="GE")
    assert eligibility.screen(worker, georgian, project=pilot, nationality="GE", migration_status="irregular_stay",
                              destination_country="GE", vulnerabilities=["no_documents"]).eligible
    step(worker, georgian, "confirm_eligible")


def test_a_rule_changed_in_the_back_office_changes_the_next_screening(worker, pilot, open_return):
    case = open_return()
    facts = {"nationality": "GH", "migration_status": "irregular_stay", "destination_country": "GH",
             "vulnerabilities": ["no_documents"]}
    assert eligibility.screen(worker, case, project=pilot, **facts).eligible
    pilot.excluded_countries = ["GH"]
    pilot.save()
    again = eligibility.screen(worker, case, project=pilot, **facts)
    assert not again.eligible
    assert eligibility.latest(case) == again
    assert case.return_screenings.count() == 2  # the first decision is kept for the statistics


def test_a_questionnaire_with_missing_answers_names_each_one_and_saves_nothing(worker, open_return):
    case = open_return()
    partial = {key: value for key, value in COMPLETE.items() if key not in ("entry", "months_in_russia")}
    with pytest.raises(ValidationError) as refused:
        questionnaire.record_answers(worker, case, partial, version=0)
    errors = refused.value.message_dict
    assert set(errors) == {"entry", "months_in_russia"}
    assert "How did you enter the Russian Federation?" in errors["entry"][0]
    assert not Answer.objects.filter(case=case).exists()
    assert not ReturnProfile.objects.filter(case=case).exists()
    profile = questionnaire.record_answers(worker, case, COMPLETE, version=0)
    assert profile.category == Category.CONTRACT_STUDENT
    assert Answer.objects.filter(case=case).count() == len(COMPLETE)
    with pytest.raises(ConflictError):  # a form opened before the first save is stale now
        questionnaire.record_answers(worker, case, COMPLETE, version=0)


def test_the_category_is_the_most_voted_and_a_tie_goes_to_the_earliest_question(db):
    purpose, entry, difficulty = (Question.objects.get(code=code) for code in ("purpose", "entry", "main_difficulty"))

    def option(question, code):
        return question, question.options.get(code=code)

    assert questionnaire.derive_category([option(purpose, "work"), option(entry, "transit_visa"),
                                          option(difficulty, "stuck")]) == Category.TRANSIT_MIGRANT
    assert questionnaire.derive_category([option(purpose, "asylum"), option(entry, "work_visa"),
                                          option(difficulty, "documents")]) == Category.ASYLUM_SEEKER
    assert questionnaire.derive_category([option(purpose, "family"), option(difficulty, "health")]) == ""


def test_counselling_needs_an_eligible_screening_and_a_complete_questionnaire(worker, pilot, open_return):
    case = open_return()
    eligibility.screen(worker, case, project=pilot, nationality="GH", migration_status="expired_visa",
                       destination_country="GH", vulnerabilities=["serious_illness"])
    step(worker, case, "confirm_eligible")
    with pytest.raises(ValidationError, match="Answer the profiling questionnaire first"):
        step(worker, case, "counsel")
    questionnaire.record_answers(worker, case, COMPLETE, version=0)
    Question.objects.create(code="new_required", text_en="A new required question", text_ru="Новый вопрос",
                            kind="text", order=99)
    with pytest.raises(ValidationError, match="A new required question"):
        step(worker, case, "counsel")
    Question.objects.filter(code="new_required").update(active=False)
    with pytest.raises(ValidationError, match="cannot be in the future"):  # a dated step says on which day
        step(worker, case, "counsel", on=TODAY() + datetime.timedelta(days=1))
    step(worker, case, "counsel", on=TODAY())
    assert StatusChange.objects.get(case=case, action="counsel").on == TODAY()


def test_booking_needs_documents_and_medical_clearance_for_every_traveller(worker, pilot, open_return, embassy):
    family = open_return("Kofi", family=(MemberRole.SPOUSE, MemberRole.CHILD))
    to_counselled(worker, family, pilot)
    with pytest.raises(ValidationError) as refused:
        book(worker, family)
    reasons = " ".join(refused.value.message_dict["status"])
    for someone in members(family):
        assert f"{someone.reference} has no issued travel document" in reasons
        assert f"{someone.reference} has no medical clearance" in reasons
    issue_documents(worker, family, embassy)
    clear(family)
    # The documents expired yesterday: still refused, naming the date.
    TravelDocument.objects.filter(case=family).update(valid_until=TODAY() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="travel document is valid until"):
        book(worker, family)
    TravelDocument.objects.filter(case=family).update(valid_until=TODAY() + datetime.timedelta(days=60))
    journey = book(worker, family)
    assert journey.status == MovementStatus.BOOKED
    step(worker, family, "book_travel")


def test_from_booking_to_monitoring_each_step_waits_for_its_fact(worker, pilot, open_return, embassy, partner):
    case = open_return("Ama", family=(MemberRole.CHILD,))
    to_counselled(worker, case, pilot)
    with pytest.raises(ValidationError, match="Book the international journey"):
        step(worker, case, "book_travel")
    issue_documents(worker, case, embassy)
    clear(case)
    journey = book(worker, case)
    step(worker, case, "book_travel")
    with pytest.raises(ValidationError, match="not under way yet"):
        step(worker, case, "depart")
    movements.set_movement_status(worker, journey, MovementStatus.IN_TRANSIT, version=journey.version)
    step(worker, case, "depart")
    assert StatusChange.objects.get(case=case, action="depart").individuals == 2
    with pytest.raises(ValidationError, match="Record the reception"):
        step(worker, case, "arrive")
    reintegration.record_reception(worker, case, organisation=partner, received_on=TODAY(), note="Met at Kotoka")
    assert [v.months_after for v in MonitoringVisit.objects.filter(case=case)] == [3, 6, 12]
    assert MonitoringVisit.objects.get(case=case, months_after=3).due_on == monitoring.add_months(TODAY(), 3)
    step(worker, case, "arrive")
    with pytest.raises(ValidationError, match="Make the reintegration plan"):
        step(worker, case, "start_reintegration")
    reintegration.save_plan(worker, case, version=0, budget="2000.00", currency="EUR", partner=partner,
                            economic=True, social=False, psychosocial=True)
    step(worker, case, "start_reintegration")
    step(worker, case, "start_monitoring")
    with pytest.raises(ValidationError):  # withdrawing is possible only until departure
        step(worker, case, "withdraw", closure_reason="changed_mind")


def test_an_instalment_above_the_budget_is_refused_with_what_remains(worker, open_return, partner):
    case = open_return()
    with pytest.raises(ValidationError, match="Make the reintegration plan"):
        reintegration.add_instalment(worker, case, amount="10", paid_on=TODAY(), purchased="Seeds")
    plan = reintegration.save_plan(worker, case, version=0, budget="1500.00", currency="EUR", partner=None,
                                   economic=True, social=False, psychosocial=False)
    reintegration.add_instalment(worker, case, amount="1000.00", paid_on=TODAY(), purchased="A sewing machine")
    with pytest.raises(ValidationError) as refused:
        reintegration.add_instalment(worker, case, amount="600.00", paid_on=TODAY(), purchased="Fabric")
    message = refused.value.message_dict["amount"][0]
    assert "600.00 EUR" in message
    assert "500.00 EUR remains" in message
    assert Instalment.objects.filter(plan=plan).count() == 1
    assert AuditEvent.objects.filter(action=Action.DENY, changes__refused="instalment").exists()
    reintegration.add_instalment(worker, case, amount="500.00", paid_on=TODAY(), purchased="Fabric")
    assert reintegration.remaining(plan) == Decimal("0")
    with pytest.raises(ValidationError, match="already paid"):
        reintegration.save_plan(worker, case, version=plan.version, budget="1000", currency="EUR", partner=None,
                                economic=True, social=False, psychosocial=False)
    with pytest.raises(ConflictError):
        reintegration.save_plan(worker, case, version=plan.version - 1, budget="3000", currency="EUR", partner=None,
                                economic=True, social=False, psychosocial=False)


def test_the_sustainability_scores_follow_the_documented_formula(worker, open_return, partner):
    answers = {"econ_satisfaction": 5, "econ_food": 3, "soc_housing": 1, "psy_network": 4, "psy_stay": 2}
    result = monitoring.scores(answers)
    assert result["economic"] == Decimal("0.750")  # (1 + 0.5) / 2
    assert result["social"] == Decimal("0.000")
    assert result["psychosocial"] == Decimal("0.500")  # (0.75 + 0.25) / 2
    assert result["composite"] == Decimal("0.417")  # (0.75 + 0 + 0.5) / 3
    assert monitoring.scores({"econ_food": 5})["composite"] is None
    case = open_return()
    reintegration.record_reception(worker, case, organisation=partner, received_on=TODAY())
    visit = MonitoringVisit.objects.filter(case=case).first()
    with pytest.raises(ValidationError) as refused:
        monitoring.record_visit(worker, visit, version=visit.version, done_on=TODAY(), answers={"econ_food": "4"})
    assert {"soc_housing", "psy_network"} <= set(refused.value.message_dict)
    saved = monitoring.record_visit(worker, visit, version=visit.version, done_on=TODAY(),
                                    answers={k: str(v) for k, v in answers.items()})
    assert saved.composite_score == Decimal("0.417")
    assert saved.answers == answers


def test_the_monitoring_months_come_from_the_settings(settings):
    """An office tunes them with WAYPOINT_RETURN_MONITORING_MONTHS (settings read it from the environment)."""
    from waypoint.returns import monitoring

    assert monitoring.months() == (3, 6, 12)
    settings.WAYPOINT_RETURN_MONITORING_MONTHS = (1, 4)
    assert monitoring.months() == (1, 4)
