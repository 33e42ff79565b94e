"""Partner organisations. Field names follow Open Referral HSDS 3.0 `organization` where they fit;
the directory issue adds services, locations, contacts and the HSDS import/export."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    GOVERNMENT = "government", _("Government authority")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    PROSECUTION = "prosecution", _("Prosecutor's office or court")
    HEALTH = "health", _("Public health institution")
    SOCIAL = "social", _("Social support institution")
    NGO = "ngo", _("Non-governmental organisation")
    INTERNATIONAL = "international", _("International organisation")
    DIPLOMATIC = "diplomatic", _("Embassy or consulate")
    MISSION = "mission", _("Mission of the organisation abroad")
    RELIGIOUS = "religious", _("Religious structure")
    MEDIA = "media", _("Journalists and media")
    DONOR = "donor", _("Donor")
    ACADEMIC = "academic", _("Academic institution")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    organisation_type = models.CharField(
        _("type"), max_length=30, choices=OrganisationType.choices
    )
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name
