"""Users, their roles, the programmes they work in, and the office sites."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    CASE_WORKER = "case_worker", _("Case worker")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    ME_OFFICER = "me_officer", _("M&E officer")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")
    PARTNER_USER = "partner_user", _("Partner user")
    TRAINER = "trainer", _("Trainer")
    LEARNER = "learner", _("Learner")


# Everyone who can reach personal data must prove a second factor. Learners only see courses.
ROLES_WITHOUT_SECOND_FACTOR = frozenset({Role.LEARNER})


class Programme(models.TextChoices):
    COUNTER_TRAFFICKING = "CT", _("Counter-trafficking")
    HOTLINE = "ICC", _("Hotline and information-consultation centres")
    RETURN = "AVRR", _("Assisted voluntary return and reintegration")
    RESETTLEMENT = "RES", _("Resettlement processing")
    HEALTH = "MH", _("Migration health")
    DIRECT_ASSISTANCE = "DAP", _("Direct assistance")


class Office(models.Model):
    """A place staff work from: the mission office or an information-consultation centre site."""

    class Kind(models.TextChoices):
        MISSION_OFFICE = "mission_office", _("Mission office")
        CONSULTATION_CENTRE = "icc_site", _("Information-consultation centre")
        REHABILITATION_CENTRE = "rehabilitation_centre", _("Rehabilitation centre")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="sites",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Exactly one role; partner users belong to one organisation."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff",
    )
    programmes = models.JSONField(
        _("programmes"), default=list, blank=True,
        help_text=_("Programme codes this person works in (case workers, programme managers)."),
    )
    partner_organisation = models.ForeignKey(
        "partners.Organisation", verbose_name=_("partner organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    language = models.CharField(
        _("language"), max_length=8, blank=True,
        choices=[("en", _("English")), ("ru", _("Russian"))],
    )

    objects = UserManager()
    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="partner_user_has_organisation",
                condition=(
                    ~models.Q(role="partner_user") | models.Q(partner_organisation__isnull=False)
                ),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.PARTNER_USER and not self.partner_organisation_id:
            raise ValidationError(
                {"partner_organisation": _("A partner user must belong to a partner organisation.")}
            )
        if self.role != Role.PARTNER_USER and self.partner_organisation_id:
            raise ValidationError(
                {"partner_organisation": _("Only partner users belong to a partner organisation.")}
            )
        unknown = set(self.programmes) - set(Programme.values)
        if unknown:
            raise ValidationError(
                {"programmes": _("Unknown programme: %(codes)s") % {"codes": ", ".join(sorted(unknown))}}
            )

    @property
    def needs_second_factor(self) -> bool:
        return self.role not in ROLES_WITHOUT_SECOND_FACTOR

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles
