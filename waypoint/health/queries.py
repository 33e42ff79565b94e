"""The health unit's working lists, shared by the queue, the dashboard widget and the statistics."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from waypoint.accounts.models import Programme
from waypoint.cases.workflow import workflow_for

from .models import CLEARANCE_TYPES, CLEARED, AssessmentStatus, HealthAssessment

EXPIRY_WINDOW_DAYS = 30


def waiting(queryset: QuerySet[HealthAssessment] | None = None) -> QuerySet[HealthAssessment]:
    """Examinations requested and not yet done nor cancelled."""
    rows = HealthAssessment.objects.all() if queryset is None else queryset
    return rows.filter(status=AssessmentStatus.REQUESTED)


def latest_clearances(queryset: QuerySet[HealthAssessment] | None = None) -> QuerySet[HealthAssessment]:
    """Each person's clearance examination that counts (`clearance.clearance_of`): done, and no later one."""
    rows = HealthAssessment.objects.all() if queryset is None else queryset
    done = HealthAssessment.objects.filter(assessment_type__in=CLEARANCE_TYPES, status=AssessmentStatus.DONE)
    later = done.filter(person=OuterRef("person")).filter(
        Q(assessed_on__gt=OuterRef("assessed_on")) | Q(assessed_on=OuterRef("assessed_on"), id__gt=OuterRef("id")))
    return rows.filter(assessment_type__in=CLEARANCE_TYPES, status=AssessmentStatus.DONE).exclude(Exists(later))


def expiring(today: datetime.date, queryset: QuerySet[HealthAssessment] | None = None,
             days: int = EXPIRY_WINDOW_DAYS) -> QuerySet[HealthAssessment]:
    """Clearances that still hold today and end within `days`: the person needs a new examination soon."""
    return latest_clearances(queryset).filter(
        clearance__in=CLEARED, valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=days))


def open_follow_ups(queryset: QuerySet[HealthAssessment] | None = None) -> QuerySet[HealthAssessment]:
    """Done assessments that need a follow-up, with no follow-up case yet or one still open."""
    rows = HealthAssessment.objects.all() if queryset is None else queryset
    closed = workflow_for(Programme.HEALTH).closed_states()
    return rows.filter(status=AssessmentStatus.DONE, follow_up_needed=True).filter(
        Q(follow_up_case__isnull=True) | ~Q(follow_up_case__status__in=closed))
