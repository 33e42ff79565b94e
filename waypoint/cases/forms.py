"""Forms of the referral pages. Rules live in the services; forms shape the input and keep every error
on its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Programme
from waypoint.consent.models import DataCategory, HowGiven
from waypoint.partners.taxonomy import service_type_choices
from waypoint.people.forms import country_groups, date_widget, language_groups
from waypoint.people.models import BirthDatePrecision, Person, Sex

from . import sharing
from .models import DeliveryMethod, ReferralDirection, ReferralStatus, RiskLevel, Vulnerability

ANONYMOUS, PERSONAL = "anonymous", "personal"


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def referral_category_choices() -> list[tuple[str, str]]:
    labels = dict(DataCategory.choices)
    return [(code, labels[code]) for code in sharing.REFERRAL_CATEGORIES]


class ServiceFilterForm(forms.Form):
    """Narrowing the directory's services while choosing one (part of the referral form)."""

    q = forms.CharField(label=_("Service or organisation"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    service_type = forms.ChoiceField(label=_("Type of service"), required=False)
    accepting_only = forms.BooleanField(label=_("Only services that would take this caller"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = [("", _("Any type")), *service_type_choices()]


class ReferralForm(forms.Form):
    """A referral of a caller: the service, why, and what is shared (by default nothing personal)."""

    service = forms.ModelChoiceField(
        label=_("Service"), queryset=None, widget=forms.RadioSelect,
        error_messages={"required": _("Choose the service the caller is referred to."),
                        "invalid_choice": _("Choose one of the services listed.")},
    )
    reason = forms.CharField(label=_("Reason for the referral"), widget=_textarea(3), max_length=4000,
                             help_text=_("What the caller needs from this service. Do not write their name here."))
    share_mode = forms.ChoiceField(
        label=_("What is sent"), widget=forms.RadioSelect, initial=ANONYMOUS,
        choices=[(ANONYMOUS, _("Only a description without personal data (sex, age, nationality, language)")),
                 (PERSONAL, _("Personal data, with the caller's consent"))],
    )
    categories = forms.MultipleChoiceField(
        label=_("Data the caller agrees to send"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=referral_category_choices,
    )
    situation = forms.CharField(label=_("Situation and needs"), required=False, widget=_textarea(3), max_length=4000)
    exploitation = forms.CharField(label=_("Exploitation history"), required=False, widget=_textarea(3),
                                   max_length=4000)
    health = forms.CharField(label=_("Health"), required=False, widget=_textarea(2), max_length=4000)
    consent_given = forms.BooleanField(
        label=_("The caller agreed that these data are sent to this organisation (oral consent; you are the witness)"),
        required=False,
    )

    def __init__(self, *args: Any, services, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("share_mode") != PERSONAL:
            data["categories"] = []
            for name in sharing.TYPED_FIELDS:
                data[name] = ""
            data["consent_given"] = False
            return data
        chosen = data.get("categories") or []
        if not chosen and "categories" not in self.errors:
            self.add_error("categories", _("Choose the data the caller agrees to send, or send no personal data."))
        for name in sharing.TYPED_FIELDS:
            if sharing.BY_NAME[name].category not in chosen:
                data[name] = ""  # hidden on the page when its kind of data is not chosen: never sent
        return data

    def typed(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in sharing.TYPED_FIELDS if self.cleaned_data.get(name)}


class PersonEssentialsForm(forms.ModelForm):
    """A person registered on the way: the essentials; the person page takes the rest later. What the caller of
    the referral pages and the new person of the case pages share."""

    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)

    class Meta:
        model = Person
        fields = ("family_name", "given_name", "patronymic", "sex", "birth_date", "phone")
        widgets = {"birth_date": date_widget(), "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = [("", _("Not recorded")), *Sex.choices]
        self.fields["citizenship"].choices = [("", _("Not known")), *country_groups()]
        for name in ("family_name", "given_name", "patronymic"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        named = (data.get("family_name") or "").strip() or (data.get("given_name") or "").strip()
        if not named and "family_name" not in self.errors:
            self.add_error("family_name", _("Enter a family name or a given name."))
        return data

    def person_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data = {name: value for name, value in data.items() if value not in (None, "")}
        if self.cleaned_data.get("citizenship"):
            data["citizenships"] = [self.cleaned_data["citizenship"]]
        return data

    def match_record(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        birth = data.get("birth_date")
        sex = data.get("sex") or ""
        return {
            "family": (data.get("family_name") or "").strip(),
            "given": (data.get("given_name") or "").strip(),
            "patronymic": (data.get("patronymic") or "").strip(),
            "birth_date": birth.isoformat() if birth else "",
            "sex": sex if sex in (Sex.FEMALE, Sex.MALE) else "",
            "citizenship": data.get("citizenship") or "",
        }


class CallerForm(PersonEssentialsForm):
    """A caller registered on the way (a referral with personal data, an escalation): the essentials;
    the person page takes the rest later."""

    email = forms.EmailField(label=_("Email"), required=False, max_length=254)

    class Meta(PersonEssentialsForm.Meta):
        fields = (*PersonEssentialsForm.Meta.fields, "email", "address")
        widgets = {**PersonEssentialsForm.Meta.widgets, "address": forms.Textarea(attrs={"rows": 2})}


class PersonChoiceForm(forms.Form):
    """Who the caller is: a record found in the registry, or a new one."""

    EXISTING, NEW = "existing", "new"

    q = forms.CharField(label=_("Name, record number or document number"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}))
    who = forms.ChoiceField(
        label=_("The caller"), widget=forms.RadioSelect, initial=NEW, required=False,
        choices=[(EXISTING, _("Is registered: choose the record below")), (NEW, _("Is not registered yet"))],
    )
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm_new = forms.BooleanField(
        label=_("I checked the possible matches: this is a different person"), required=False,
    )


class ConsentForm(forms.Form):
    """How the caller consented to be assisted by the office (the escalation's consent)."""

    how_given = forms.ChoiceField(label=_("How the caller consented"), widget=forms.RadioSelect,
                                  choices=HowGiven.choices, initial=HowGiven.ORAL)
    witness = forms.CharField(label=_("Witness or guardian"), required=False, max_length=200,
                              help_text=_("For oral consent, who heard it (you, by default); for a guardian, "
                                          "their name."))
    given_on = forms.DateField(label=_("Given on"), widget=date_widget())
    form = forms.FileField(label=_("Signed form"), required=False,
                           widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
                           help_text=_("For written consent: a PDF, JPEG or PNG scan of at most 10 MB."))
    data_categories = forms.MultipleChoiceField(
        label=_("Data the office may use"), widget=forms.CheckboxSelectMultiple, choices=DataCategory.choices,
        initial=DataCategory.values,
    )

    def __init__(self, *args: Any, witness: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("given_on", timezone.localdate())
        self.initial.setdefault("witness", witness)

    def consent_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields if self.cleaned_data.get(name)}


class EscalateForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Case owner"), queryset=None,
        help_text=_("A case worker or programme manager of the counter-trafficking programme; the case is opened "
                    "at their office."),
        error_messages={"required": _("Choose who will own the case.")},
    )
    summary = forms.CharField(label=_("Summary for the case worker"), required=False, widget=_textarea(4),
                              max_length=8000)

    def __init__(self, *args: Any, owners, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} · {user.get_role_display()} · {user.office}"
        )


class SituationForm(forms.Form):
    authority = forms.ModelChoiceField(
        label=_("Authority"), queryset=None,
        help_text=_("Law enforcement, a prosecutor's office or a government authority from the directory."),
        error_messages={"required": _("Choose the authority the situation is reported to.")},
    )
    summary = forms.CharField(label=_("What happened"), widget=_textarea(3), max_length=4000,
                              help_text=_("Who is exploited, how, by whom, as far as the caller knows. "
                                          "The caller is not named."))
    place = forms.CharField(label=_("Where"), required=False, max_length=300,
                            help_text=_("City, address or workplace, as precisely as known."))
    details = forms.CharField(label=_("Details"), required=False, widget=_textarea(5), max_length=8000)

    def __init__(self, *args: Any, authorities, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities
        self.fields["authority"].label_from_instance = lambda org: f"{org.name} · {org.get_organisation_type_display()}"


class ActionForm(forms.Form):
    """One answer to a referral, from a page opened at `version`."""

    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(3), max_length=4000)


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    direction = forms.ChoiceField(label=_("Direction"), required=False, choices=[
        ("", _("Both directions")), (ReferralDirection.OUTBOUND, _("Sent by the office")),
        (ReferralDirection.INBOUND, _("Sent to the office"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *ReferralStatus.choices]


# --- Referral from a case ---------------------------------------------------------------------
class CaseReferralForm(forms.Form):
    """A referral of a member of a case: who, to which service, why, and which kinds of their data go.

    `categories` offers only what the person's valid consents for the chosen service's organisation cover;
    anything else posted is refused on the field (the service refuses it again with the consent's reason).
    """

    person = forms.TypedChoiceField(
        label=_("Who is referred"), widget=forms.RadioSelect, coerce=int,
        error_messages={"required": _("Choose the member of the case who is referred."),
                        "invalid_choice": _("Choose one of the members of the case.")},
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=None, widget=forms.RadioSelect,
        error_messages={"required": _("Choose the service the person is referred to."),
                        "invalid_choice": _("Choose one of the services listed.")},
    )
    reason = forms.CharField(label=_("Reason for the referral"), widget=_textarea(3), max_length=4000,
                             error_messages={"required": _("Say why the person is referred.")},
                             help_text=_("What the person needs from this service; the partner reads it first."))
    categories = forms.MultipleChoiceField(
        label=_("Data sent with the referral"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _(
            "The person's consent for this organisation does not cover “%(value)s”: choose among the kinds of "
            "data listed.")},
    )
    situation = forms.CharField(label=_("Situation and needs"), required=False, widget=_textarea(3), max_length=4000)
    exploitation = forms.CharField(label=_("Exploitation history"), required=False, widget=_textarea(3),
                                   max_length=4000)
    health = forms.CharField(label=_("Health"), required=False, widget=_textarea(2), max_length=4000)
    due_on = forms.DateField(label=_("Answer due by"), required=False, widget=date_widget(),
                             help_text=_("Empty: five working days after it is sent."))

    def __init__(self, *args: Any, members, services, covered: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (member.person_id, f"{member.person.full_name} · {member.get_role_display()} · {member.person.reference}")
            for member in members
        ]
        self.fields["service"].queryset = services
        labels = dict(DataCategory.choices)
        self.fields["categories"].choices = [(code, labels[code]) for code in covered]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("categories") or []
        for name in sharing.TYPED_FIELDS:
            if sharing.BY_NAME[name].category not in chosen:
                data[name] = ""  # hidden on the page when its kind of data is not chosen: never sent
        return data

    def typed(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in sharing.TYPED_FIELDS if self.cleaned_data.get(name)}


class DeliveryForm(forms.Form):
    """How the printed referral reached an organisation without Waypoint users, and when."""

    method = forms.ChoiceField(
        label=_("Delivered by"), widget=forms.RadioSelect,
        choices=[(code, label) for code, label in DeliveryMethod.choices if code != DeliveryMethod.WAYPOINT],
        error_messages={"required": _("Say how the referral was delivered.")},
    )
    delivered_on = forms.DateField(label=_("Delivered on"), widget=date_widget(),
                                   error_messages={"required": _("Give the date it was delivered.")})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("delivered_on", timezone.localdate())


# --- Inbound: a partner refers a person to the office -----------------------------------------
class ReferToOfficeForm(forms.Form):
    """What a partner user sends about a person they refer to the office."""

    family_name = forms.CharField(label=_("Family name"), required=False, max_length=150)
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=150)
    patronymic = forms.CharField(label=_("Patronymic or middle name"), required=False, max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=date_widget())
    age = forms.IntegerField(label=_("Or age, if the date is not known"), required=False, min_value=0, max_value=120)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    situation = forms.CharField(
        label=_("Situation and needs"), widget=_textarea(5), max_length=8000,
        error_messages={"required": _("Describe the person's situation and what they need from the office.")},
        help_text=_("What happened to the person, where they are now, what help they need."))
    programme = forms.ChoiceField(label=_("Programme"), initial=Programme.COUNTER_TRAFFICKING)
    urgency = forms.ChoiceField(label=_("Urgency"), widget=forms.RadioSelect, initial=sharing.NORMAL,
                                choices=[(code, label) for code, label in sharing.URGENCY_LABELS.items()])
    consent = forms.BooleanField(
        label=_("The person consented to being referred to the office and to these details being passed on."),
        error_messages={"required": _(
            "A person is referred only with their consent: confirm that they agreed to be referred to the office "
            "and to these details being passed on.")},
    )

    def __init__(self, *args: Any, programmes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = [("", _("Not known")), *Sex.choices]
        self.fields["citizenship"].choices = [("", _("Not known")), *country_groups()]
        self.fields["language"].choices = [("", _("Not known")), *language_groups()]
        self.fields["programme"].choices = programmes
        for name in ("family_name", "given_name", "patronymic"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        named = (data.get("family_name") or "").strip() or (data.get("given_name") or "").strip()
        if not named and "family_name" not in self.errors:
            self.add_error("family_name", _("Enter a family name or a given name."))
        if data.get("birth_date") and data.get("age") is not None:
            self.add_error("age", _("Give the date of birth or the age, not both."))
        return data

    def person_data(self) -> dict[str, Any]:
        names = ("family_name", "given_name", "patronymic", "sex", "birth_date", "age", "citizenship", "language",
                 "phone")
        return {name: self.cleaned_data.get(name) for name in names
                if self.cleaned_data.get(name) not in (None, "")}


# --- The office takes an inbound referral on ---------------------------------------------------
class ReferredPersonForm(CallerForm):
    """The person of an inbound referral, registered when the case is opened: pre-filled from what the
    partner sent, corrected by staff."""

    estimated_age = forms.IntegerField(label=_("Age (when the date of birth is not known)"), required=False,
                                       min_value=0, max_value=120)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Not known")), *language_groups()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("birth_date") and data.get("estimated_age") is not None:
            self.add_error("estimated_age", _("Give the date of birth or the age, not both."))
        return data

    def person_data(self) -> dict[str, Any]:
        data = super().person_data()
        if self.cleaned_data.get("language"):
            data["languages"] = [self.cleaned_data["language"]]
        if not self.cleaned_data.get("birth_date") and self.cleaned_data.get("estimated_age") is not None:
            data.update(birth_date_precision=BirthDatePrecision.ESTIMATED,
                        estimated_age=self.cleaned_data["estimated_age"], age_estimated_on=timezone.localdate())
        return data


class OpenCaseForm(forms.Form):
    """The case opened from an inbound referral: its owner, risk, vulnerabilities and summary."""

    owner = forms.ModelChoiceField(
        label=_("Case owner"), queryset=None,
        help_text=_("A case worker or programme manager of the programme; the case is opened at their office."),
        error_messages={"required": _("Choose who will own the case.")},
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)
    vulnerabilities = forms.MultipleChoiceField(label=_("Vulnerabilities"), required=False,
                                                widget=forms.CheckboxSelectMultiple, choices=Vulnerability.choices)
    summary = forms.CharField(label=_("Summary"), required=False, widget=_textarea(5), max_length=8000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, owners, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} · {user.get_role_display()} · {user.office}"
        )
