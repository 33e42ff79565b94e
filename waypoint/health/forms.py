"""The health unit's forms: a request from the case page, the results, a cancellation, the queue's filters.

Forms check the shape of the input (a date, a choice); the rules (validity after the assessment, a follow-up for
presumptive TB...) are the service's (`services.validate_results`), so the page and the API refuse alike.
"""

from __future__ import annotations

from django import forms
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from waypoint.accounts.models import Programme
from waypoint.partners.models import Organisation, OrganisationType

from .models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment, TBResult

DATE = {"type": "date"}


def clinics():
    """Active organisations of the directory, public health institutions first."""
    health_first = When_(When(organisation_type=OrganisationType.HEALTH, then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    return Organisation.objects.filter(is_active=True).annotate(health_first=health_first).order_by(
        "health_first", "name")


class RequestForm(forms.Form):
    person = forms.TypedChoiceField(label=gettext_lazy("Member to examine"), coerce=int)
    assessment_type = forms.ChoiceField(label=gettext_lazy("Kind of examination"), choices=AssessmentType.choices)

    def __init__(self, *args, members: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (member.person_id, f"{member.person.reference} · {member.get_role_display()}") for member in members]
        self.fields["person"].error_messages["invalid_choice"] = _("Choose a member of the case to be examined.")
        self.fields["person"].error_messages["required"] = _("Choose a member of the case to be examined.")
        self.fields["assessment_type"].error_messages["invalid_choice"] = _("Choose the kind of examination.")
        self.fields["assessment_type"].error_messages["required"] = _("Choose the kind of examination.")


class ResultsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assessment_type = forms.ChoiceField(label=gettext_lazy("Kind of examination"), choices=AssessmentType.choices)
    assessed_on = forms.DateField(label=gettext_lazy("Date of the assessment"), required=False,
                                  widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    clinic = forms.ModelChoiceField(label=gettext_lazy("Clinic"), queryset=Organisation.objects.none(),
                                    required=False, empty_label=gettext_lazy("The office's own doctor"),
                                    help_text=gettext_lazy("From the partner directory: public health institutions "
                                                           "first, then every active organisation."))
    results = forms.CharField(label=gettext_lazy("Results"), required=False,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=gettext_lazy("Read only by the migration health unit; stored encrypted."))
    clearance = forms.ChoiceField(label=gettext_lazy("Clearance"), choices=Clearance.choices,
                                  help_text=gettext_lazy("Fitness to travel and immigration examinations only; "
                                                         "leave it pending for the others."))
    valid_until = forms.DateField(label=gettext_lazy("Clearance valid until"), required=False,
                                  widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                                  help_text=gettext_lazy("Required when the person is cleared to travel."))
    tb_result = forms.ChoiceField(label=gettext_lazy("TB screening result"), choices=TBResult.choices)
    follow_up_needed = forms.BooleanField(label=gettext_lazy("Follow-up needed"), required=False)
    follow_up_note = forms.CharField(label=pgettext_lazy("medical", "Follow-up"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=gettext_lazy("What is to be done: diagnosis, treatment, a referral."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = clinics()
        self.fields["clinic"].error_messages["invalid_choice"] = _("Choose a clinic from the partner directory.")
        for name in ("assessed_on", "valid_until"):
            self.fields[name].error_messages["invalid"] = _("Enter a date such as 2026-03-31.")
        for name in ("assessment_type", "clearance", "tb_result"):
            self.fields[name].error_messages["invalid_choice"] = _("Choose one of the listed values.")

    @staticmethod
    def initial_for(assessment: HealthAssessment) -> dict:
        return {
            "version": assessment.version, "assessment_type": assessment.assessment_type,
            "assessed_on": assessment.assessed_on, "clinic": assessment.clinic_id, "results": assessment.results,
            "clearance": assessment.clearance, "valid_until": assessment.valid_until,
            "tb_result": assessment.tb_result, "follow_up_needed": assessment.follow_up_needed,
            "follow_up_note": assessment.follow_up_note,
        }

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "assessment_type", "assessed_on", "clinic", "results", "clearance", "valid_until", "tb_result",
            "follow_up_needed", "follow_up_note")}


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Why is it cancelled?"), required=False, max_length=400)


FOLLOW_UP_OPEN = "open"


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    assessment_type = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    programme = forms.ChoiceField(label=gettext_lazy("Programme of the case"), required=False)
    clearance = forms.ChoiceField(label=gettext_lazy("Clearance"), required=False)
    follow_up = forms.ChoiceField(label=pgettext_lazy("medical", "Follow-up"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + list(AssessmentStatus.choices)
        self.fields["assessment_type"].choices = everything + list(AssessmentType.choices)
        self.fields["programme"].choices = everything + list(Programme.choices)
        self.fields["clearance"].choices = everything + list(Clearance.choices)
        self.fields["follow_up"].choices = [*everything, (FOLLOW_UP_OPEN, _("Follow-up open"))]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = _("Choose one of the listed values.")
