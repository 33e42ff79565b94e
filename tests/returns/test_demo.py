"""The return demo: the pilot's 85 returnees and the 30 Chechen families, consistent with the workflow and the
budget, loaded once, quickly."""

import io

import pytest
from django.db.models import Count, Sum

from waypoint.accounts import demo as accounts_demo
from waypoint.accounts.models import Programme
from waypoint.cases.models import Case, Movement, StatusChange
from waypoint.health.clearance import clearance_problems
from waypoint.partners import demo as partners_demo
from waypoint.returns import demo
from waypoint.returns.documents import document_problems
from waypoint.returns.models import Instalment, MonitoringVisit, ReintegrationPlan, ReturnProfile, Screening

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_pilot_and_the_chechen_families_once():
    partners_demo.load(io.StringIO())
    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO())
    pilot = Screening.objects.filter(project__name=demo.PILOT)
    assert Case.objects.filter(pk__in=pilot.values("case")).aggregate(n=Count("members"))["n"] == 85
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
