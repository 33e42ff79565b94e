"""The direct assistance programme's own tables on the case core.

Compact settlements and the migrant enterprises in them are the programme's registry (beside the cases). A grant
application is a DAP case (owner, members = the enterprise's people who apply, timeline, notes, attachments)
with one `GrantApplication`: the business plan, the assessment and the decision. What is bought for it are
`GrantItem`s, delivered with a handover act; `FollowUpVisit`s record how the enterprise does afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waypoint.core.fields import EncryptedTextField


class Settlement(models.Model):
    """A compact settlement of migrants: a configuration list, edited in the back office."""

    name = models.CharField(_("name"), max_length=120)
    region = models.CharField(_("region"), max_length=120)
    district = models.CharField(_("district"), max_length=120, blank=True)
    in_use = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("compact settlement")
        verbose_name_plural = _("compact settlements")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="settlement_once_per_region")]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"


class Activity(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    LIVESTOCK = "livestock", _("Livestock")
    FOOD_PROCESSING = "food_processing", _("Food processing")
    SEWING = "sewing", _("Sewing")
    CARPENTRY = "carpentry", _("Carpentry")
    CONSTRUCTION = "construction", _("Construction")
    TRANSPORT = "transport", _("Transport")
    TRADE = "trade", _("Trade")
    REPAIR = "repair", _("Repair services")
    OTHER = "other", _("Other")


class Enterprise(models.Model):
    """An income-generating enterprise of migrants in a compact settlement."""

    name = models.CharField(_("name"), max_length=200)
    settlement = models.ForeignKey(Settlement, verbose_name=_("settlement"), on_delete=models.PROTECT,
                                   related_name="enterprises")
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    description = models.TextField(_("description"), blank=True)
    registered_on = models.DateField(_("registered on"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class EnterpriseRole(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    MEMBER = "member", _("Member")
    EMPLOYEE = "employee", _("Employee")


class EnterpriseMember(models.Model):
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="members")
    person = models.ForeignKey("people.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="enterprise_memberships")
    role = models.CharField(_("role"), max_length=10, choices=EnterpriseRole.choices)
    joined_on = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["enterprise", "role", "id"]
        verbose_name = _("enterprise member")
        verbose_name_plural = _("enterprise members")
        constraints = [models.UniqueConstraint(fields=["enterprise", "person"], name="enterprise_member_once")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.person_id}"


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve as requested")
    APPROVE_REDUCED = "approve_reduced", _("Approve a reduced grant")
    REJECT = "reject", _("Reject")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class GrantApplication(models.Model):
    """The business plan, the assessment and the decision of one DAP case."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="grant_application")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="applications")
    received_on = models.DateField(_("received on"))
    # The business plan
    plan = EncryptedTextField(_("business plan"))
    requested_value = models.DecimalField(_("requested value"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    planned_items = models.TextField(_("planned items"))
    expected_monthly_income = models.DecimalField(_("expected monthly income"), max_digits=12, decimal_places=2,
                                                  null=True, blank=True)
    expected_jobs = models.PositiveSmallIntegerField(_("expected jobs"), default=0)
    # The assessment: a score per documented criterion (code -> 0..5)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessor"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    assessment_notes = EncryptedTextField(_("assessment notes"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices, blank=True)
    # The decision
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    approved_value = models.DecimalField(_("approved value"), max_digits=12, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")

    def __str__(self) -> str:
        return f"{self.case} · {self.enterprise}"

    @property
    def score(self) -> int | None:
        return sum(int(value) for value in self.scores.values()) if self.scores else None

    @property
    def assessed(self) -> bool:
        return self.assessed_on is not None


class ItemType(models.TextChoices):
    TOOLS = "tools", _("Tools")
    EQUIPMENT = "equipment", _("Equipment")
    MACHINERY = "machinery", _("Machinery")
    VEHICLE = "vehicle", _("Vehicle")


class ItemStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", pgettext_lazy("grant item status", "Delivered")
    HANDED_OVER = "handed_over", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


class GrantItem(models.Model):
    """A thing bought for the grant: its value counts against the approved value until it is cancelled."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="grant_items")
    item_type = models.CharField(_("type"), max_length=10, choices=ItemType.choices)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    supplier = models.ForeignKey("partners.Organisation", verbose_name=_("supplier"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    supplier_name = models.CharField(_("supplier (not in the directory)"), max_length=200, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    handover_act_number = models.CharField(_("handover act number"), max_length=40, blank=True)
    handover_act_date = models.DateField(_("handover act date"), null=True, blank=True)
    handover_act = models.ForeignKey("cases.Attachment", verbose_name=_("signed handover act"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.ORDERED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("item granted")
        verbose_name_plural = _("items granted")

    def __str__(self) -> str:
        return self.description

    @property
    def supplier_text(self) -> str:
        return self.supplier.name if self.supplier_id else self.supplier_name


class Operating(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class ItemsInUse(models.TextChoices):
    ALL = "all", _("All items in use")
    SOME = "some", _("Some items in use")
    NONE = "none", _("No item in use")


class FollowUpVisit(models.Model):
    """A visit to the enterprise after the handover: is it working, what does it earn, whom does it employ."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="follow_up_visits")
    visited_on = models.DateField(_("visited on"))
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT,
                                   related_name="+")
    operating = models.CharField(_("enterprise operating"), max_length=10, choices=Operating.choices)
    monthly_income = models.DecimalField(_("monthly income"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    jobs_created = models.PositiveSmallIntegerField(_("jobs created"), default=0)
    jobs_women = models.PositiveSmallIntegerField(_("of which for women"), default=0)
    jobs_migrants = models.PositiveSmallIntegerField(_("of which for migrants"), default=0)
    items_in_use = models.CharField(_("items in use"), max_length=10, choices=ItemsInUse.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "visited_on", "id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")

    def __str__(self) -> str:
        return f"{self.case} · {self.visited_on}"
