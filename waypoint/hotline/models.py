"""Consultations at the information-consultation centres (ICC) and on the hotline.

A caller is anonymous by default: the log keeps who they are in categories (sex, age band,
nationality, caller type) that the statistics count.  A person record is linked only when the caller
agrees, for a referral or a case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from waypoint.core.fields import EncryptedTextField

RUSSIAN_NATIONAL = "RU"


class Channel(models.TextChoices):
    CALL = "call", _("Hotline call")
    WALK_IN = "walk_in", _("Walk-in")
    EMAIL = "email", _("Email")
    MESSENGER = "messenger", _("Messenger")


class CallerSex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "", _("Not known")


class AgeBand(models.TextChoices):
    UNDER_18 = "0-17", _("Under 18")
    FROM_18 = "18-24", _("18 to 24")
    FROM_25 = "25-34", _("25 to 34")
    FROM_35 = "35-44", _("35 to 44")
    FROM_45 = "45-59", _("45 to 59")
    FROM_60 = "60+", _("60 and over")
    UNKNOWN = "", _("Not known")


class CallerType(models.TextChoices):
    POTENTIAL_MIGRANT = "potential_migrant", _("Potential migrant")
    LABOUR_MIGRANT = "labour_migrant", _("Labour migrant")
    POSSIBLE_VICTIM = "possible_victim", _("Possible victim of trafficking")
    RELATIVE = "relative", _("Relative or friend")
    PROFESSIONAL = "professional", _("Professional")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    INFORMED = "informed", _("Information given")
    REFERRED = "referred", _("Referred to a partner")
    ESCALATED = "escalated", _("Escalated to a case")
    SITUATION_REPORTED = "situation_reported", _("Trafficking situation reported")
    CALL_BACK = "call_back", _("Call-back needed")
    OTHER = "other", _("Other")


class Bilingual(models.Model):
    """An entry administrators keep in English and Russian; shown in the reader's language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "").startswith("ru") else self.name_en


class Topic(Bilingual):
    """What a caller asked about (work permits, citizenship, employers' violations...)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)

    class Meta(Bilingual.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class CampaignMaterial(Bilingual):
    """How the caller heard of the hotline: a leaflet, a poster, a broadcast, a website..."""

    code = models.SlugField(_("code"), max_length=50, unique=True)

    class Meta(Bilingual.Meta):
        verbose_name = _("campaign material")
        verbose_name_plural = _("campaign materials")


class Consultation(models.Model):
    site = models.ForeignKey(
        "accounts.Office", verbose_name=_("site"), on_delete=models.PROTECT, related_name="consultations"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.CALL)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    caller_sex = models.CharField(_("sex"), max_length=1, choices=CallerSex.choices, blank=True)
    caller_age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices, blank=True)
    caller_nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2; RU for Russian nationals.")
    )
    caller_language = models.CharField(_("language"), max_length=3, blank=True, help_text=_("ISO 639 code."))
    caller_type = models.CharField(_("caller"), max_length=20, choices=CallerType.choices)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="consultations")
    heard_from = models.ForeignKey(
        CampaignMaterial,
        verbose_name=_("heard of us from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    answer = EncryptedTextField(_("answer given"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        help_text=_("Only when the caller agreed to give their name."),
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    referrals = models.ManyToManyField(
        "cases.Referral", verbose_name=_("referrals"), blank=True, related_name="consultations"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=["site", "started_at"])]

    def __str__(self) -> str:
        return f"{self.site} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_russian_national(self) -> bool:
        return self.caller_nationality == RUSSIAN_NATIONAL


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUp(models.Model):
    """A call-back or another follow-up promised to a caller, in the operators' queue of the site."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_at = models.DateTimeField(_("due"))
    action = models.CharField(_("what to do"), max_length=300)
    contact = EncryptedTextField(_("how to reach the caller"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    status = models.CharField(_("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    result = EncryptedTextField(_("result"), blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return self.action


class ArticleKind(models.TextChoices):
    ANSWER = "answer", _("Short answer")
    GUIDE = "guide", _("Guide")


class KnowledgeArticle(models.Model):
    """A short answer or a guide operators read during a call, in English and Russian."""

    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    body_en = models.TextField(_("text (English)"))
    body_ru = models.TextField(_("text (Russian)"))
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="articles")
    search_text = models.TextField(editable=False, default="", help_text="Case-folded titles and texts.")
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("knowledge base article")
        verbose_name_plural = _("knowledge base articles")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # SQLite folds case for ASCII only; a folded copy makes Cyrillic search work on both databases.
        self.search_text = " ".join([self.title_en, self.title_ru, self.body_en, self.body_ru]).casefold()
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return self.title_ru if (get_language() or "").startswith("ru") else self.title_en

    @property
    def body(self) -> str:
        return self.body_ru if (get_language() or "").startswith("ru") else self.body_en
