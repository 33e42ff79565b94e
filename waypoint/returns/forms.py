"""The return programme's forms. They read and type the input; the rules are the services' (so the pages and the
API follow the same ones)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.cases.models import Attachment, Case, Vulnerability
from waypoint.partners.models import Organisation
from waypoint.people.codes import country_choices

from . import documents, monitoring
from .models import DocumentKind, DocumentStatus, MigrationStatus, QuestionKind, ReturnProject

DATE = {"type": "date"}


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class ScreeningForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Return project"), queryset=ReturnProject.objects.none(),
                                     empty_label=_("Choose a project"))
    nationality = forms.ChoiceField(label=_("Nationality"), choices=())
    migration_status = forms.ChoiceField(label=_("Migration status"),
                                         choices=[("", _("Choose a status")), *MigrationStatus.choices])
    destination_country = forms.ChoiceField(label=_("Country of return"), choices=())
    destination_region = forms.CharField(label=_("Region of return"), required=False, max_length=120)
    vulnerabilities = forms.MultipleChoiceField(label=_("Vulnerabilities"), required=False,
                                                choices=Vulnerability.choices, widget=forms.CheckboxSelectMultiple)
    screened_on = _date(_("Screened on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = ReturnProject.objects.filter(active=True)
        countries = [("", _("Choose a country")), *country_choices()]
        self.fields["nationality"].choices = countries
        self.fields["destination_country"].choices = countries


class QuestionnaireForm(forms.Form):
    """One field per active question, named by its code."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            label = question.text
            if question.kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(label=label, required=False, widget=forms.RadioSelect,
                                          choices=[(o.code, o.text) for o in question.options.all()])
            elif question.kind == QuestionKind.YES_NO:
                field = forms.ChoiceField(label=label, required=False, widget=forms.RadioSelect,
                                          choices=[("yes", _("Yes")), ("no", _("No"))])
            elif question.kind == QuestionKind.NUMBER:
                field = forms.CharField(label=label, required=False, max_length=20,
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
            else:
                field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))
            field.help_text = _("Required.") if question.required else ""
            self.fields[question.code] = field

    def answers(self) -> dict:
        return {question.code: self.cleaned_data.get(question.code) for question in self.questions}


class DocumentRequestForm(forms.Form):
    person = forms.ChoiceField(label=_("Traveller"), choices=())
    authority = forms.ModelChoiceField(label=_("Embassy or consulate"), queryset=Organisation.objects.none(),
                                       empty_label=_("Choose from the directory"))
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    requested_on = _date(_("Requested on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=documents.NOTE_MAX)

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("prefix", "request")
        super().__init__(*args, **kwargs)
        self.members = {str(m.person.pk): m.person for m in case.members.select_related("person").order_by("id")}
        self.fields["person"].choices = [(pk, f"{p.reference} · {p}") for pk, p in self.members.items()]
        self.fields["authority"].queryset = documents.authorities()

    def values(self) -> dict:
        data = self.cleaned_data
        return {"person": self.members.get(data["person"]), "authority": data["authority"], "kind": data["kind"],
                "requested_on": data["requested_on"], "note": data.get("note") or ""}


class DocumentUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    status = forms.ChoiceField(label=_("Status"), choices=DocumentStatus.choices)
    issued_on = _date(_("Issued on"), required=False)
    valid_until = _date(_("Valid until"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=documents.NOTE_MAX)


class ReceptionForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Received by"), queryset=Organisation.objects.none(),
                                          empty_label=_("Choose a partner"))
    received_on = _date(_("Arrived and received on"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")


class PlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    budget = forms.DecimalField(label=_("Budget"), max_digits=10, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, help_text=_("ISO 4217 code, e.g. EUR, RUB."))
    partner = forms.ModelChoiceField(label=_("Partner on the receiving side"), required=False,
                                     queryset=Organisation.objects.none(), empty_label=_("None yet"))
    economic = forms.BooleanField(label=_("Economic support"), required=False)
    social = forms.BooleanField(label=_("Social support"), required=False)
    psychosocial = forms.BooleanField(label=_("Psychosocial support"), required=False)
    description = forms.CharField(label=_("What the plan provides"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(is_active=True).order_by("name")

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in
                ("budget", "currency", "partner", "economic", "social", "psychosocial", "description")}


class InstalmentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=10, decimal_places=2)
    paid_on = _date(_("Paid on"))
    purchased = forms.CharField(label=_("What was bought"), max_length=4000)
    receipt = forms.ModelChoiceField(label=_("Receipt"), required=False, queryset=Attachment.objects.none(),
                                     empty_label=_("No receipt kept"),
                                     help_text=_("One of the case's attachments: upload the receipt there first."))

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("prefix", "instalment")
        super().__init__(*args, **kwargs)
        self.fields["receipt"].queryset = Attachment.objects.filter(case=case, removed_at__isnull=True)
        self.fields["receipt"].label_from_instance = lambda a: f"{a.original_name} ({a.get_kind_display()})"


class VisitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    done_on = _date(_("Visited on"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for indicator in monitoring.INDICATORS:
            self.fields[indicator.code] = forms.ChoiceField(
                label=indicator.label, required=False,
                choices=[("", _("Not asked")), *[(str(v), label) for v, label in monitoring.SCALE]])

    def dimensions(self):
        return [(label, [self[i.code] for i in monitoring.INDICATORS if i.dimension == code])
                for code, label in monitoring.DIMENSIONS]

    def answers(self) -> dict:
        return {i.code: self.cleaned_data.get(i.code) for i in monitoring.INDICATORS if self.cleaned_data.get(i.code)}
