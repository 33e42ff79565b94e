"""The return demo: the pilot's 85 returnees and the 30 Chechen families, consistent with the workflow and the
budget, loaded once, quickly."""

import io

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from waypoint.accounts import demo as accounts_demo
from waypoint.accounts.models import Programme
from waypoint.cases.models import Case, Movement, StatusChange
from waypoint.health.clearance import clearance_problems
from waypoint.partners import demo as partners_demo
from waypoint.returns import demo, workflow
from waypoint.returns.documents import document_problems
from waypoint.returns.models import Instalment, MonitoringVisit, ReintegrationPlan, ReturnProfile, Screening

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_pilot_and_the_chechen_families_once():
    partners_demo.load(io.StringIO())
    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO())
    pilot = Screening.objects.filter(project__name=demo.PILOT)
    returned = pilot.filter(case__status_changes__action="depart")
    assert Case.objects.filter(pk__in=returned.values("case")).aggregate(n=Count("members"))["n"] == 85
    families = Case.objects.filter(return_screenings__project__name=demo.CHECHNYA).annotate(n=Count("members"))
    assert families.count() == 30
    assert all(3 <= family.n <= 6 for family in families)
    assert set(pilot.values_list("nationality", flat=True)) >= {"GH", "AF", "NG", "ET", "PK", "GE"}
    assert set(ReturnProfile.objects.values_list("category", flat=True)) == {
        "contract_student", "labour_migrant", "transit_migrant", "asylum_seeker"}
    for plan in ReintegrationPlan.objects.all():
        assert (Instalment.objects.filter(plan=plan).aggregate(s=Sum("amount"))["s"] or 0) <= plan.budget
    assert MonitoringVisit.objects.filter(composite_score__isnull=False).exists()
    for movement in Movement.objects.filter(case__programme=Programme.RETURN).prefetch_related("travellers")[:20]:
        travellers = list(movement.travellers.all())
        day = movement.departs_at.date()
        assert document_problems(movement.case, travellers, day) == []
        assert clearance_problems(travellers, day) == []
        assert len(travellers) == movement.case.members.count()
    departures = StatusChange.objects.filter(case__programme=Programme.RETURN, action="depart")
    assert departures.aggregate(n=Sum("individuals"))["n"] == Case.objects.filter(
        pk__in=departures.values("case")).aggregate(n=Count("members"))["n"]
    before = Case.objects.count()
    demo.load(io.StringIO())
    assert Case.objects.count() == before


GUARDED = {  # what the workflow's guards ask of a case that reached the stage
    "screened": (workflow.eligible_screening,),
    "counselled": (workflow.eligible_screening, workflow.complete_questionnaire),
    "documents": (workflow.eligible_screening, workflow.complete_questionnaire),
    "booked": (workflow.eligible_screening, workflow.complete_questionnaire, workflow.documents_ready,
               workflow.journey_booked, workflow.medically_cleared),
}


def test_the_pilot_has_cases_in_every_early_stage_each_passing_its_guards_and_screenings_found_ineligible():
    partners_demo.load(io.StringIO())
    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO())
    pilot = Case.objects.filter(programme=Programme.RETURN).exclude(return_screenings__project__name=demo.CHECHNYA)
    by_status = {row["status"]: row["n"] for row in pilot.values("status").annotate(n=Count("id", distinct=True))}
    for stage in ("requested", "screened", "counselled", "documents", "booked"):
        assert 3 <= by_status.get(stage, 0) <= 6, (stage, by_status)
    for stage, guards in GUARDED.items():
        for case in Case.objects.filter(programme=Programme.RETURN, status=stage):
            assert [reason for guard in guards for reason in guard(case)] == [], (stage, case.reference)
    documents = Case.objects.filter(programme=Programme.RETURN, status="documents")
    assert documents.filter(travel_documents__status="requested").exists()
    assert documents.filter(travel_documents__status="issued").exists()
    booked = Movement.objects.filter(case__programme=Programme.RETURN, status="booked")
    assert booked.count() == by_status["booked"]
    ineligible = Screening.objects.filter(project__name=demo.PILOT, eligible=False)
    assert ineligible.count() >= 4
    assert {code for s in ineligible for code in (r["code"] for r in s.reasons)} >= {"group", "status"}
    for screening in ineligible:
        assert screening.case.status == "withdrawn"
        assert screening.case.closure_reason == "not_eligible"
        assert screening.case.status_changes.filter(action="withdraw", on=screening.case.closed_on).exists()
    closed = MonitoringVisit.objects.filter(case__closed_on__isnull=False, done_on__isnull=True,
                                            due_on__lt=timezone.localdate())
    assert not closed.exists()  # a closed case shows no visit overdue on its page
