"""The counter-trafficking programme's own tables on the case core: the victim's profile at HTCDS
granularity, the trafficking events, and stays in the rehabilitation centre."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waypoint.core.fields import EncryptedTextField

from . import htcds


class IdentifiedWhere(models.TextChoices):
    RUSSIA = "russia", _("In Russia")
    ABROAD = "abroad", _("Abroad")


class ProceedingsStatus(models.TextChoices):
    NONE = "none", _("No criminal proceedings")
    REPORTED = "reported", _("Reported to the police")
    OPENED = "opened", _("Criminal case opened")
    IN_COURT = "in_court", _("In court")
    CONVICTED = "convicted", _("Trafficker convicted")
    DISMISSED = "dismissed", _("Dismissed or closed")


class VictimParticipation(models.TextChoices):
    NONE = "none", _("Not taking part")
    WITNESS = "witness", _("Witness")
    VICTIM_PARTY = "victim_party", _("Recognised victim in the proceedings")
    DECLINED = "declined", _("Declined to take part")


class TraffickingProfile(models.Model):
    """HTCDS `vic_` fields for the principal of a CT case, plus the office's own.

    Multi-valued pick-lists are JSON lists of HTCDS codes (validated by `protection.services`)."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="trafficking_profile")
    trafficking_status = models.CharField(_("trafficking status"), max_length=40,
                                          choices=htcds.TraffickingStatus.choices,
                                          default=htcds.TraffickingStatus.POSSIBLE)
    status_decided_by = models.CharField(_("status decided by"), max_length=40,
                                         choices=htcds.StatusDecidedBy.choices, blank=True)
    relationship_to_trafficker = models.CharField(_("relationship to the trafficker"), max_length=20,
                                                  choices=htcds.RelationshipToTrafficker.choices, blank=True)
    age_when_trafficked = models.PositiveSmallIntegerField(_("age when trafficked"), null=True, blank=True)
    recruitment_methods = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    control_methods = models.JSONField(_("methods of control"), default=list, blank=True)
    exploitation_types = models.JSONField(_("types of exploitation"), default=list, blank=True)
    forced_labour_industry = models.CharField(_("forced-labour industry (ISIC)"), max_length=1,
                                              choices=htcds.Industry.choices, blank=True)
    sexual_exploitation_type = models.CharField(_("type of sexual exploitation"), max_length=40,
                                                choices=htcds.TypeOfSexualExploitation.choices, blank=True)
    identified_where = models.CharField(_("identified"), max_length=10, choices=IdentifiedWhere.choices,
                                        blank=True)
    repatriation_needed = models.BooleanField(_("repatriation needed"), default=False)
    proceedings = models.CharField(_("criminal proceedings"), max_length=20, choices=ProceedingsStatus.choices,
                                   default=ProceedingsStatus.NONE)
    participation = models.CharField(_("victim's participation"), max_length=20,
                                     choices=VictimParticipation.choices, default=VictimParticipation.NONE)
    reintegration_plan = EncryptedTextField(_("reintegration plan"), blank=True)
    reintegration_grant = models.DecimalField(_("reintegration grant"), max_digits=10, decimal_places=2,
                                              null=True, blank=True)
    grant_currency = models.CharField(_("currency"), max_length=3, default="RUB")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("trafficking profile")
        verbose_name_plural = _("trafficking profiles")

    def __str__(self) -> str:
        return f"{self.case} profile"


class TraffickingEvent(models.Model):
    """HTCDS `hte_`: recruitment, transit or exploitation, with place and date."""

    profile = models.ForeignKey(TraffickingProfile, verbose_name=_("profile"), on_delete=models.CASCADE,
                                related_name="events")
    event_type = models.CharField(_("event"), max_length=20, choices=htcds.EventType.choices)
    country = models.CharField(_("country"), max_length=2)
    place = EncryptedTextField(_("place"), blank=True)
    started_on = models.DateField(pgettext_lazy("date", "from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("trafficking event")
        verbose_name_plural = _("trafficking events")

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.country}"


class Room(models.Model):
    """A room of the rehabilitation centre with its beds."""

    office = models.ForeignKey("accounts.Office", verbose_name=_("centre"), on_delete=models.PROTECT,
                               related_name="rooms")
    name = models.CharField(_("room"), max_length=40)
    beds = models.PositiveSmallIntegerField(_("beds"))
    in_use = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["office", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="room_name_once_per_centre")]

    def __str__(self) -> str:
        return f"{self.office} · {self.name}"


class CentreStay(models.Model):
    """A person's stay in the centre: a room and bed, check-in and (when left) check-out."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="centre_stays")
    person = models.ForeignKey("people.Person", verbose_name=_("guest"), on_delete=models.PROTECT,
                               related_name="centre_stays")
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="stays")
    bed = models.PositiveSmallIntegerField(_("bed"))
    checked_in_on = models.DateField(_("check-in"))
    checked_out_on = models.DateField(_("check-out"), null=True, blank=True)
    delivery = models.OneToOneField("cases.ServiceDelivery", verbose_name=_("service"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="centre_stay")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-checked_in_on", "-id"]
        verbose_name = _("centre stay")
        verbose_name_plural = _("centre stays")
        constraints = [
            # One guest per bed at a time: a second open stay in the same bed is refused by the database too.
            models.UniqueConstraint(fields=["room", "bed"], condition=models.Q(checked_out_on__isnull=True),
                                    name="one_open_stay_per_bed"),
        ]

    def __str__(self) -> str:
        return f"{self.room} bed {self.bed}"
