"""The forms of resettlement processing. They read and type the input; the rules between fields are the
services', so the pages and the API follow the same ones."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.cases.models import Case
from waypoint.partners.models import Organisation
from waypoint.people.codes import country_choices
from waypoint.people.models import Person

from .models import (
    Category,
    ClearanceKind,
    ClearanceStatus,
    Decision,
    Destination,
    ProcessingTrip,
    ReferralSource,
    ResettlementProfile,
    ResettlementProgramme,
)
from .services import PROFILE_FIELDS

DATE = {"type": "date"}


def _date_field(label, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


def _organisations():
    return Organisation.objects.filter(is_active=True).order_by("name")


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} · {person.reference}"


def _members(case: Case):
    return Person.objects.filter(case_memberships__case=case).order_by("case_memberships__id")


class ProfileForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    destination = forms.ChoiceField(label=_("Destination country"), choices=[("", "—"), *Destination.choices])
    resettlement_programme = forms.ChoiceField(label=_("Resettlement programme"),
                                               choices=[("", "—"), *ResettlementProgramme.choices])
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices])
    referral_source = forms.ChoiceField(label=_("Referral source"), choices=[("", "—"), *ReferralSource.choices])
    unhcr_reference = forms.CharField(label=_("UNHCR reference"), required=False, max_length=40,
                                      help_text=_("For a UNHCR referral: UNHCR's reference for the case."))
    referring_organisation = forms.ModelChoiceField(
        label=_("Referring organisation"), required=False, queryset=Organisation.objects.none(),
        empty_label="—", help_text=_("From the partner directory; needed for an NGO referral."))
    relative_name = forms.CharField(label=_("Relative's name"), required=False, max_length=200,
                                    help_text=_("For family reunification: the relative already in the "
                                                "receiving country."))
    relative_relationship = forms.CharField(label=_("Relationship to the principal"), required=False,
                                            max_length=40)
    relative_location = forms.CharField(label=_("Where the relative lives"), required=False, max_length=200)
    receiving_case_number = forms.CharField(label=_("Receiving state's case number"), required=False,
                                            max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referring_organisation"].queryset = _organisations()

    @classmethod
    def initial_for(cls, profile: ResettlementProfile | None) -> dict:
        if profile is None:
            return {"version": 0}
        initial = {name: getattr(profile, name) for name in PROFILE_FIELDS}
        initial["referring_organisation"] = profile.referring_organisation_id
        initial["version"] = profile.version
        return initial

    def profile_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PROFILE_FIELDS}


class ClearanceForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Member"), queryset=Person.objects.none(), empty_label="—")
    kind = forms.ChoiceField(label=_("Clearance"), choices=[("", "—"), *ClearanceKind.choices])
    status = forms.ChoiceField(label=_("Status"), choices=ClearanceStatus.choices)
    requested_on = _date_field(_("Requested on"), required=False)
    obtained_on = _date_field(_("Obtained on"), required=False)
    valid_until = _date_field(_("Valid until"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _members(case)
        self.fields["person"].label_from_instance = lambda p: f"{p.full_name} · {p.reference}"


class ClearanceEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=ClearanceStatus.choices)
    requested_on = _date_field(_("Requested on"), required=False)
    obtained_on = _date_field(_("Obtained on"), required=False)
    valid_until = _date_field(_("Valid until"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PresentationForm(forms.Form):
    presented_on = _date_field(_("Date of the interview"))
    trip = forms.ModelChoiceField(label=_("Processing trip"), required=False, queryset=ProcessingTrip.objects.none(),
                                  empty_label=_("Not on a trip"))
    city = forms.CharField(label=_("City"), required=False, max_length=80,
                           help_text=_("Left empty on a trip: the trip's city."))
    agency = forms.CharField(label=_("Interviewing agency"), max_length=120,
                             help_text=_("E.g. USCIS (DHS), IRCC, Australian Department of Home Affairs."))
    officer = forms.CharField(label=_("Interviewing officer"), required=False, max_length=120)
    members = MemberChoiceField(label=_("Members presented"), queryset=Person.objects.none(),
                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, case: Case, trips, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _members(case)
        self.fields["trip"].queryset = trips
        self.fields["trip"].label_from_instance = lambda trip: (
            f"{trip.city} · {trip.starts_on:%Y-%m-%d} / {trip.ends_on:%Y-%m-%d}")


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[c for c in Decision.choices if c[0] != Decision.PENDING])
    decided_on = _date_field(_("Date of the decision"))
    decision_note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class OrientationForm(forms.Form):
    attended_on = _date_field(_("Attended on"))
    place = forms.CharField(label=_("Place"), max_length=120)
    members = MemberChoiceField(label=_("Members who attended"), queryset=Person.objects.none(),
                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _members(case)


class AssuranceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    agency = forms.ModelChoiceField(label=_("Resettlement agency"), queryset=Organisation.objects.none(),
                                    empty_label="—", help_text=_("From the partner directory."))
    received_on = _date_field(_("Assurance received on"))
    placement = forms.CharField(label=_("Place of resettlement"), required=False, max_length=120,
                                help_text=_("City and state or province where the agency places the family."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _organisations()


class TripForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    city = forms.CharField(label=_("City"), max_length=80,
                           widget=forms.TextInput(attrs={"list": "trip-cities", "autocomplete": "off"}))
    country = forms.ChoiceField(label=_("Country"), required=False,
                                help_text=_("Filled in for the cities in the list when left empty."))
    starts_on = _date_field(_("First day"))
    ends_on = _date_field(_("Last day"))
    staff = forms.ModelMultipleChoiceField(label=_("Staff"), queryset=Person.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=200)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def trip_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in ("city", "country", "starts_on", "ends_on", "purpose")}
        return {**data, "staff": list(self.cleaned_data.get("staff") or [])}
