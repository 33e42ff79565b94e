"""The directory in the back office: every HSDS table, with the details of an organisation, a service and a
location edited on their page (inlines), acceptance lists as choices and service types from the taxonomy.

Inline rows are audited one by one, as the main object is (`AuditedModelAdmin` audits only the latter).
"""

from django.contrib import admin
from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.core.admin_site import AuditedModelAdmin, site

from . import taxonomy
from .forms import OrganisationAdminForm, ServiceAdminForm
from .models import (
    Accessibility,
    Address,
    Agreement,
    Attribute,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Metadata,
    MetaTableDescription,
    Organisation,
    OrganizationIdentifier,
    Phone,
    Program,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

# A web address typed without a scheme is taken to be https://, not http://.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class DirectoryInline(admin.TabularInline):
    """Inline rows follow the policy like the page they are on: administrators of the directory only."""

    extra = 0
    formfield_overrides = URL_FIELDS

    def _allowed(self, request, action: str, obj=None) -> bool:
        if not site.has_permission(request):
            return False
        if action == "view":
            return policy.may(request.user, policy.VIEW_DIRECTORY)
        return policy.may(request.user, policy.CHANGE_DIRECTORY) and (
            obj is None or policy.can(request.user, "change", obj))

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view", obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)


class DirectoryAdmin(AuditedModelAdmin):
    """Audits inline rows too: each added, changed or deleted row is an event of its own."""

    formfield_overrides = URL_FIELDS

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record(Action.DELETE, obj, actor=request.user, request=request, changes={"row": [str(obj), None]})
            obj.delete()
        for obj in instances:
            adding = obj._state.adding
            before = {} if adding else model_to_dict(type(obj).objects.get(pk=obj.pk))
            obj.save()
            record(Action.CREATE if adding else Action.UPDATE, obj, actor=request.user, request=request,
                   changes=changed_fields(before, model_to_dict(obj)))
        formset.save_m2m()


# --- Inlines ----------------------------------------------------------------------------------
class ServiceInline(DirectoryInline):
    model = Service
    fields = ("name", "status", "accepting_referrals", "capacity", "available")
    show_change_link = True
    verbose_name_plural = _("services (open one to edit who it accepts, hours, languages...)")


class LocationInline(DirectoryInline):
    model = Location
    fields = ("name", "location_type", "url")
    show_change_link = True
    verbose_name_plural = _("locations (open one to edit addresses and hours)")


class ContactInline(DirectoryInline):
    model = Contact
    fields = ("name", "title", "department", "email")
    show_change_link = True


class OrganisationPhoneInline(DirectoryInline):
    model = Phone
    fk_name = "organization"
    fields = ("number", "extension", "type", "description")


class ServicePhoneInline(OrganisationPhoneInline):
    fk_name = "service"


class LocationPhoneInline(OrganisationPhoneInline):
    fk_name = "location"


class ContactPhoneInline(OrganisationPhoneInline):
    fk_name = "contact"


class AgreementInline(DirectoryInline):
    model = Agreement
    fields = ("kind", "title", "signed_on", "valid_from", "valid_until", "notes")


class IdentifierInline(DirectoryInline):
    model = OrganizationIdentifier
    fields = ("identifier_type", "identifier", "identifier_scheme")


class ProgramInline(DirectoryInline):
    model = Program
    fields = ("name", "alternate_name", "description")


class FundingInline(DirectoryInline):
    model = Funding
    fk_name = "organization"
    fields = ("source",)


class ScheduleInline(DirectoryInline):
    model = Schedule
    fk_name = "service"
    fields = ("byday", "opens_at", "closes_at", "description", "freq", "valid_from", "valid_to")
    verbose_name_plural = _("opening hours (days as MO,TU,WE,TH,FR,SA,SU)")


class LocationScheduleInline(ScheduleInline):
    fk_name = "location"


class LanguageInline(DirectoryInline):
    model = Language
    fk_name = "service"
    fields = ("code", "name", "note")
    verbose_name_plural = _("languages served (ISO 639-1 codes: ru, uz, tg, ky, en...)")


class LocationLanguageInline(LanguageInline):
    fk_name = "location"


class PhoneLanguageInline(LanguageInline):
    fk_name = "phone"


class ServiceAreaInline(DirectoryInline):
    model = ServiceArea
    fields = ("name", "description", "extent", "extent_type")


class RequiredDocumentInline(DirectoryInline):
    model = RequiredDocument
    fields = ("document", "uri")


class CostOptionInline(DirectoryInline):
    model = CostOption
    fields = ("option", "amount", "currency", "amount_description", "valid_from", "valid_to")


class ServiceContactInline(ContactInline):
    fk_name = "service"


class ServiceAtLocationInline(DirectoryInline):
    model = ServiceAtLocation
    fk_name = "service"
    fields = ("location", "description")
    autocomplete_fields = ("location",)


class AddressInline(DirectoryInline):
    model = Address
    fields = ("address_type", "address_1", "address_2", "city", "region", "state_province", "postal_code",
              "country", "attention")


class AccessibilityInline(DirectoryInline):
    model = Accessibility
    fields = ("description", "details", "url")


class TermInline(DirectoryInline):
    model = TaxonomyTerm
    fk_name = "taxonomy_detail"
    fields = ("code", "name", "description", "parent", "language")


# --- Organisations, services, locations -------------------------------------------------------
@admin.register(Organisation, site=site)
class OrganisationAdmin(DirectoryAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "organisation_type", "city", "region", "country", "is_active")
    list_filter = ("organisation_type", "is_active", "country")
    search_fields = ("name", "alternate_name", "city", "region")
    fieldsets = (
        (None, {"fields": ("name", "alternate_name", "organisation_type", "is_active", "description")}),
        (_("Where"), {"fields": ("country", "region", "city")}),
        (_("Contacts"), {"fields": ("email", "website")}),
        (_("More (HSDS)"), {"classes": ("collapse",), "fields": (
            "legal_status", "tax_status", "tax_id", "year_incorporated", "logo", "uri", "parent_organization")}),
    )
    autocomplete_fields = ("parent_organization",)
    inlines = (ServiceInline, LocationInline, ContactInline, OrganisationPhoneInline, AgreementInline,
               IdentifierInline, ProgramInline, FundingInline)

    def save_model(self, request, obj, form, change):
        obj.last_modified = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Service, site=site)
class ServiceAdmin(DirectoryAdmin):
    form = ServiceAdminForm
    list_display = ("name", "organization", "status", "accepting_referrals", "available", "capacity")
    list_filter = ("status", "accepting_referrals", "organization__organisation_type")
    search_fields = ("name", "alternate_name", "organization__name")
    autocomplete_fields = ("organization", "program")
    fieldsets = (
        (None, {"fields": ("organization", "name", "alternate_name", "service_types", "status", "description",
                           "alert")}),
        (_("Who is accepted"), {"fields": (
            "accepts_sexes", "minimum_age", "maximum_age", "accepts_nationalities", "accepts_exploitation_types",
            "eligibility_description")}),
        (_("Capacity and availability"), {"fields": ("capacity", "available", "accepting_referrals")}),
        (_("How to use it"), {"fields": (
            "application_process", "email", "url", "interpretation_services", "fees_description", "wait_time")}),
        (_("More (HSDS)"), {"classes": ("collapse",), "fields": (
            "program", "accreditations", "licenses", "fees", "assured_date", "assurer_email")}),
    )
    inlines = (ScheduleInline, LanguageInline, ServicePhoneInline, ServiceContactInline, ServiceAreaInline,
               ServiceAtLocationInline, RequiredDocumentInline, CostOptionInline)

    def save_model(self, request, obj, form, change):
        obj.last_modified = timezone.now()
        if {"available", "accepting_referrals"} & set(form.changed_data):
            obj.availability_updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        wanted = form.cleaned_data.get("service_types") or []
        before = taxonomy.set_service_types(obj, wanted)
        after = taxonomy.service_types_of(obj)
        if sorted(before) != sorted(after):
            record(Action.UPDATE, obj, actor=request.user, request=request,
                   changes={"service_types": [", ".join(sorted(before)), ", ".join(sorted(after))]})


@admin.register(Location, site=site)
class LocationAdmin(DirectoryAdmin):
    list_display = ("__str__", "organization", "location_type")
    list_filter = ("location_type",)
    search_fields = ("name", "organization__name", "addresses__city")
    autocomplete_fields = ("organization",)
    inlines = (AddressInline, LocationPhoneInline, LocationScheduleInline, LocationLanguageInline,
               AccessibilityInline)


@admin.register(Contact, site=site)
class ContactAdmin(DirectoryAdmin):
    list_display = ("__str__", "title", "organization", "service", "email")
    search_fields = ("name", "email", "organization__name")
    autocomplete_fields = ("organization", "service", "location")
    exclude = ("service_at_location",)
    inlines = (ContactPhoneInline,)


@admin.register(Phone, site=site)
class PhoneAdmin(DirectoryAdmin):
    list_display = ("number", "organization", "service", "location", "contact", "description")
    search_fields = ("number", "organization__name", "service__name")
    autocomplete_fields = ("organization", "service", "location", "contact")
    exclude = ("service_at_location",)
    inlines = (PhoneLanguageInline,)


@admin.register(Agreement, site=site)
class AgreementAdmin(DirectoryAdmin):
    list_display = ("title", "organisation", "kind", "signed_on", "valid_from", "valid_until")
    list_filter = ("kind",)
    search_fields = ("title", "organisation__name")
    autocomplete_fields = ("organisation",)


@admin.register(Taxonomy, site=site)
class TaxonomyAdmin(DirectoryAdmin):
    list_display = ("name", "version", "uri")
    search_fields = ("name",)
    inlines = (TermInline,)


@admin.register(TaxonomyTerm, site=site)
class TaxonomyTermAdmin(DirectoryAdmin):
    list_display = ("name", "code", "taxonomy_detail", "parent")
    list_filter = ("taxonomy_detail",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


@admin.register(Attribute, site=site)
class AttributeAdmin(DirectoryAdmin):
    list_display = ("link_entity", "link_id", "taxonomy_term", "value")
    list_filter = ("link_entity",)
    search_fields = ("link_id", "taxonomy_term__name", "value")
    autocomplete_fields = ("taxonomy_term",)


@admin.register(Schedule, site=site)
class ScheduleAdmin(DirectoryAdmin):
    list_display = ("__str__", "service", "location", "byday", "opens_at", "closes_at")
    autocomplete_fields = ("service", "location")
    exclude = ("service_at_location",)


@admin.register(Language, site=site)
class LanguageAdmin(DirectoryAdmin):
    list_display = ("code", "name", "service", "location", "phone")
    search_fields = ("code", "name", "service__name")
    autocomplete_fields = ("service", "location", "phone")


@admin.register(ServiceAtLocation, site=site)
class ServiceAtLocationAdmin(DirectoryAdmin):
    list_display = ("service", "location")
    autocomplete_fields = ("service", "location")


@admin.register(Program, site=site)
class ProgramAdmin(DirectoryAdmin):
    list_display = ("name", "organization")
    search_fields = ("name", "organization__name")
    autocomplete_fields = ("organization",)


class _SimpleAdmin(DirectoryAdmin):
    """Tables edited mostly inline; listed for completeness, searchable by their text."""


for _model, _fields, _search in (
    (OrganizationIdentifier, ("identifier", "identifier_type", "organization"), ("identifier", "organization__name")),
    (ServiceArea, ("__str__", "service"), ("name", "service__name")),
    (CostOption, ("__str__", "service", "amount", "currency"), ("option", "service__name")),
    (RequiredDocument, ("document", "service"), ("document", "service__name")),
    (Funding, ("source", "organization", "service"), ("source",)),
    (Address, ("address_1", "city", "country", "location"), ("address_1", "city")),
    (Accessibility, ("__str__", "location"), ("description",)),
    (Metadata, ("resource_type", "field_name", "last_action_type", "last_action_date"), ("field_name",)),
    (MetaTableDescription, ("name", "language", "character_set"), ("name",)),
):
    site.register(_model, type(f"{_model.__name__}Admin", (_SimpleAdmin,), {
        "list_display": _fields, "search_fields": _search,
    }))
