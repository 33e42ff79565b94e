"""The registry of persons: one record per person, shared by every programme.

Names are kept as written (any script) with their ICAO Doc 9303 Latin form; contacts and document
numbers are encrypted at rest. `NameKey` rows are the matching index: hashed blocking keys derived
from every name form of a person (see `people.index`), so that candidates are found by index look-up
and only then scored.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Programme
from waypoint.core.fields import BlindIndexField, EncryptedTextField

from .validation import (
    OLDEST_AGE,
    normalise_document_number,
    validate_birth_date,
    validate_countries,
    validate_country,
    validate_document_number,
    validate_languages,
    validate_name,
    validate_not_future,
)


def _name_field(label) -> models.CharField:
    return models.CharField(label, max_length=150, blank=True, validators=[validate_name])


def photo_path(instance: Person, filename: str) -> str:
    """A random name: the file system never holds a person's name or record number."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"people/photos/{uuid.uuid4().hex}.{extension}"


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other")


class BirthDatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated from age")


class Person(models.Model):
    given_name = _name_field(_("given name"))
    family_name = _name_field(_("family name"))
    patronymic = _name_field(_("patronymic or middle name"))
    given_name_latin = _name_field(_("given name (Latin)"))
    family_name_latin = _name_field(_("family name (Latin)"))
    patronymic_latin = _name_field(_("patronymic (Latin)"))
    latin_is_custom = models.BooleanField(
        _("Latin form edited"), default=False,
        help_text=_("Set when the Latin form was typed (e.g. from a passport) rather than computed."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_birth_date]
    )
    birth_date_precision = models.CharField(
        _("date of birth is"), max_length=10, choices=BirthDatePrecision.choices, blank=True
    )
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age"), null=True, blank=True, validators=[MaxValueValidator(OLDEST_AGE)]
    )
    age_estimated_on = models.DateField(
        _("age estimated on"), null=True, blank=True, validators=[validate_not_future]
    )
    citizenships = models.JSONField(_("citizenships"), default=list, blank=True, validators=[validate_countries])
    languages = models.JSONField(_("languages"), default=list, blank=True, validators=[validate_languages])
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    other_contacts = EncryptedTextField(_("other contacts"), blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_path, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="merged_records",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SENSITIVE_FIELDS = ("phone", "email", "address", "other_contacts", "photo")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(given_name="", family_name=""), name="person_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.reference

    def clean(self) -> None:
        """A person needs a name; an estimated age fixes an approximate year of birth."""
        if not (self.given_name.strip() or self.family_name.strip()):
            raise ValidationError({"family_name": _("Enter a family name or a given name.")}, code="required")
        if self.birth_date_precision == BirthDatePrecision.ESTIMATED:
            if self.estimated_age is None or self.age_estimated_on is None:
                raise ValidationError(
                    {"estimated_age": _("Give the estimated age and the date it was estimated on.")},
                    code="required",
                )
            self.birth_date = datetime.date(self.age_estimated_on.year - self.estimated_age, 1, 1)
        elif self.birth_date_precision == BirthDatePrecision.YEAR and self.birth_date:
            self.birth_date = self.birth_date.replace(month=1, day=1)
        elif self.birth_date and not self.birth_date_precision:
            self.birth_date_precision = BirthDatePrecision.EXACT
        elif not self.birth_date:
            self.birth_date_precision = ""
        if self.birth_date_precision != BirthDatePrecision.ESTIMATED:
            self.estimated_age = self.age_estimated_on = None
        self.citizenships = list(dict.fromkeys(code.upper() for code in self.citizenships or []))
        self.languages = list(dict.fromkeys(code.lower() for code in self.languages or []))

    @property
    def reference(self) -> str:
        return f"P-{self.pk:07d}" if self.pk else ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.family_name, self.given_name, self.patronymic) if part)

    @property
    def latin_name(self) -> str:
        parts = (self.family_name_latin, self.given_name_latin, self.patronymic_latin)
        return " ".join(part for part in parts if part)

    @property
    def birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else None

    def birth_date_text(self) -> str:
        """The date as matching and display want it: full date, or only the year when approximate."""
        if not self.birth_date:
            return ""
        if self.birth_date_precision == BirthDatePrecision.EXACT:
            return self.birth_date.isoformat()
        return str(self.birth_date.year)


class AliasKind(models.TextChoices):
    OTHER_SPELLING = "spelling", _("Other spelling")
    PASSPORT = "passport", _("Spelling in a document")
    ALIAS = "alias", _("Alias or nickname")
    PREVIOUS = "previous", _("Previous name")
    MERGED = "merged", _("Name of a merged record")


class PersonAlias(models.Model):
    """Another name form of the person: every alias is indexed and matched like the main name."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    kind = models.CharField(_("kind"), max_length=10, choices=AliasKind.choices, default=AliasKind.OTHER_SPELLING)
    given_name = _name_field(_("given name"))
    family_name = _name_field(_("family name"))
    patronymic = _name_field(_("patronymic or middle name"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        ordering = ["id"]

    def __str__(self) -> str:
        return " ".join(part for part in (self.family_name, self.given_name, self.patronymic) if part)

    def clean(self) -> None:
        if not (self.given_name.strip() or self.family_name.strip()):
            raise ValidationError({"family_name": _("Enter a family name or a given name.")}, code="required")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    INTERNAL_PASSPORT = "internal_passport", _("Internal passport")
    NATIONAL_ID = "national_id", _("National identity card")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    MIGRATION_CARD = "migration_card", _("Migration card")
    REFUGEE_DOCUMENT = "refugee_document", _("Refugee or asylum document")
    OTHER = "other", _("Other")


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    number = EncryptedTextField(_("number"), validators=[validate_document_number])
    number_index = BlindIndexField(source="number", purpose="identity-document-number")
    issuing_country = models.CharField(
        _("issuing country"), max_length=2, blank=True, validators=[validate_country]
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True, validators=[validate_not_future])
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} {self.masked_number}"

    def clean(self) -> None:
        self.number = normalise_document_number(self.number)
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": _("A document expires after it is issued.")}, code="order")

    @property
    def masked_number(self) -> str:
        """Only the last characters: enough to recognise a document, not to copy it."""
        number = self.number or ""
        return ("•" * max(len(number) - 3, 0)) + number[-3:]


class ProgrammeRegistration(models.Model):
    """The person is known to a programme: its staff may see the record (see `people.rules`)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="registrations")
    programme = models.CharField(_("programme"), max_length=10, choices=Programme.choices)
    office = models.ForeignKey(
        "accounts.Office", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme registration")
        verbose_name_plural = _("programme registrations")
        indexes = [models.Index(fields=["programme", "person"], name="people_reg_programme_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.programme}"


class NameKey(models.Model):
    """One hashed blocking key of one person (derived data: rebuilt from the names by `people.index`)."""

    # Derived data, rebuilt from the names: no database-level foreign key, whose check at commit would
    # cost the bulk writers (import, benchmark load) about a tenth of their time on PostgreSQL.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="name_keys", db_index=False, db_constraint=False
    )
    key = models.BigIntegerField()
    kind = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "person"], name="people_namekey_key_person"),
            models.Index(fields=["person"], name="people_namekey_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.kind}:{self.key}"


class PersonMerge(models.Model):
    """A merge of `absorbed` into `survivor`, with what moved, so that it can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_received")
    absorbed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_given")
    moved = models.JSONField(default=dict)
    alias = models.ForeignKey(PersonAlias, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.survivor_id}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    NOT_SAME = "not_same", _("Different people")


class DuplicatePair(models.Model):
    """A pair found by `manage.py find_duplicates`, waiting for a programme manager's decision."""

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    found_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="people_duplicate_pair_unique"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="people_pair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="people_dup_status_score")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.2f})"
