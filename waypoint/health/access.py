"""Who reads and changes health assessments.

Results are health data: the migration health unit (case workers and programme managers working in the MH
programme, `policy.VIEW_HEALTH_DATA`) serves every programme, so it sees and records every assessment, whichever
case asked for it. Nobody else reads one, not even the owner of the case (they see the clearance alone,
`health.clearance`). Nobody deletes an assessment: a request made by mistake is cancelled.
"""

from __future__ import annotations

from django.db.models import QuerySet

from waypoint.accounts import policy
from waypoint.accounts.models import User


def assessment_scope(user: User, queryset: QuerySet, action: policy.Action) -> QuerySet:
    if action == "delete" or not policy.may(user, policy.VIEW_HEALTH_DATA):
        return queryset.none()
    return queryset


def reads_health_data(user: User | None) -> bool:
    return policy.may(user, policy.VIEW_HEALTH_DATA)
