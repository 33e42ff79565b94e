"""The shared case core and the referral system.

This first part holds what the hotline needs: a case opened from an escalated consultation (its
programme, principal, owner, office and how it came to the office) and referrals of a person to a
partner service, or of a trafficking situation to an authority.  The case issue grows the case
(workflow, plan, notes, attachments, timeline) on these same tables.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Programme
from waypoint.core.fields import EncryptedTextField


class ReferenceSequence(models.Model):
    """The last number given for a prefix and year (`CT` 2026 → 42 gives `CT-2026-00042`).
    Incremented under a row lock, so two offices never get the same number."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Channel(models.TextChoices):
    """How a case came to the office: the seeds' breakdown of referral sources."""

    MISSION_ABROAD = "mission_abroad", _("Mission of the organisation abroad")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    JOINT_OPERATION = "joint_operation", _("Joint operation")
    STATE_STRUCTURE = "state_structure", _("State structure")
    NGO = "ngo", _("Non-governmental organisation")
    HOTLINE = "hotline", _("Hotline")
    DIPLOMATIC = "diplomatic", _("Diplomatic mission")
    SELF = "self", _("Self-referral")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class MemberRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other")


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    programme = models.CharField(_("programme"), max_length=10, choices=Programme.choices)
    office = models.ForeignKey(
        "accounts.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="cases"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_cases"
    )
    assigned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned staff"), blank=True, related_name="assigned_cases"
    )
    status = models.CharField(_("status"), max_length=30, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    channel = models.CharField(_("how the case came"), max_length=20, choices=Channel.choices)
    referring_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_referred",
    )
    summary = EncryptedTextField(_("summary"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.reference


class CaseMember(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="case_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("case member")
        verbose_name_plural = _("case members")
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="person_once_per_case")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_role_display()}"


class ReferralKind(models.TextChoices):
    PERSON = "person", _("Referral of a person to a service")
    SITUATION = "situation", _("Report of a trafficking situation")


class ReferralDirection(models.TextChoices):
    OUTBOUND = "outbound", _("From the office to a partner")
    INBOUND = "inbound", _("From a partner to the office")


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Referral(models.Model):
    """A person referred to a partner's service, or a trafficking situation reported to an authority.

    `shared` holds exactly what was sent ({field: value}, encrypted): the partner sees that and
    nothing else.  A referral that carries personal data names the consent that covers it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ReferralKind.choices, default=ReferralKind.PERSON)
    direction = models.CharField(
        _("direction"), max_length=10, choices=ReferralDirection.choices, default=ReferralDirection.OUTBOUND
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    service = models.ForeignKey(
        "partners.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    consent = models.ForeignKey(
        "consent.ConsentRecord",
        verbose_name=_("consent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    programme = models.CharField(_("programme"), max_length=10, choices=Programme.choices)
    office = models.ForeignKey(
        "accounts.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    reason = EncryptedTextField(_("reason for the referral"), blank=True)
    shared = EncryptedTextField(_("information shared"), blank=True, help_text=_("JSON: field → value."))
    due_on = models.DateField(_("answer due by"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    decline_reason = EncryptedTextField(_("reason for declining"), blank=True)
    feedback = EncryptedTextField(_("partner's feedback"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.reference


class ReferralUpdate(models.Model):
    """One step in a referral's life (sent, accepted, progress note...), for its timeline."""

    referral = models.ForeignKey(Referral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices)
    note = EncryptedTextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral update")
        verbose_name_plural = _("referral updates")

    def __str__(self) -> str:
        return f"{self.referral} {self.get_status_display()}"
