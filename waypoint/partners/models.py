"""The partner directory, modelled on Open Referral HSDS 3.0.

Tables and field names are HSDS's own (organization → ``Organisation`` in the office's spelling, but
``organization`` in every exported name), so that an HSDS datapackage maps one row to one object and
back without loss.  What the office needs beyond HSDS (organisation type, region, agreements, who a
service accepts, capacity) are our own fields; the HSDS export carries them as attributes of
Waypoint's own taxonomies.  Every id is a UUID, as HSDS requires.
"""

import uuid

from django.db import models
from django.utils import timezone
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


class ExploitationType(models.TextChoices):
    """Forms of exploitation, as CTDC counts them; a service may accept victims of some only."""

    SEXUAL = "sexual", _("Sexual exploitation")
    LABOUR = "labour", _("Forced labour")
    DOMESTIC = "domestic", _("Domestic servitude")
    BEGGING = "begging", _("Forced begging")
    CRIMINAL = "criminal", _("Forced criminal activity")
    MARRIAGE = "marriage", _("Forced marriage")
    ORGANS = "organs", _("Organ removal")
    OTHER = "other", _("Other exploitation")


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    COOPERATION = "cooperation", _("Cooperation agreement")
    CONTRACT = "contract", _("Service contract")
    LETTER = "letter", _("Letter of intent")


class Weekday(models.TextChoices):
    MO = "MO", _("Monday")
    TU = "TU", _("Tuesday")
    WE = "WE", _("Wednesday")
    TH = "TH", _("Thursday")
    FR = "FR", _("Friday")
    SA = "SA", _("Saturday")
    SU = "SU", _("Sunday")


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")


def _id() -> models.UUIDField:
    return models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)


def _text(label, max_length: int = 300) -> models.CharField:
    return models.CharField(label, max_length=max_length, blank=True)


def _parent(model: str, label, related_name: str) -> models.ForeignKey:
    """An optional HSDS parent link (`organization_id`, `service_id`, ...): deleting the parent
    deletes its details, as HSDS rows have no meaning without their parent."""
    return models.ForeignKey(
        model, verbose_name=label, null=True, blank=True, on_delete=models.CASCADE, related_name=related_name
    )


# --- Organisations ---------------------------------------------------------------------------
class Organisation(models.Model):
    """HSDS `organization`, plus the office's type, region and whether it is still a partner."""

    id = _id()
    name = models.CharField(_("name"), max_length=300)
    alternate_name = _text(_("alternate name"))
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    tax_status = _text(_("tax status"), 100)
    tax_id = _text(_("tax identifier"), 100)
    year_incorporated = models.PositiveSmallIntegerField(_("year incorporated"), null=True, blank=True)
    legal_status = _text(_("legal status"), 200)
    logo = models.URLField(_("logo"), max_length=500, blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    parent_organization = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="branches",
    )
    # Waypoint's own
    organisation_type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code."))
    region = _text(_("region"), 150)
    city = _text(_("city"), 100)
    is_active = models.BooleanField(_("active"), default=True)
    last_modified = models.DateTimeField(_("last modified"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    """A memorandum or agreement with a partner; internal, never exported to HSDS."""

    id = _id()
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-valid_from", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.title


class OrganizationIdentifier(models.Model):
    id = _id()
    organization = _parent(Organisation, _("organisation"), "identifiers")
    identifier_scheme = _text(_("identifier scheme"), 100)
    identifier_type = models.CharField(_("identifier type"), max_length=100)
    identifier = models.CharField(_("identifier"), max_length=200)

    class Meta:
        verbose_name = _("organisation identifier")
        verbose_name_plural = _("organisation identifiers")

    def __str__(self) -> str:
        return self.identifier


class Program(models.Model):
    id = _id()
    organization = _parent(Organisation, _("organisation"), "programs")
    name = models.CharField(_("name"), max_length=300)
    alternate_name = _text(_("alternate name"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme of an organisation")
        verbose_name_plural = _("programmes of organisations")

    def __str__(self) -> str:
        return self.name


# --- Services --------------------------------------------------------------------------------
class Service(models.Model):
    """HSDS `service`, plus who it accepts and how much room it has now.

    Empty acceptance lists mean "anyone": a shelter for women lists ``["F"]`` in ``accepts_sexes``.
    """

    id = _id()
    organization = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="services"
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    name = models.CharField(_("name"), max_length=300)
    alternate_name = _text(_("alternate name"))
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    interpretation_services = models.TextField(_("interpretation services"), blank=True)
    application_process = models.TextField(_("application process"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    fees = models.TextField(_("fees (deprecated HSDS field)"), blank=True)
    wait_time = _text(_("wait time"))
    accreditations = models.TextField(_("accreditations"), blank=True)
    licenses = models.TextField(_("licences"), blank=True)
    eligibility_description = models.TextField(_("eligibility"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    assured_date = models.DateField(_("assured on"), null=True, blank=True)
    assurer_email = models.EmailField(_("assured by (email)"), blank=True)
    alert = models.TextField(_("alert"), blank=True)
    last_modified = models.DateTimeField(_("last modified"), default=timezone.now)
    # Waypoint's own: who is accepted, capacity, availability
    accepts_sexes = models.JSONField(_("accepts sexes"), default=list, blank=True)
    accepts_nationalities = models.JSONField(_("accepts nationalities"), default=list, blank=True)
    accepts_exploitation_types = models.JSONField(_("accepts victims of"), default=list, blank=True)
    accepting_referrals = models.BooleanField(_("accepting referrals"), default=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("For example, shelter beds.")
    )
    available = models.PositiveIntegerField(_("available now"), null=True, blank=True)
    availability_updated_at = models.DateTimeField(_("availability updated"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    id = _id()
    service = _parent(Service, _("service"), "service_areas")
    name = _text(_("name"))
    description = models.TextField(_("description"), blank=True)
    extent = models.TextField(_("extent"), blank=True)
    extent_type = _text(_("extent type"), 50)
    uri = _text(_("URI"), 500)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name or self.extent[:50]


class CostOption(models.Model):
    id = _id()
    service = _parent(Service, _("service"), "cost_options")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    option = _text(_("option"))
    currency = _text(_("currency"), 3)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_description = _text(_("amount description"))

    class Meta:
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")

    def __str__(self) -> str:
        return self.option or str(self.amount or "")


class RequiredDocument(models.Model):
    id = _id()
    service = _parent(Service, _("service"), "required_documents")
    document = _text(_("document"))
    uri = models.URLField(_("URI"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.document


class Funding(models.Model):
    id = _id()
    organization = _parent(Organisation, _("organisation"), "funding")
    service = _parent(Service, _("service"), "funding")
    source = _text(_("source"), 500)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")

    # --- Locations -------------------------------------------------------------------------------

    def __str__(self) -> str:
        return self.source


class Location(models.Model):
    id = _id()
    location_type = models.CharField(_("location type"), max_length=10, choices=LocationType.choices)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    organization = _parent(Organisation, _("organisation"), "locations")
    name = _text(_("name"))
    alternate_name = _text(_("alternate name"))
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("how to get there"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    external_identifier = _text(_("external identifier"), 200)
    external_identifier_type = _text(_("external identifier type"), 100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(models.Model):
    id = _id()
    location = _parent(Location, _("location"), "addresses")
    attention = _text(_("attention"))
    address_1 = models.CharField(_("address"), max_length=300)
    address_2 = _text(_("address (continued)"))
    city = models.CharField(_("city"), max_length=100)
    region = _text(_("region"), 150)
    state_province = models.CharField(_("state or province"), max_length=150, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code."))
    address_type = models.CharField(_("address type"), max_length=10, choices=LocationType.choices)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city}"


class Accessibility(models.Model):
    id = _id()
    location = _parent(Location, _("location"), "accessibility")
    description = models.TextField(_("description"), blank=True)
    details = models.TextField(_("details"), blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("accessibility")
        verbose_name_plural = _("accessibility")

    def __str__(self) -> str:
        return self.description[:50]


class ServiceAtLocation(models.Model):
    id = _id()
    service = _parent(Service, _("service"), "service_at_locations")
    location = _parent(Location, _("location"), "service_at_locations")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")

    # --- Contacts, phones, schedules, languages --------------------------------------------------

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Contact(models.Model):
    id = _id()
    organization = _parent(Organisation, _("organisation"), "contacts")
    service = _parent(Service, _("service"), "contacts")
    service_at_location = _parent(ServiceAtLocation, _("service at a location"), "contacts")
    location = _parent(Location, _("location"), "contacts")
    name = _text(_("name"))
    title = _text(_("title"))
    department = _text(_("department"))
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or self.email or str(self.id)


class Phone(models.Model):
    id = _id()
    location = _parent(Location, _("location"), "phones")
    service = _parent(Service, _("service"), "phones")
    organization = _parent(Organisation, _("organisation"), "phones")
    contact = _parent(Contact, _("contact"), "phones")
    service_at_location = _parent(ServiceAtLocation, _("service at a location"), "phones")
    number = models.CharField(_("number"), max_length=50)
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = _text(_("type"), 20)
    description = _text(_("description"))

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class Schedule(models.Model):
    """HSDS `schedule`: RFC 5545 recurrence fields, with opening hours."""

    id = _id()
    service = _parent(Service, _("service"), "schedules")
    location = _parent(Location, _("location"), "schedules")
    service_at_location = _parent(ServiceAtLocation, _("service at a location"), "schedules")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    dtstart = models.DateField(_("first day"), null=True, blank=True)
    timezone = models.FloatField(_("time zone (UTC offset)"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("occurrences"), null=True, blank=True)
    wkst = models.CharField(_("week starts"), max_length=2, choices=Weekday.choices, blank=True)
    freq = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveIntegerField(_("interval"), null=True, blank=True)
    byday = _text(_("days"), 100)
    byweekno = _text(_("weeks"), 100)
    bymonthday = _text(_("days of the month"), 100)
    byyearday = _text(_("days of the year"), 100)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_link = models.URLField(_("schedule link"), max_length=500, blank=True)
    attending_type = _text(_("attending type"), 100)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return self.description[:80] or f"{self.byday} {self.opens_at}-{self.closes_at}"


class Language(models.Model):
    """A language a service, location or phone line works in (`code`: ISO 639-1, or 639-3)."""

    id = _id()
    service = _parent(Service, _("service"), "languages")
    location = _parent(Location, _("location"), "languages")
    phone = _parent(Phone, _("phone"), "languages")
    name = _text(_("name"), 100)
    code = _text(_("code"), 10)
    note = _text(_("note"))

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name or self.code


# --- Taxonomies and attributes ---------------------------------------------------------------
class Taxonomy(models.Model):
    id = _id()
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    version = _text(_("version"), 50)

    class Meta:
        ordering = ["name"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = _id()
    code = _text(_("code"), 100)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broader term"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    taxonomy = _text(_("taxonomy (free text)"), 200)
    taxonomy_detail = models.ForeignKey(
        Taxonomy, verbose_name=_("taxonomy"), null=True, blank=True, on_delete=models.CASCADE, related_name="terms"
    )
    language = _text(_("language"), 10)
    term_uri = models.URLField(_("term URI"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """HSDS `attribute`: a taxonomy term attached to any object, named by `link_entity` and `link_id`
    (no foreign key, as HSDS links any table).  Service categories are attributes of services."""

    id = _id()
    link_id = models.UUIDField(_("linked object"), db_index=True)
    link_entity = models.CharField(_("linked table"), max_length=50)
    link_type = _text(_("link type"), 100)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, verbose_name=_("taxonomy term"), on_delete=models.CASCADE, related_name="attributes"
    )
    value = models.TextField(_("value"), blank=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")

    def __str__(self) -> str:
        return f"{self.link_entity} {self.link_id}: {self.taxonomy_term}"


class Metadata(models.Model):
    """HSDS `metadata` rows from an imported datapackage, kept so that a round trip loses nothing.
    Waypoint's own change history is the audit trail."""

    id = _id()
    resource_id = models.UUIDField(_("resource"), null=True, blank=True)
    resource_type = _text(_("resource type"), 50)
    last_action_date = models.DateField(_("last action date"))
    last_action_type = models.CharField(_("last action type"), max_length=50)
    field_name = models.CharField(_("field name"), max_length=100)
    previous_value = models.TextField(_("previous value"))
    replacement_value = models.TextField(_("replacement value"))
    updated_by = models.CharField(_("updated by"), max_length=200)

    class Meta:
        verbose_name = _("metadata")
        verbose_name_plural = _("metadata")

    def __str__(self) -> str:
        return f"{self.resource_type} {self.field_name}"


class MetaTableDescription(models.Model):
    id = _id()
    name = _text(_("name"), 200)
    language = _text(_("language"), 10)
    character_set = _text(_("character set"), 50)

    class Meta:
        verbose_name = _("table description")
        verbose_name_plural = _("table descriptions")

    def __str__(self) -> str:
        return self.name
