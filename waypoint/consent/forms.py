"""Forms of the consent pages. The rules of a consent record live in `consent.services`; these forms shape
the input, add what only a page can ask (the explanation checklist, the scan of a written form, a minor's
guardian) and keep every error on its field."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.forms import date_widget
from waypoint.people.models import BirthDatePrecision, Person

from . import services
from .models import DataCategory, HowGiven, Purpose

ADULT_AGE = 18
EXPIRING_DAYS = 30

# What the case worker goes through with the person before recording the consent: the guidance questions
# of the HTCDS consent table (purpose explained, use of the data, the right to one's data, storage, how
# to withdraw) and the voluntariness every informed consent rests on.
CHECKLIST = (
    ("explained_purpose", _("I explained, in a language the person understands, why the office asks and what "
                            "this consent is for.")),
    ("explained_use", _("I explained which of their data will be used or passed on, to whom, and what for.")),
    ("explained_rights", _("I told them they may see the data the office holds about them and have it "
                           "corrected.")),
    ("explained_storage", _("I explained how their data is kept safe, who in the office can see it, and for "
                            "how long it is kept.")),
    ("explained_withdrawal", _("I told them they may withdraw this consent at any time, how to do it, and that "
                               "refusing or withdrawing does not stop the office's help.")),
    ("agreed_freely", _("The person had the chance to ask questions and agreed freely, without pressure.")),
)

# In plain words, what the person agrees to with each purpose (shown next to the purpose chosen).
PURPOSE_EXPLANATIONS = {
    Purpose.ASSISTANCE: _("The office itself uses the data ticked below to help the person: counselling, "
                          "accommodation, medical care, travel. Nobody outside the office receives them under "
                          "this consent."),
    Purpose.REFERRAL: _("The office sends the data ticked below to the organisation named (or to any organisation "
                        "of the chosen type) so that it can provide its service. The organisation receives only "
                        "these data, and only when the office refers the person to it."),
    Purpose.LAW_ENFORCEMENT: _("The office passes the data ticked below to the police, prosecutor or court named, "
                               "for example to support an investigation of the trafficking. The person decides "
                               "freely: refusing does not affect the help they get."),
    Purpose.STATISTICS: _("The data ticked below are counted in anonymised statistics and reports. Nobody can "
                          "tell from them who the person is."),
    Purpose.RETURN_TRAVEL: _("The data ticked below are used to organise the person's journey home: tickets, travel "
                             "documents, reception on arrival. They go to carriers and authorities only as far as "
                             "the journey needs."),
}


def age_on(person: Person, on: datetime.date) -> int | None:
    """The person's age in whole years on a date, from the date of birth as recorded (None: unknown)."""
    born = person.birth_date
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def certainly_minor(person: Person, on: datetime.date) -> bool:
    """A minor on that date whatever the day of birth: an exact date, or a year only (its 1 January makes the
    oldest possible age). An age estimated by eye is only a hint."""
    age = age_on(person, on)
    return (age is not None and age < ADULT_AGE
            and person.birth_date_precision in (BirthDatePrecision.EXACT, BirthDatePrecision.YEAR))


def possibly_minor(person: Person, on: datetime.date) -> bool:
    age = age_on(person, on)
    return age is not None and age < ADULT_AGE


def birth_text(person: Person) -> str:
    if person.birth_date is None:
        return ""
    if person.birth_date_precision in (BirthDatePrecision.YEAR, BirthDatePrecision.ESTIMATED):
        return str(person.birth_date.year)
    return person.birth_date.isoformat()


def organisation_label(organisation: Organisation) -> str:
    return f"{organisation.name} · {organisation.get_organisation_type_display()}"


class ConsentForm(forms.Form):
    """A person's consent, as a case worker records it after explaining it (`consent:record`)."""

    purpose = forms.ChoiceField(
        label=_("What the person agrees to"), widget=forms.RadioSelect, choices=Purpose.choices,
        error_messages={"required": _("Choose what the consent is for."),
                        "invalid_choice": _("Choose one of the purposes listed.")},
    )
    recipient_organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("— no organisation named —"),
        help_text=_("An organisation of the directory. Type part of its name above the list to find it."),
        error_messages={"invalid_choice": _("Choose an active organisation of the directory.")},
    )
    recipient_type = forms.ChoiceField(
        label=_("or any organisation of this type"), required=False,
        choices=[("", _("— no type —")), *OrganisationType.choices],
        error_messages={"invalid_choice": _("Choose one of the types listed.")},
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Data that may be used or shared"), widget=forms.CheckboxSelectMultiple,
        choices=DataCategory.choices,
        error_messages={"required": _("Choose at least one kind of data the consent covers."),
                        "invalid_choice": _("Unknown kind of data: %(value)s.")},
    )
    how_given = forms.ChoiceField(
        label=_("How the consent was given"), widget=forms.RadioSelect, choices=HowGiven.choices,
        error_messages={"required": _("Say how the consent was given."),
                        "invalid_choice": _("Choose one of the ways listed.")},
    )
    form = forms.FileField(
        label=_("Scan of the signed form"), required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        help_text=_("A PDF, JPEG or PNG file of at most 10 MB. It is stored under a random name and opened only "
                    "through Waypoint."),
        error_messages={"empty": _("The file of the signed form is empty."),
                        "invalid": _("Upload the signed form as a file.")},
    )
    witness = forms.CharField(
        label=_("Witness or guardian"), required=False, max_length=200,
        help_text=_("Oral consent: the full name of the witness who heard it. By a guardian: the full name of the "
                    "parent, guardian or legal representative who consented."),
        error_messages={"max_length": _("Keep the name under %(limit_value)d characters.")},
    )
    given_on = forms.DateField(
        label=_("Given on"), widget=date_widget(),
        error_messages={"required": _("Give the date the consent was given."),
                        "invalid": _("Enter the date the consent was given as a date (YYYY-MM-DD).")},
    )
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=date_widget(),
        help_text=_("Leave empty when the consent runs until it is withdrawn."),
        error_messages={"invalid": _("Enter the expiry as a date (YYYY-MM-DD).")},
    )

    def __init__(self, *args: Any, person: Person, organisations, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        field = self.fields["recipient_organisation"]
        field.queryset = organisations
        field.label_from_instance = organisation_label
        field.widget.attrs.update({"size": 8, "class": "recipient-list"})
        today = timezone.localdate()
        self.fields["given_on"].widget.attrs["max"] = today.isoformat()
        self.initial.setdefault("given_on", today)
        for name, label in CHECKLIST:
            self.fields[name] = forms.BooleanField(
                label=label, required=True,
                error_messages={"required": _("Tick this once you have explained it to the person.")},
            )

    @property
    def checklist(self) -> list[forms.BoundField]:
        return [self[name] for name, _label in CHECKLIST]

    @property
    def explanations(self) -> list[tuple[str, str]]:
        return [(str(code), str(text)) for code, text in PURPOSE_EXPLANATIONS.items()]

    def clean_form(self):
        upload = self.cleaned_data.get("form")
        if upload:
            try:
                services.check_form(upload)  # the real type from the first bytes, and the size
            except ValidationError as error:
                raise ValidationError(error.message_dict.get("form", error.messages)) from None
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        purpose, how = cleaned.get("purpose"), cleaned.get("how_given")
        if purpose in services.PURPOSES_OF_THE_OFFICE:
            # The page hides the recipient for the office's own purposes: what was picked before is dropped.
            cleaned["recipient_organisation"], cleaned["recipient_type"] = None, ""
        if how == HowGiven.WRITTEN and not cleaned.get("form") and "form" not in self.errors:
            self.add_error("form", _("Written consent needs the scan of the signed form."))
        given_on = cleaned.get("given_on")
        if how and how != HowGiven.GUARDIAN and given_on and certainly_minor(self.person, given_on):
            self.add_error("how_given", _(
                "The person was a minor on %(date)s (born %(birth)s): their consent is given by a parent, guardian "
                "or legal representative. Choose “%(guardian)s” and give the guardian's name."
            ) % {"date": given_on.isoformat(), "birth": birth_text(self.person), "guardian": HowGiven.GUARDIAN.label})
        return cleaned

    def consent_data(self) -> dict[str, Any]:
        """The keyword arguments of `services.record_consent`."""
        cleaned = self.cleaned_data
        return {
            "purpose": cleaned["purpose"], "recipient_organisation": cleaned.get("recipient_organisation"),
            "recipient_type": cleaned.get("recipient_type") or "", "data_categories": cleaned["data_categories"],
            "how_given": cleaned["how_given"], "witness": cleaned.get("witness") or "",
            "given_on": cleaned["given_on"], "expires_on": cleaned.get("expires_on"),
            "form": cleaned.get("form") or None,
        }


# --- The registry's filters --------------------------------------------------------------------
VALID, EXPIRED, WITHDRAWN = "valid", "expired", "withdrawn"
STATES = ((VALID, _("Valid")), (EXPIRED, _("Expired")), (WITHDRAWN, _("Withdrawn")))


class RegistryFilterForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=[("", _("Any purpose")),
                                                                              *Purpose.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any state")), *STATES])
    expiring = forms.BooleanField(label=_("Expiring within 30 days"), required=False)
    how_given = forms.ChoiceField(label=_("How given"), required=False, choices=[("", _("Any way")),
                                                                                 *HowGiven.choices])
    organisation = forms.ModelChoiceField(
        label=_("Recipient organisation"), required=False, queryset=Organisation.objects.none(),
        empty_label=_("Any organisation"),
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    given_from = forms.DateField(label=_("Given from"), required=False, widget=date_widget(),
                                 error_messages={"invalid": _("Enter the first date as YYYY-MM-DD.")})
    given_to = forms.DateField(label=_("Given until"), required=False, widget=date_widget(),
                               error_messages={"invalid": _("Enter the last date as YYYY-MM-DD.")})

    def __init__(self, *args: Any, organisations, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("given_from"), cleaned.get("given_to")
        if start and end and start > end:
            self.add_error("given_to", _("The last date comes before the first."))
        return cleaned
