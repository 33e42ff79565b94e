"""The programme's demo data: realistic volumes in every state, loaded once, counted as the statistics count."""

import io

from waypoint.accounts.models import Programme, Role
from waypoint.cases.models import Case, StatusChange
from waypoint.livelihoods import demo, statistics
from waypoint.livelihoods.models import Enterprise, FollowUpVisit, GrantItem, ItemType, Settlement
from waypoint.livelihoods.workflow import DAP_WORKFLOW, items_within_grant


def test_the_demo_loads_every_state_once(make_user):
    make_user(Role.CASE_WORKER, "livelihoods", programmes=[Programme.DIRECT_ASSISTANCE])
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # idempotent
    cases = Case.objects.filter(programme=Programme.DIRECT_ASSISTANCE)
    assert (Settlement.objects.count(), Enterprise.objects.count()) == (6, 60)
    assert 65 <= cases.count() <= 75
    assert {state.code for state in DAP_WORKFLOW.states} == set(cases.values_list("status", flat=True))
    assert 150 <= GrantItem.objects.count() <= 220
    assert set(GrantItem.objects.values_list("item_type", flat=True)) == set(ItemType.values)
    assert FollowUpVisit.objects.filter(jobs_created__gt=0).exists()
    for case in cases.filter(status__in=("procured", "handed_over", "follow_up", "closed")):
        assert items_within_grant(case) == [], case.reference
    for case in cases:  # steps never go back in time
        days = list(StatusChange.objects.filter(case=case).order_by("at", "pk").values_list("on", flat=True))
        assert days == sorted(days), case.reference
    whole = statistics.compute(cases.order_by("opened_on").first().opened_on, cases.last().opened_on.today())
    assert whole.total.handed_over == cases.filter(status__in=("handed_over", "follow_up", "closed")).count()
