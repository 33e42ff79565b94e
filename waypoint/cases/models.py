"""The shared case core and the referral system.

Every programme's case is a `Case`: a reference, members from the registry, an owner and assigned
staff, a status that follows the programme's workflow (`cases.workflow`), a plan, notes, attachments,
services delivered, movements and referrals, and one timeline (`CaseEvent`) of everything that happened.
Programme apps add their own fields in their own tables (one-to-one with the case) and register their
workflow; nothing here knows a programme beyond its code.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    # UNHCR and other international organisations refer refugees for resettlement and migrants for return.
    INTERNATIONAL = "international", _("International organisation")
    SELF = "self", _("Self-referral")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    """The statuses of the default workflow; programmes register their own (`cases.workflow`)."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Vulnerability(models.TextChoices):
    """Flags that change how a case is handled (who may travel, who must be present, what care)."""

    MINOR = "minor", _("Minor")
    UNACCOMPANIED_MINOR = "unaccompanied_minor", _("Unaccompanied minor")
    PREGNANT = "pregnant", _("Pregnant")
    DISABILITY = "disability", _("Disability")
    SERIOUS_ILLNESS = "serious_illness", _("Serious medical condition")
    MENTAL_HEALTH = "mental_health", _("Mental health needs")
    SINGLE_PARENT = "single_parent", _("Single parent")
    ELDERLY = "elderly", _("Elderly")
    SECURITY_RISK = "security_risk", _("Threatened by traffickers")
    NO_DOCUMENTS = "no_documents", _("No identity documents")


class MemberRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
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
    # A state of the programme's workflow (`cases.workflow.workflow_for(programme)`): no fixed choices.
    status = models.CharField(_("status"), max_length=30, default=CaseStatus.OPEN)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(_("reason for closing"), max_length=40, blank=True)
    closure_note = EncryptedTextField(_("closing note"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    channel = models.CharField(_("how the case came"), max_length=20, choices=Channel.choices)
    referring_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_referred",
    )
    referral_received = models.OneToOneField(
        "Referral",
        verbose_name=_("opened from referral"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opened_case",
    )
    summary = EncryptedTextField(_("summary"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["programme", "status"]), models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.reference

    def get_status_display(self) -> str:
        from .workflow import workflow_for

        return workflow_for(self.programme).label(self.status)

    @property
    def is_closed(self) -> bool:
        from .workflow import workflow_for

        return workflow_for(self.programme).is_closed(self.status)

    @property
    def principal(self):
        member = next((m for m in self.members.all() if m.role == MemberRole.PRINCIPAL), None)
        return member.person if member else None


class StatusChange(models.Model):
    """One step of a case's workflow as data: which step, on which day it happened, and how many people the
    case counted then. Programme statistics (by stage and month, a quarter's departures in individuals) are
    counted from these rows; the timeline says the same in words. Never changed: a step undone is a new step."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(_("step"), max_length=40)  # the workflow's action, or "open" for the first status
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30)
    on = models.DateField(_("on"), db_index=True)  # the day it happened (may be before the day it was recorded)
    individuals = models.PositiveSmallIntegerField(_("individuals"))  # the case's members at that moment
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["on", "at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["action", "on"])]

    def __str__(self) -> str:
        return f"{self.case} {self.action} {self.on}"


class CaseMember(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="case_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)

    class Meta:
        ordering = ["id"]  # the principal first (added when the case opens), then in the order added
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


class DeliveryMethod(models.TextChoices):
    """How a referral reached its organisation: through Waypoint, or a printed form sent by staff."""

    WAYPOINT = "waypoint", _("Waypoint (partner portal)")
    EMAIL = "email", _("Email")
    FAX = "fax", _("Fax")
    POST = "post", _("Post")
    BY_HAND = "by_hand", _("By hand")


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
    channel = models.CharField(
        _("how the referral came"), max_length=20, choices=Channel.choices, blank=True,
        help_text=_("Inbound referrals: the kind of source, for the statistics by source."),
    )
    delivery_method = models.CharField(
        _("delivered by"), max_length=20, choices=DeliveryMethod.choices, default=DeliveryMethod.WAYPOINT,
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
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


# --- Case work: the plan, notes, attachments and the timeline ----------------------------------
class GoalStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("goal", "Open")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class Goal(models.Model):
    """A goal of the case plan ("safe accommodation", "return home"); `plan_type` names the HTCDS support
    plan type where the programme uses one."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="goals")
    title = EncryptedTextField(_("goal"))
    plan_type = models.CharField(_("type of support"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    target_on = models.DateField(_("planned end"), null=True, blank=True)
    achieved_on = models.DateField(_("actual end"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"{self.case} goal {self.pk}"


class Task(models.Model):
    """A step of the plan with a due date; a task without a goal is still part of the case's plan."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="tasks")
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    title = EncryptedTextField(_("task"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="case_tasks",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assigned_to", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.case} task {self.pk}"


class CaseNote(models.Model):
    """A case note. Its text is encrypted; a note is corrected by a newer version, never silently."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+")
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case} note {self.pk}"


class AttachmentKind(models.TextChoices):
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    CONSENT_FORM = "consent_form", _("Consent form")
    MEDICAL = "medical", _("Medical record")
    LEGAL = "legal", _("Legal document")
    TRAVEL = "travel", _("Ticket or travel document")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


def attachment_path(instance, filename: str) -> str:
    """A random name under MEDIA_ROOT (outside the web root): the disk never holds a person's name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"cases/attachments/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """A file kept with a case, served only through the access policy (`cases:attachment`)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    description = EncryptedTextField(_("description"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.case} attachment {self.pk}"


class CaseEvent(models.Model):
    """One line of the case timeline, written by the service that made the change (append-only).

    `kind` says what happened (opened, status, note, service, referral, movement, ...); `summary` is the
    line a user reads (encrypted: it may name a person or a place); `object_type`/`object_id` point to
    what changed, so the timeline can link to it.
    """

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30)
    summary = EncryptedTextField(_("what happened"))
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.at:%Y-%m-%d}"


class SavedView(models.Model):
    """A case list filter a user keeps under a name ("my high-risk cases")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_case_views")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_once_per_user")]

    def __str__(self) -> str:
        return self.name


# --- Services: the catalogue and what was delivered -------------------------------------------
class ServiceType(models.Model):
    """An entry of the service catalogue (airport reception, accommodation, medical care...), editable by
    administrators; `programmes` lists where it is offered (empty: every programme)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name in English"), max_length=120)
    name_ru = models.CharField(_("name in Russian"), max_length=120)
    programmes = models.JSONField(_("programmes"), default=list, blank=True)
    is_accommodation = models.BooleanField(_("accommodation"), default=False,
                                           help_text=_("Delivered as a stay with a room and a bed."))
    is_movement = models.BooleanField(_("travel"), default=False,
                                      help_text=_("Delivered as a movement (reception, travel, escort)."))
    default_cost = models.DecimalField(_("usual cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    in_use = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service catalogue")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_ru if (get_language() or "en").startswith("ru") and self.name_ru else self.name_en


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceDelivery(models.Model):
    """A service given on a case: what, to whom, when, by whom (staff or a partner), cost and outcome."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="deliveries")
    person = models.ForeignKey("people.Person", verbose_name=_("for"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="service_deliveries")
    service_type = models.ForeignKey(ServiceType, verbose_name=_("service"), on_delete=models.PROTECT,
                                     related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.DELIVERED)
    delivered_on = models.DateField(_("date"))
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("delivered by (staff)"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Organisation", verbose_name=_("delivered by (partner)"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="service_deliveries")
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    outcome = EncryptedTextField(_("outcome"), blank=True)
    referral = models.ForeignKey(Referral, verbose_name=_("through referral"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="deliveries")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("service delivery")
        verbose_name_plural = _("service deliveries")
        indexes = [models.Index(fields=["delivered_on", "service_type"])]

    def __str__(self) -> str:
        return f"{self.case} {self.service_type}"


# --- Movements: reception, travel and escorts (shared by CT, return and resettlement) ---------
class MovementKind(models.TextChoices):
    AIRPORT_RECEPTION = "airport_reception", _("Airport reception")
    DOMESTIC = "domestic", _("Travel within the country")
    INTERNATIONAL = "international", _("International travel")


class EscortKind(models.TextChoices):
    NONE = "none", _("No escort")
    ESCORT = "escort", _("Escort")
    MEDICAL = "medical", _("Medical escort")


class MovementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BOOKED = "booked", _("Booked")
    IN_TRANSIT = "in_transit", _("In transit")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Movement(models.Model):
    """A journey of case members: an airport reception, a domestic or international trip, with or
    without an escort. Return and resettlement book their departures as movements too."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=MovementStatus.choices,
                              default=MovementStatus.PLANNED)
    travellers = models.ManyToManyField("people.Person", verbose_name=_("who travels"), related_name="movements")
    origin = models.CharField(_("from"), max_length=200)
    origin_country = models.CharField(_("from country"), max_length=2, blank=True)
    destination = models.CharField(_("to"), max_length=200)
    destination_country = models.CharField(_("to country"), max_length=2, blank=True)
    departs_at = models.DateTimeField(_("departure"))
    arrives_at = models.DateTimeField(_("arrival"), null=True, blank=True)
    carrier = models.CharField(_("carrier and flight or train"), max_length=120, blank=True)
    ticket_numbers = EncryptedTextField(_("ticket numbers"), blank=True)
    escort = models.CharField(_("escort"), max_length=10, choices=EscortKind.choices, default=EscortKind.NONE)
    escort_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("escort (staff)"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    escort_name = models.CharField(_("escort (name)"), max_length=200, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    note = EncryptedTextField(_("note"), blank=True)
    delivery = models.OneToOneField(ServiceDelivery, verbose_name=_("service"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="movement")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-departs_at", "-id"]
        verbose_name = _("movement")
        verbose_name_plural = _("movements")

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"
