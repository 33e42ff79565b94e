"""Consent records: what a person agreed may be done with which of their data, and with whom.

A record covers one purpose, a recipient (a named organisation, or every organisation of a type, or
the office itself when both are empty) and data categories.  It counts from `given_on` until
`expires_on` or its withdrawal, whichever comes first.  `consent.services.may_share` is the one
question every sharing path asks.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waypoint.core.fields import EncryptedTextField
from waypoint.partners.models import OrganisationType


class Purpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance by the office")
    REFERRAL = "referral", _("Referral to another organisation")
    LAW_ENFORCEMENT = "law_enforcement", _("Sharing with law enforcement")
    STATISTICS = "statistics", _("Anonymised statistics")
    RETURN_TRAVEL = "return_travel", _("Return travel")


class DataCategory(models.TextChoices):
    """What may be passed on.  A referral form offers only fields of covered categories."""

    IDENTITY = "identity", _("Name, sex, date of birth, nationality")
    CONTACTS = "contacts", _("Phone, email, address")
    DOCUMENTS = "documents", _("Identity documents")
    SITUATION = "situation", _("Situation and needs")
    EXPLOITATION = "exploitation", _("Exploitation history")
    HEALTH = "health", _("Health")
    PHOTO = "photo", _("Photo")


class HowGiven(models.TextChoices):
    WRITTEN = "written", _("Written form signed")
    ORAL = "oral", _("Oral, with a witness")
    GUARDIAN = "guardian", _("By a guardian or legal representative")


def form_path(instance, filename: str) -> str:
    """A random name outside the web root: the file system never holds a person's name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"consent/forms/{uuid.uuid4().hex}.{extension}"


class ConsentRecord(models.Model):
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    recipient_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("recipient organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
    )
    recipient_type = models.CharField(
        _("recipient type"),
        max_length=30,
        choices=OrganisationType.choices,
        blank=True,
        help_text=_("Any organisation of this type, when no organisation is named."),
    )
    data_categories = models.JSONField(_("data that may be shared"), default=list)
    how_given = models.CharField(_("how consent was given"), max_length=10, choices=HowGiven.choices)
    witness = models.CharField(_("witness or guardian"), max_length=200, blank=True)
    form = models.FileField(_("signed form"), upload_to=form_path, blank=True)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_note = EncryptedTextField(_("withdrawal note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["person", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_on})"
