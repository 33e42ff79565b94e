"""The return programme's own tables on the case core.

Configuration edited in the back office: return projects with their eligibility rules, and the profiling
questionnaire's questions and options. Parts of a case: screenings (kept, for the statistics, even when a
later one replaces them), the profile (category derived from the answers) and its answers, travel documents
per traveller, the reception by a partner after arrival, the reintegration plan with its grant instalments, and
the monitoring visits with their sustainability scores.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from waypoint.core.fields import EncryptedTextField


def _in_language(english: str, russian: str) -> str:
    return russian if (get_language() or "en").startswith("ru") and russian else english


class MigrationStatus(models.TextChoices):
    IRREGULAR_STAY = "irregular_stay", _("Irregular stay")
    EXPIRED_VISA = "expired_visa", _("Expired visa")
    EXPIRED_PERMIT = "expired_permit", _("Expired residence or work permit")
    REJECTED_ASYLUM = "rejected_asylum", _("Rejected asylum seeker")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker withdrawing the claim")
    STRANDED_STUDENT = "stranded_student", _("Stranded student")
    STRANDED_TRANSIT = "stranded_transit", _("Stranded in transit")
    TRAFFICKING_VICTIM = "trafficking_victim", _("Victim of trafficking")
    REGULAR = "regular", _("Regular stay")


class Category(models.TextChoices):
    """The four groups the pilot's profiling study found."""

    CONTRACT_STUDENT = "contract_student", _("Contract student")
    LABOUR_MIGRANT = "labour_migrant", _("Labour migrant")
    TRANSIT_MIGRANT = "transit_migrant", _("Transit migrant")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")


class ReturnProject(models.Model):
    """A return project and who it may assist: nationalities it excludes (named groups and single countries),
    the migration statuses it accepts, and whether the person must be vulnerable."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    excluded_groups = models.JSONField(_("excluded groups of countries"), default=list, blank=True,
                                       help_text=_("Codes of country groups: CIS, OECD, EU."))
    excluded_countries = models.JSONField(_("other excluded countries"), default=list, blank=True,
                                          help_text=_("ISO 3166 two-letter codes, e.g. CN, IN."))
    accepted_statuses = models.JSONField(_("accepted migration statuses"), default=list, blank=True)
    requires_vulnerability = models.BooleanField(_("only vulnerable migrants"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("return project")
        verbose_name_plural = _("return projects")

    def __str__(self) -> str:
        return self.name


class Screening(models.Model):
    """An eligibility screening of a return case against a project's rules, with the result and its reasons
    (codes, shown in words in the reader's language). The latest one counts; earlier ones stay."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="return_screenings")
    project = models.ForeignKey(ReturnProject, verbose_name=_("return project"), on_delete=models.PROTECT,
                                related_name="screenings")
    nationality = models.CharField(_("nationality"), max_length=2)
    migration_status = models.CharField(_("migration status"), max_length=20, choices=MigrationStatus.choices)
    destination_country = models.CharField(_("country of return"), max_length=2)
    destination_region = models.CharField(_("region of return"), max_length=120, blank=True)
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    eligible = models.BooleanField(_("eligible"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    screened_on = models.DateField(_("screened on"))
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("screened by"), null=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name = _("eligibility screening")
        verbose_name_plural = _("eligibility screenings")

    def __str__(self) -> str:
        return f"{self.case} screening {self.screened_on}"


class QuestionKind(models.TextChoices):
    CHOICE = "choice", _("Single choice")
    YES_NO = "yes_no", _("Yes or no")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")


class Question(models.Model):
    """A question of the profiling questionnaire, in English and Russian."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text_en = models.CharField(_("question in English"), max_length=300)
    text_ru = models.CharField(_("question in Russian"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("profiling question")
        verbose_name_plural = _("profiling questions")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _in_language(self.text_en, self.text_ru)


class QuestionOption(models.Model):
    """An answer offered by a single-choice question; it may point to one of the four categories."""

    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE,
                                 related_name="options")
    code = models.SlugField(_("code"), max_length=40)
    text_en = models.CharField(_("option in English"), max_length=200)
    text_ru = models.CharField(_("option in Russian"), max_length=200)
    category = models.CharField(_("points to the category"), max_length=20, choices=Category.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="option_code_once_per_question")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _in_language(self.text_en, self.text_ru)


class ReturnProfile(models.Model):
    """The case's questionnaire as a whole: when it was answered and the category derived from the answers."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="return_profile")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    answered_on = models.DateField(_("answered on"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("return profile")
        verbose_name_plural = _("return profiles")

    def __str__(self) -> str:
        return f"{self.case} profile"


class Answer(models.Model):
    """One answer of a case's questionnaire: an option, yes/no, a number or a text (encrypted)."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="return_answers")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT,
                                 related_name="answers")
    option = models.ForeignKey(QuestionOption, verbose_name=_("option"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="answers")
    number = models.DecimalField(_("number"), max_digits=12, decimal_places=2, null=True, blank=True)
    text = EncryptedTextField(_("answer"), blank=True)  # yes/no as "yes"/"no", or the text typed

    class Meta:
        ordering = ["question__order", "question_id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["case", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.case} {self.question.code}"


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    EMERGENCY = "emergency", _("Emergency travel document (laissez-passer)")
    CERTIFICATE_OF_RETURN = "return_certificate", _("Certificate of return")


class DocumentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")


class TravelDocument(models.Model):
    """A travel document requested from an embassy or consulate for one traveller of the case."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="travel_documents")
    person = models.ForeignKey("people.Person", verbose_name=_("traveller"), on_delete=models.PROTECT,
                               related_name="travel_documents")
    authority = models.ForeignKey("partners.Organisation", verbose_name=_("embassy or consulate"),
                                  on_delete=models.PROTECT, related_name="travel_documents")
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    requested_on = models.DateField(_("requested on"))
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices,
                              default=DocumentStatus.REQUESTED)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["requested_on", "id"]
        verbose_name = _("travel document")
        verbose_name_plural = _("travel documents")

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"


class Reception(models.Model):
    """The returnee met and received by a partner on arrival (the day is the arrival)."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="return_reception")
    organisation = models.ForeignKey("partners.Organisation", verbose_name=_("received by"),
                                     on_delete=models.PROTECT, related_name="return_receptions")
    received_on = models.DateField(_("received on"))
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("reception")
        verbose_name_plural = _("receptions")

    def __str__(self) -> str:
        return f"{self.case} reception"


class ReintegrationPlan(models.Model):
    """The reintegration plan: a budget, the partner on the receiving side and the kinds of support."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="reintegration_plan")
    budget = models.DecimalField(_("budget"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    partner = models.ForeignKey("partners.Organisation", verbose_name=_("partner on the receiving side"),
                                null=True, blank=True, on_delete=models.PROTECT, related_name="reintegration_plans")
    economic = models.BooleanField(_("economic support"), default=False)
    social = models.BooleanField(_("social support"), default=False)
    psychosocial = models.BooleanField(_("psychosocial support"), default=False)
    description = EncryptedTextField(_("what the plan provides"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")

    def __str__(self) -> str:
        return f"{self.case} reintegration plan"


class Instalment(models.Model):
    """A grant instalment paid under the plan: amount, day paid, what was bought, and a receipt if kept."""

    plan = models.ForeignKey(ReintegrationPlan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="instalments")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    purchased = EncryptedTextField(_("what was bought"))
    receipt = models.ForeignKey("cases.Attachment", verbose_name=_("receipt"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("grant instalment")
        verbose_name_plural = _("grant instalments")

    def __str__(self) -> str:
        return f"{self.plan} {self.paid_on}"


class MonitoringVisit(models.Model):
    """A monitoring visit due some months after arrival; once done, the sustainability answers (indicator code →
    1..5) and the scores computed from them (`monitoring.scores`)."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="monitoring_visits")
    months_after = models.PositiveSmallIntegerField(_("months after arrival"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("visited on"), null=True, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    economic_score = models.DecimalField(_("economic score"), max_digits=4, decimal_places=3, null=True, blank=True)
    social_score = models.DecimalField(_("social score"), max_digits=4, decimal_places=3, null=True, blank=True)
    psychosocial_score = models.DecimalField(_("psychosocial score"), max_digits=4, decimal_places=3, null=True,
                                             blank=True)
    composite_score = models.DecimalField(_("sustainability score"), max_digits=4, decimal_places=3, null=True,
                                          blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self) -> str:
        return f"{self.case} visit {self.months_after}"
