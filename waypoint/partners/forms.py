"""Forms of the directory: the search and its filters, the availability update, and the back office's
service form (acceptance lists as choices, not raw JSON)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from waypoint.people import codes
from waypoint.people.forms import FREQUENT_COUNTRIES
from waypoint.people.models import Sex

from . import search, taxonomy
from .models import ExploitationType, Organisation, OrganisationType, Service


def _blank(label) -> list[tuple[str, str]]:
    return [("", label)]


def _countries_frequent_first() -> list[tuple[str, str]]:
    choices = codes.country_choices()
    first = sorted((c for c in choices if c[0] in FREQUENT_COUNTRIES), key=lambda c: FREQUENT_COUNTRIES.index(c[0]))
    return first + [c for c in choices if c[0] not in FREQUENT_COUNTRIES]


class DirectoryFilterForm(forms.Form):
    """The directory's search box and filters (GET). Invalid values are dropped with a message on their field."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Names and descriptions of organisations and services, in any script."),
    )
    type = forms.ChoiceField(label=_("Organisation type"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    service_type = forms.ChoiceField(label=_("Type of service"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False)
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=120,
                             widget=forms.NumberInput(attrs={"class": "short"}))
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    exploitation_type = forms.ChoiceField(label=_("Victim of"), required=False)
    accepting = forms.BooleanField(label=_("Accepting now"), required=False,
                                   help_text=_("Active, taking referrals and not full."))

    def __init__(self, data=None, *, user):
        super().__init__(data)
        any_label = _("Any")
        self.fields["type"].choices = _blank(_("All types")) + list(OrganisationType.choices)
        self.fields["country"].choices = _blank(any_label) + [
            (code, codes.country_name(code)) for code in search.country_codes(user)]
        self.fields["region"].choices = _blank(any_label) + [(r, r) for r in search.region_choices(user)]
        self.fields["service_type"].choices = _blank(_("Any service")) + taxonomy.service_type_choices()
        self.fields["language"].choices = _blank(any_label) + sorted(
            ((code, codes.language_name(code)) for code in search.language_codes(user)), key=lambda c: c[1])
        self.fields["sex"].choices = _blank(any_label) + list(Sex.choices)
        self.fields["nationality"].choices = _blank(any_label) + _countries_frequent_first()
        self.fields["exploitation_type"].choices = _blank(any_label) + list(ExploitationType.choices)

    def directory_query(self) -> search.DirectoryQuery:
        """The query from the valid fields; a field with an error is left out (and shows its error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return search.DirectoryQuery(
            q=data.get("q") or "", organisation_type=data.get("type") or "", country=data.get("country") or "",
            region=data.get("region") or "", service_type=data.get("service_type") or "",
            language=data.get("language") or "", sex=data.get("sex") or "", age=data.get("age"),
            nationality=data.get("nationality") or "", exploitation_type=data.get("exploitation_type") or "",
            accepting_now=bool(data.get("accepting")),
        )

    @property
    def person_filters_used(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) not in (None, "") for name in ("sex", "age", "nationality", "exploitation_type"))


class AvailabilityForm(forms.Form):
    """Free places now and whether referrals are taken: what a partner keeps current."""

    available = forms.IntegerField(
        label=_("Free places now"), required=False, min_value=0,
        help_text=_("Leave empty if the service does not count places."),
        widget=forms.NumberInput(attrs={"class": "short"}),
    )
    accepting_referrals = forms.BooleanField(label=_("Accepting referrals"), required=False)

    def __init__(self, *args, service: Service, **kwargs):
        self.service = service
        # One form per service on an organisation's page: ids must differ for labels to find their input.
        kwargs.setdefault("auto_id", f"id_{service.pk.hex[:8]}_%s")
        kwargs.setdefault("initial", {"available": service.available,
                                      "accepting_referrals": service.accepting_referrals})
        super().__init__(*args, **kwargs)
        if service.capacity is not None:
            self.fields["available"].max_value = service.capacity
            self.fields["available"].widget.attrs["max"] = service.capacity
            self.fields["available"].help_text = _("Capacity: %(capacity)d.") % {"capacity": service.capacity}

    def clean_available(self):
        value = self.cleaned_data.get("available")
        capacity = self.service.capacity
        if value is not None and capacity is not None and value > capacity:
            raise ValidationError(_("Free places (%(available)d) cannot exceed the capacity (%(capacity)d)."),
                                  params={"available": value, "capacity": capacity})
        return value


# --- Back office -------------------------------------------------------------------------------
def _https_formfield(db_field, **kwargs):
    """A web address typed without a scheme is taken to be https://."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class ServiceAdminForm(forms.ModelForm):
    """The service in the back office: who it accepts as ticked choices, its types from the taxonomy."""

    accepts_sexes = forms.MultipleChoiceField(
        label=_("Accepts sexes"), required=False, choices=Sex.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: anyone."),
    )
    accepts_exploitation_types = forms.MultipleChoiceField(
        label=_("Accepts victims of"), required=False, choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: victims of any form of exploitation."),
    )
    accepts_nationalities = forms.MultipleChoiceField(
        label=_("Accepts nationalities"), required=False, help_text=_("None chosen: any nationality."),
        widget=FilteredSelectMultiple(_("nationalities"), is_stacked=False),
    )
    service_types = forms.MultipleChoiceField(
        label=_("Service types"), required=False, widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Service
        fields = "__all__"  # noqa: DJ007 - the back office edits every HSDS field
        formfield_callback = _https_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepts_nationalities"].choices = _countries_frequent_first()
        self.fields["service_types"].choices = taxonomy.service_type_choices()
        if self.instance.pk:
            self.initial["service_types"] = taxonomy.service_types_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("minimum_age"), cleaned.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("The maximum age is below the minimum age."))
        capacity, available = cleaned.get("capacity"), cleaned.get("available")
        if capacity is not None and available is not None and available > capacity:
            self.add_error("available", _("Free places (%(available)d) cannot exceed the capacity (%(capacity)d).")
                           % {"available": available, "capacity": capacity})
        return cleaned


class OrganisationAdminForm(forms.ModelForm):
    country = forms.ChoiceField(label=_("Country"), required=False)

    class Meta:
        model = Organisation
        fields = "__all__"  # noqa: DJ007 - the back office edits every HSDS field
        formfield_callback = _https_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _blank("—") + codes.country_choices()
