"""Resettlement processing on the case core: a family case (principal and members are the case's members) with
its resettlement profile, the clearances checklist per member, presentations to the receiving state's
interviewing officers and their decisions, cultural orientation, the resettlement agency's assurance, and the
office's processing trips to other cities.

Clearances run in parallel and expire (STANDARDS section 6): one row per member and kind, with the day it was
obtained and the day it stops being valid. The medical line of the checklist is migration health's
(`waypoint.health.clearance`), never stored here.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waypoint.core.fields import EncryptedTextField


class Destination(models.TextChoices):
    UNITED_STATES = "US", _("United States")
    CANADA = "CA", _("Canada")
    AUSTRALIA = "AU", _("Australia")


class ResettlementProgramme(models.TextChoices):
    USRAP = "usrap", _("US Refugee Admissions Program (USRAP)")
    CA_GAR = "ca_gar", _("Canada: government-assisted refugees")
    CA_PSR = "ca_psr", _("Canada: privately sponsored refugees")
    CA_BVOR = "ca_bvor", _("Canada: blended visa office-referred")
    AU_REFUGEE = "au_refugee", _("Australia: refugee visa (subclass 200)")
    AU_SHP = "au_shp", _("Australia: special humanitarian programme (subclass 202)")


# Which programmes belong to which receiving state.
PROGRAMMES_OF = {
    Destination.UNITED_STATES: (ResettlementProgramme.USRAP,),
    Destination.CANADA: (ResettlementProgramme.CA_GAR, ResettlementProgramme.CA_PSR, ResettlementProgramme.CA_BVOR),
    Destination.AUSTRALIA: (ResettlementProgramme.AU_REFUGEE, ResettlementProgramme.AU_SHP),
}


class Category(models.TextChoices):
    P1 = "p1", _("P-1: individual referral (UNHCR, embassy or NGO)")
    P2 = "p2", _("P-2: group of special concern (e.g. religious minorities joining relatives)")
    P3 = "p3", _("P-3: family reunification")
    TRANSIT = "transit", _("Stranded in transit")
    SPONSORED = "sponsored", _("Private or community sponsorship")


# Priorities of the US programme only.
US_ONLY_CATEGORIES = (Category.P2, Category.P3)


class ReferralSource(models.TextChoices):
    UNHCR = "unhcr", _("UNHCR")
    EMBASSY = "embassy", _("Embassy of the receiving state")
    NGO = "ngo", _("Non-governmental organisation")
    FAMILY = "family", _("Family reunification (relative in the receiving state)")
    SELF = "self", _("Applied directly")


class ResettlementProfile(models.Model):
    """Where the family resettles, under which programme and category, who referred them, and the receiving
    state's own case number."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="resettlement_profile")
    destination = models.CharField(_("destination country"), max_length=2, choices=Destination.choices)
    resettlement_programme = models.CharField(_("resettlement programme"), max_length=12,
                                              choices=ResettlementProgramme.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    referral_source = models.CharField(_("referral source"), max_length=10, choices=ReferralSource.choices)
    unhcr_reference = models.CharField(_("UNHCR reference"), max_length=40, blank=True)
    referring_organisation = models.ForeignKey(
        "partners.Organisation", verbose_name=_("referring organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="resettlement_referrals")
    relative_name = EncryptedTextField(_("relative's name"), blank=True)
    relative_relationship = models.CharField(_("relationship to the principal"), max_length=40, blank=True)
    relative_location = EncryptedTextField(_("where the relative lives"), blank=True)
    receiving_case_number = models.CharField(_("receiving state's case number"), max_length=40, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("resettlement profile")
        verbose_name_plural = _("resettlement profiles")
        indexes = [models.Index(fields=["destination", "category"])]

    def __str__(self) -> str:
        return f"{self.case} resettlement profile"


class ClearanceKind(models.TextChoices):
    SECURITY = "security", _("Security name check")
    BIOMETRICS = "biometrics", _("Biometrics (fingerprints)")
    EXIT_PERMISSION = "exit_permission", _("Exit permission")


class ClearanceStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CLEARED = "cleared", _("Cleared")
    EXPIRED = "expired", _("Expired")
    REFUSED = "refused", _("Refused")


class Clearance(models.Model):
    """One line of a member's clearances checklist: a security name check, biometrics, an exit permission.
    A cleared line is valid from `obtained_on` to `valid_until` inclusive; renewed by editing it."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="resettlement_clearances")
    person = models.ForeignKey("people.Person", verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="resettlement_clearances")
    kind = models.CharField(_("clearance"), max_length=20, choices=ClearanceKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ClearanceStatus.choices,
                              default=ClearanceStatus.PENDING)
    requested_on = models.DateField(_("requested on"), null=True, blank=True)
    obtained_on = models.DateField(_("obtained on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["case", "person", "kind"]
        verbose_name = _("clearance")
        verbose_name_plural = _("clearances")
        constraints = [models.UniqueConstraint(fields=["case", "person", "kind"],
                                               name="resettlement_one_clearance_per_kind")]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.person_id}"

    def valid_on(self, day: datetime.date) -> bool:
        return (self.status == ClearanceStatus.CLEARED and self.valid_until is not None
                and self.valid_until >= day and (self.obtained_on is None or self.obtained_on <= day))

    def shown_status(self, today: datetime.date) -> str:
        """The status as the checklist shows it: a cleared line past its validity reads expired."""
        if self.status == ClearanceStatus.CLEARED and self.valid_until is not None and self.valid_until < today:
            return ClearanceStatus.EXPIRED
        return self.status


class ProcessingTrip(models.Model):
    """Staff travelling to another city to process cases, interview applicants, prepare files and assist the
    receiving state's officers. The interviews supported are the presentations linked to the trip."""

    city = models.CharField(_("city"), max_length=80)
    country = models.CharField(_("country"), max_length=2)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("staff"), related_name="processing_trips")
    cases_seen = models.ManyToManyField("cases.Case", verbose_name=_("cases seen"), blank=True,
                                        related_name="processing_trips")
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("processing trip")
        verbose_name_plural = _("processing trips")

    def __str__(self) -> str:
        return f"{self.city} {self.starts_on:%Y-%m-%d}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    ON_HOLD = "on_hold", _("On hold")


class Presentation(models.Model):
    """A case presented to the receiving state's interviewing officer for status determination: on which day,
    where, to whom, which members; then the decision. A case on hold is presented again: a new row."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="resettlement_presentations")
    presented_on = models.DateField(_("date of the interview"))
    city = models.CharField(_("city"), max_length=80)
    agency = models.CharField(_("interviewing agency"), max_length=120)
    officer = models.CharField(_("interviewing officer"), max_length=120, blank=True)
    trip = models.ForeignKey(ProcessingTrip, verbose_name=_("processing trip"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="presentations")
    members = models.ManyToManyField("people.Person", verbose_name=_("members presented"),
                                     related_name="resettlement_presentations")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = EncryptedTextField(_("note on the decision"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-presented_on", "-id"]
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        indexes = [models.Index(fields=["presented_on"])]

    def __str__(self) -> str:
        return f"{self.case} presented {self.presented_on:%Y-%m-%d}"


class Orientation(models.Model):
    """A cultural orientation session the family's members attended before departure."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="resettlement_orientations")
    attended_on = models.DateField(_("attended on"))
    place = models.CharField(_("place"), max_length=120)
    members = models.ManyToManyField("people.Person", verbose_name=_("members who attended"),
                                     related_name="resettlement_orientations")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-attended_on", "-id"]
        verbose_name = _("cultural orientation")
        verbose_name_plural = _("cultural orientations")

    def __str__(self) -> str:
        return f"{self.case} orientation {self.attended_on:%Y-%m-%d}"


class Assurance(models.Model):
    """The resettlement agency's assurance: it will receive and place the family (the sponsorship assurance)."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                                related_name="resettlement_assurance")
    agency = models.ForeignKey("partners.Organisation", verbose_name=_("resettlement agency"),
                               on_delete=models.PROTECT, related_name="resettlement_assurances")
    received_on = models.DateField(_("assurance received on"))
    placement = models.CharField(_("place of resettlement"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("assurance")
        verbose_name_plural = _("assurances")

    def __str__(self) -> str:
        return f"{self.case} assurance"
