"""The cases and referrals of a person, for the "Cases" section of the person page (see `people.related`).

Built on `policy.scope`: a hotline operator who escalated a call sees the referrals they may see, never
the case itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.people.related import Related

from .models import Case, CaseMember, Referral


def cases_and_referrals(user, person) -> Iterable[Related]:
    roles = dict(CaseMember.objects.filter(person=person).values_list("case_id", "role"))
    cases = policy.scope(user, Case.objects.filter(pk__in=list(roles))).order_by("-opened_on", "-id")
    role_labels = dict(CaseMember._meta.get_field("role").choices)
    for case in cases:
        yield Related(
            label=f"{case.reference} · {case.get_programme_display()}",
            url=reverse("cases:detail", args=[case.reference]),
            detail=f"{role_labels.get(roles[case.pk], '')} · {case.get_status_display()}",
        )
    referrals = policy.scope(user, Referral.objects.filter(person=person).select_related("organisation"))
    for referral in referrals.order_by("-created_at"):
        yield Related(
            label=_("Referral %(reference)s to %(organisation)s") % {
                "reference": referral.reference, "organisation": referral.organisation.name},
            url=reverse("referrals:detail", args=[referral.pk]),
            detail=referral.get_status_display(),
        )
