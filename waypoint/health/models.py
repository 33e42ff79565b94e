"""Migration health: assessments and medical examinations of case members.

An assessment belongs to a case of any programme (a resettling family's examination, a returnee's fitness to
travel, a labour migrant's TB screening) and names the member examined. Its results are health data: read only
by the migration health unit (`policy.VIEW_HEALTH_DATA`), each read audited. What other programmes need to
know is the clearance alone (cleared or not, valid until when), answered by `health.clearance`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waypoint.core.fields import EncryptedTextField


class AssessmentType(models.TextChoices):
    RESETTLEMENT = "resettlement", _("Immigration medical examination (resettlement)")
    FITNESS_TO_TRAVEL = "fitness_to_travel", _("Fitness to travel (pre-departure)")
    TB_SCREENING = "tb_screening", _("TB screening")
    HIV_TESTING = "hiv_testing", _("HIV counselling and testing")
    GENERAL = "general", _("General health assessment")


# The examinations whose outcome says whether the person may travel.
CLEARANCE_TYPES = (AssessmentType.RESETTLEMENT, AssessmentType.FITNESS_TO_TRAVEL)


class AssessmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Clearance(models.TextChoices):
    PENDING = "pending", _("Pending")
    CLEARED = "cleared", _("Cleared to travel")
    CLEARED_WITH_ESCORT = "cleared_escort", _("Cleared to travel with a medical escort")
    DEFERRED = "deferred", _("Deferred (treatment first)")
    NOT_CLEARED = "not_cleared", _("Not cleared")


# The outcomes that let a person travel (until `valid_until`).
CLEARED = (Clearance.CLEARED, Clearance.CLEARED_WITH_ESCORT)


class TBResult(models.TextChoices):
    NOT_DONE = "not_done", _("Not screened")
    NEGATIVE = "negative", _("No sign of TB")
    LATENT = "latent", _("Latent TB infection")
    PRESUMPTIVE = "presumptive", _("Presumptive TB (referred for diagnosis)")
    ACTIVE = "active", _("Active TB confirmed")


class HealthAssessment(models.Model):
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="health_assessments")
    person = models.ForeignKey("people.Person", verbose_name=_("person examined"), on_delete=models.PROTECT,
                               related_name="health_assessments")
    assessment_type = models.CharField(_("type"), max_length=20, choices=AssessmentType.choices)
    status = models.CharField(_("status"), max_length=10, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.REQUESTED)
    requested_on = models.DateField(_("requested on"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("date of the assessment"), null=True, blank=True)
    clinic = models.ForeignKey("partners.Organisation", verbose_name=_("clinic"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="health_assessments")
    results = EncryptedTextField(_("results"), blank=True)
    clearance = models.CharField(_("clearance"), max_length=15, choices=Clearance.choices,
                                 default=Clearance.PENDING)
    valid_until = models.DateField(_("clearance valid until"), null=True, blank=True)
    tb_result = models.CharField(_("TB screening result"), max_length=12, choices=TBResult.choices,
                                 default=TBResult.NOT_DONE)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_note = EncryptedTextField(pgettext_lazy("medical", "follow-up"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # The migration health case opened to follow the person up (treatment, referral): its referrals are the
    # referrals to treatment, and the follow-up stays open until that case is closed.
    follow_up_case = models.ForeignKey("cases.Case", verbose_name=_("follow-up case"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="followed_assessments")
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("health assessment")
        verbose_name_plural = _("health assessments")
        indexes = [models.Index(fields=["person", "status"]), models.Index(fields=["assessed_on"])]

    def __str__(self) -> str:
        return f"{self.case} {self.get_assessment_type_display()}"
