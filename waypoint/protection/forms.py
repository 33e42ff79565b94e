"""The profile form, grouped as HTCDS groups the victim's fields, and the trafficking-event form.

The forms read and type the input; the rules between fields (industry only with labour exploitation,
who decided a status...) are the service's, so the page, the API and the import all follow the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.people.codes import country_choices

from . import htcds
from .models import IdentifiedWhere, ProceedingsStatus, TraffickingProfile, VictimParticipation
from .services import PLACE_MAX_LENGTH, PLAN_MAX_LENGTH, PROFILE_FIELDS


def _blank(label, choices):
    return [("", label), *choices]


NOT_KNOWN = _("Not known")


@dataclass(frozen=True)
class Group:
    key: str
    legend: str
    help: str
    fields: tuple[str, ...]


# HTCDS `vic_` groups, then what the office records besides the standard.
GROUPS = (
    Group("status", _("Trafficking status and decision"), _("HTCDS: TraffickingStatus and who decided it."),
          ("trafficking_status", "status_decided_by")),
    Group("recruitment", _("Recruitment"), _("How the person was recruited, by whom and at what age."),
          ("relationship_to_trafficker", "age_when_trafficked", "recruitment_methods")),
    Group("control", _("Control"), _("How the traffickers kept the person under control. Tick all that apply."),
          ("control_methods",)),
    Group("exploitation", _("Exploitation"),
          _("The industry applies to forced or child labour, the type of sexual exploitation to sexual exploitation."),
          ("exploitation_types", "forced_labour_industry", "sexual_exploitation_type")),
    Group("office", _("Identification, proceedings and reintegration"), _("The office's own records."),
          ("identified_where", "repatriation_needed", "proceedings", "participation", "reintegration_plan",
           "reintegration_grant", "grant_currency")),
)


class ProfileForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    trafficking_status = forms.ChoiceField(
        label=_("Trafficking status"), choices=htcds.TraffickingStatus.choices, widget=forms.RadioSelect)
    status_decided_by = forms.ChoiceField(
        label=_("Status decided by"), required=False,
        choices=_blank(_("Not decided yet"), htcds.StatusDecidedBy.choices),
        help_text=_("Required when the person is found to be, or not to be, a victim of trafficking."))
    relationship_to_trafficker = forms.ChoiceField(
        label=_("Relationship to the trafficker"), required=False,
        choices=_blank(NOT_KNOWN, htcds.RelationshipToTrafficker.choices))
    age_when_trafficked = forms.IntegerField(
        label=_("Age when trafficked"), required=False, min_value=0, max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    recruitment_methods = forms.MultipleChoiceField(
        label=_("Methods of recruitment"), required=False, choices=htcds.MethodOfRecruitment.choices,
        widget=forms.CheckboxSelectMultiple)
    control_methods = forms.MultipleChoiceField(
        label=_("Methods of control"), required=False, choices=htcds.MethodOfControl.choices,
        widget=forms.CheckboxSelectMultiple)
    exploitation_types = forms.MultipleChoiceField(
        label=_("Types of exploitation"), required=False, choices=htcds.TypeOfExploitation.choices,
        widget=forms.CheckboxSelectMultiple)
    forced_labour_industry = forms.ChoiceField(
        label=_("Forced-labour industry (ISIC)"), required=False,
        choices=_blank(NOT_KNOWN, [(code, f"{code} · {label}") for code, label in htcds.Industry.choices]))
    sexual_exploitation_type = forms.ChoiceField(
        label=_("Type of sexual exploitation"), required=False,
        choices=_blank(NOT_KNOWN, htcds.TypeOfSexualExploitation.choices))
    identified_where = forms.ChoiceField(
        label=_("Identified"), required=False, choices=_blank(NOT_KNOWN, IdentifiedWhere.choices),
        widget=forms.RadioSelect)
    repatriation_needed = forms.BooleanField(label=_("Repatriation needed"), required=False)
    proceedings = forms.ChoiceField(label=_("Criminal proceedings"), choices=ProceedingsStatus.choices)
    participation = forms.ChoiceField(
        label=_("Victim's participation in the proceedings"), choices=VictimParticipation.choices)
    reintegration_plan = forms.CharField(
        label=_("Reintegration plan"), required=False, max_length=PLAN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Kept encrypted; it never appears on the timeline or in the audit trail."))
    reintegration_grant = forms.DecimalField(
        label=_("Reintegration grant"), required=False, min_value=0, max_digits=10, decimal_places=2)
    grant_currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("ISO 4217 code, e.g. RUB, USD, EUR."),
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}))

    @classmethod
    def initial_for(cls, profile: TraffickingProfile | None) -> dict:
        """The form's starting values: the saved profile, or a new one's defaults at version 0."""
        source = profile or TraffickingProfile(version=0)
        initial = {name: getattr(source, name) for name in PROFILE_FIELDS}
        initial["version"] = source.version if profile is not None else 0
        return initial

    def profile_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PROFILE_FIELDS}

    def groups(self):
        """Each HTCDS group with its bound fields, in the order the page shows them."""
        return [(group, [self[name] for name in group.fields]) for group in GROUPS]


class EventForm(forms.Form):
    event_type = forms.ChoiceField(label=_("Step"), choices=htcds.EventType.choices)
    country = forms.ChoiceField(label=_("Country"), choices=())
    place = forms.CharField(label=_("Place"), required=False, max_length=PLACE_MAX_LENGTH,
                            help_text=_("City or region, as precise as useful."))
    started_on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ended_on = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "event")
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country")), *country_choices()]

    def event_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("event_type", "country", "place", "started_on", "ended_on")}
