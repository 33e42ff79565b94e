"""Forms of the consultation log. The rules live in `services`; forms shape keyboard-friendly input (a
country typed as a code or a name, the call-back in the same submit) and keep each error on its field."""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from typing import Any

import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Office, User
from waypoint.people import codes

from . import services
from .models import (
    RUSSIAN_NATIONAL,
    AgeBand,
    CallerSex,
    CallerType,
    CampaignMaterial,
    Channel,
    Consultation,
    Outcome,
    Topic,
)

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
# The languages the centres hear most (the seeds: leaflets in Russian, Tajik and Uzbek), listed first.
FREQUENT_LANGUAGES = ("ru", "tg", "uz", "ky", "kk", "uk", "ro", "az", "hy", "ka", "tk", "en")
FREQUENT_COUNTRIES = ("UZ", "TJ", "KG", "KZ", "UA", "MD", "BY", "AZ", "AM", "GE", "TM", "AF", "VN", "CN")
# What people say rather than the ISO short name.
COUNTRY_ALIASES = {
    "RU": ("Russia", "Россия", "РФ"),
    "MD": ("Moldova", "Молдова", "Молдавия"),
    "KG": ("Kyrgyzstan", "Kirghizia", "Кыргызстан"),
    "BY": ("Belarus", "Белоруссия"),
    "VN": ("Vietnam",),
    "KR": ("South Korea", "Южная Корея"),
    "KP": ("North Korea", "КНДР", "Северная Корея"),
    "US": ("USA", "США", "Америка"),
    "GB": ("UK", "Great Britain", "Великобритания", "Англия"),
    "SY": ("Syria", "Сирия"),
    "IR": ("Iran",),
    "CZ": ("Czech Republic", "Чехия"),
    "TR": ("Turkey", "Турция"),
}
_CODE_IN_BRACKETS = re.compile(r"\(([A-Za-z]{2})\)\s*$")


def datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"}, format="%Y-%m-%dT%H:%M")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Every name a country goes by, case-folded, in English and Russian: name -> ISO code."""
    names: dict[str, str] = {}
    russian = codes._catalogue("iso3166-1", "ru")
    for country in pycountry.countries:
        forms_ = [country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")]
        forms_ += [russian.gettext(name) for name in forms_ if name]
        forms_ += [country.alpha_3, *COUNTRY_ALIASES.get(country.alpha_2, ())]
        for name in forms_:
            if name:
                names.setdefault(name.casefold(), country.alpha_2)
    return names


def resolve_country(text: str) -> str | None:
    """The ISO code of a country typed as a code (UZ, UZB), a name in English or Russian, the start of a
    name ("Uzbek", "Узбек") or a suggestion of the list ("Uzbekistan (UZ)"). None when unknown or ambiguous."""
    text = " ".join((text or "").split())
    if not text:
        return None
    bracketed = _CODE_IN_BRACKETS.search(text)
    if bracketed and bracketed.group(1).upper() in codes.COUNTRY_CODES:
        return bracketed.group(1).upper()
    if len(text) == 2 and text.upper() in codes.COUNTRY_CODES:
        return text.upper()
    folded = text.casefold()
    names = _country_names()
    if folded in names:
        return names[folded]
    for matches in (
        {code for name, code in names.items() if name.startswith(folded)},
        {code for name, code in names.items() if any(word.startswith(folded) for word in re.split(r"[\s,(-]+", name))},
    ):
        if len(matches) == 1:
            return matches.pop()
        if matches:
            return None
    return None


def country_suggestions() -> list[tuple[str, str]]:
    """(code, "Name (CODE)") in the reader's language, frequent ones first, for the typeable list."""
    frequent = [(code, codes.country_name(code)) for code in FREQUENT_COUNTRIES]
    others = [(code, name) for code, name in codes.country_choices() if code not in FREQUENT_COUNTRIES]
    return [(code, f"{name} ({code})") for code, name in frequent + others if code != RUSSIAN_NATIONAL]


def language_groups() -> list:
    frequent = [(code, codes.language_name(code)) for code in FREQUENT_LANGUAGES]
    others = [c for c in codes.language_choices() if c[0] not in FREQUENT_LANGUAGES]
    return [("", _("Not known")), (_("Most frequent"), frequent), (_("All others"), others)]


def _topic_queryset(current: Consultation | None):
    active = Topic.objects.filter(is_active=True)
    if current is not None and current.pk:
        active = Topic.objects.filter(pk__in=active.values("pk")) | Topic.objects.filter(consultations=current)
    return active.distinct().order_by("position", "name_en")


def _material_queryset(current: Consultation | None):
    active = CampaignMaterial.objects.filter(is_active=True)
    if current is not None and current.heard_from_id:
        active = active | CampaignMaterial.objects.filter(pk=current.heard_from_id)
    return active.order_by("position", "name_en")


class TopicLabels(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.name


class MaterialLabels(forms.ModelChoiceField):
    def label_from_instance(self, obj: CampaignMaterial) -> str:
        return obj.name


class NationalityChoice:
    UNKNOWN = ""
    RUSSIAN = "RU"
    OTHER = "other"


class ConsultationForm(forms.Form):
    """One compact form for a live call, in the order an operator hears things; every field has a default
    but the caller type, the topics and the outcome, so that a short call is a few keystrokes."""

    caller_type = forms.ChoiceField(
        label=_("Caller"), choices=CallerType.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose who the caller is."), "invalid_choice": _("Choose who the caller is.")},
    )
    topics = TopicLabels(
        label=_("Topics"), queryset=Topic.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one topic."),
            "invalid_choice": _("One of the chosen topics is not in the list."),
            "invalid_pk_value": _("One of the chosen topics is not in the list."),
        },
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), required=False, widget=forms.RadioSelect,
        choices=[
            (NationalityChoice.UNKNOWN, _("Not known")), (NationalityChoice.RUSSIAN, _("Russian national")),
            (NationalityChoice.OTHER, _("Other country")),
        ],
    )
    country = forms.CharField(
        label=_("Country"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"list": "country-list", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("An ISO code (UZ) or a name in English or Russian."),
    )
    caller_language = forms.ChoiceField(label=_("Language"), required=False, choices=language_groups)
    caller_sex = forms.ChoiceField(
        label=_("Sex"), required=False, widget=forms.RadioSelect,
        choices=[("", _("Not known")), *[(v, label) for v, label in CallerSex.choices if v]],
    )
    caller_age_band = forms.ChoiceField(
        label=_("Age"), required=False, widget=forms.RadioSelect,
        choices=[("", _("Not known")), *[(v, label) for v, label in AgeBand.choices if v]],
    )
    heard_from = MaterialLabels(
        label=_("Heard of us from"), required=False, queryset=CampaignMaterial.objects.none(),
        empty_label=_("Not known"),
        error_messages={"invalid_choice": _("Choose a campaign material from the list.")},
    )
    answer = forms.CharField(
        label=_("Answer given"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome."), "invalid_choice": _("Choose the outcome.")},
    )
    needs_call_back = forms.BooleanField(label=_("Needs a call-back or another follow-up"), required=False)
    follow_up_action = forms.CharField(
        label=_("What to do"), required=False, max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    follow_up_contact = forms.CharField(
        label=_("How to reach the caller"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("A phone number, a messenger or a time to call. Stored encrypted."),
    )
    follow_up_due_at = forms.DateTimeField(
        label=_("Due"), required=False, input_formats=DATETIME_INPUT_FORMATS, widget=datetime_widget(),
        error_messages={"invalid": _("Enter the due date and time, e.g. 2026-05-04 10:00.")},
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose the channel."), "invalid_choice": _("Choose the channel.")},
    )
    started_at = forms.DateTimeField(
        label=_("Started at"), input_formats=DATETIME_INPUT_FORMATS, widget=datetime_widget(),
        error_messages={
            "required": _("Enter when the consultation started."),
            "invalid": _("Enter the start date and time, e.g. 2026-05-04 14:05."),
        },
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=services.MAX_DURATION_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}),
        error_messages={
            "required": _("Enter the duration in minutes."),
            "invalid": _("Enter the duration as a whole number of minutes."),
            "min_value": _("The duration must be a whole number of minutes from 0 to 600."),
            "max_value": _("The duration must be a whole number of minutes from 0 to 600."),
        },
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Office.objects.none(),
        error_messages={
            "required": _("Choose the site."),
            "invalid_choice": _("You may log consultations only for your own site."),
        },
    )

    # What to do first: the due time is already filled in (tomorrow morning) and takes several keys to pass.
    FOLLOW_UP_FIELDS = ("follow_up_action", "follow_up_contact", "follow_up_due_at")

    def __init__(self, *args: Any, user: User, instance: Consultation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.fields["topics"].queryset = _topic_queryset(instance)
        self.fields["heard_from"].queryset = _material_queryset(instance)
        sites = services.sites_for(user)
        if instance is not None:
            sites = sites | Office.objects.filter(pk=instance.site_id)
        self.fields["site"].queryset = sites.order_by("name")
        self.single_site = self.fields["site"].queryset.count() == 1
        if self.single_site:
            self.fields["site"].widget = forms.HiddenInput()
        self.country_list = country_suggestions()
        if instance is None:
            self._new_initial()
        else:
            self._instance_initial(instance)
            for name in ("needs_call_back", *self.FOLLOW_UP_FIELDS):
                del self.fields[name]

    def _new_initial(self) -> None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        tomorrow = (now + datetime.timedelta(days=1)).replace(hour=10, minute=0)
        site = services.default_site(self.user)
        if site is None and self.single_site:
            site = self.fields["site"].queryset.first()
        self.initial.update({
            "channel": Channel.CALL, "started_at": now, "duration_minutes": 0, "outcome": Outcome.INFORMED,
            "site": site.pk if site else None, "follow_up_due_at": tomorrow,
            "nationality": NationalityChoice.UNKNOWN, "caller_sex": "", "caller_age_band": "",
        })

    def _instance_initial(self, c: Consultation) -> None:
        if c.caller_nationality == RUSSIAN_NATIONAL:
            nationality, country = NationalityChoice.RUSSIAN, ""
        elif c.caller_nationality:
            nationality = NationalityChoice.OTHER
            country = f"{codes.country_name(c.caller_nationality)} ({c.caller_nationality})"
        else:
            nationality, country = NationalityChoice.UNKNOWN, ""
        self.initial.update({
            "caller_type": c.caller_type, "topics": list(c.topics.all()), "nationality": nationality,
            "country": country, "caller_language": c.caller_language, "caller_sex": c.caller_sex,
            "caller_age_band": c.caller_age_band, "heard_from": c.heard_from_id, "answer": c.answer,
            "outcome": c.outcome, "channel": c.channel, "started_at": timezone.localtime(c.started_at),
            "duration_minutes": c.duration_minutes, "site": c.site_id,
        })

    # --- Cleaning -------------------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_nationality(data)
        if data.get("outcome") == Outcome.CALL_BACK and "needs_call_back" in self.fields:
            data["needs_call_back"] = True
        if data.get("needs_call_back"):
            if not data.get("follow_up_due_at") and "follow_up_due_at" not in self._errors:
                self.add_error("follow_up_due_at", _("Enter when the follow-up is due."))
            if not (data.get("follow_up_action") or "").strip():
                self.add_error("follow_up_action", _(
                    "Say what is to be done (for example: call back with the address of a shelter)."
                ))
        else:
            for name in self.FOLLOW_UP_FIELDS:
                self._errors.pop(name, None)
        return data

    def _clean_nationality(self, data: dict[str, Any]) -> None:
        """"Russian national" is one keystroke; another country is typed. A typed country wins over
        "not known" (the operator typed it, so it is known)."""
        choice = data.get("nationality") or ""
        typed = (data.get("country") or "").strip()
        if choice == NationalityChoice.RUSSIAN:
            data["caller_nationality"] = RUSSIAN_NATIONAL
            return
        if not typed:
            if choice == NationalityChoice.OTHER:
                self.add_error("country", _("Type the caller's country, or choose “Not known”."))
            data["caller_nationality"] = ""
            return
        code = resolve_country(typed)
        if code is None:
            self.add_error("country", _(
                "“%(value)s” is not a country we know: type its ISO code (for example UZ) or its name."
            ) % {"value": typed})
            return
        data["caller_nationality"] = code

    def consultation_data(self) -> dict[str, Any]:
        """What `services.record_consultation` and `update_consultation` take."""
        d = self.cleaned_data
        names = (
            "site", "channel", "started_at", "duration_minutes", "caller_sex", "caller_age_band",
            "caller_nationality", "caller_language", "caller_type", "heard_from", "answer", "outcome", "topics",
        )
        return {name: d.get(name) for name in names}

    def follow_up_data(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("needs_call_back"):
            return None
        return {
            "due_at": self.cleaned_data.get("follow_up_due_at"),
            "action": self.cleaned_data.get("follow_up_action"),
            "contact": self.cleaned_data.get("follow_up_contact"),
        }

    # Services name the model's fields; the form shows some of them under other inputs.
    FIELD_FOR_ERROR = {"caller_nationality": "country", "follow_up": "needs_call_back"}

    def apply_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            name = self.FIELD_FOR_ERROR.get(key, key)
            self.add_error(name if name in self.fields else None, messages)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(input id, field label, message) of every error, for the summary at the top of the form."""
        rows = []
        for name, errors in self.errors.items():
            if name == "__all__":
                continue
            field = self[name]
            target = field.auto_id
            if field.widget_type in ("radioselect", "checkboxselectmultiple"):
                target = f"{field.auto_id}_0"
            if name == "topics":
                target = "topic-filter"
            rows.extend((target, str(field.label), str(message)) for message in errors)
        return rows


class EditConsultationForm(ConsultationForm):
    """Correcting a consultation: the same fields, and what the record held when it was opened."""

    opened = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, instance: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, instance=instance, **kwargs)
        self.initial.setdefault("opened", services.fingerprint(instance))


class FollowUpForm(forms.Form):
    action = forms.CharField(
        label=_("What to do"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Say what is to be done (for example: call back with the address of a shelter)."),
        },
    )
    contact = forms.CharField(
        label=_("How to reach the caller"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("A phone number, a messenger or a time to call. Stored encrypted."),
    )
    due_at = forms.DateTimeField(
        label=_("Due"), input_formats=DATETIME_INPUT_FORMATS, widget=datetime_widget(),
        error_messages={
            "required": _("Enter when the follow-up is due."),
            "invalid": _("Enter the due date and time, e.g. 2026-05-04 10:00."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.initial.setdefault("due_at", (now + datetime.timedelta(days=1)).replace(hour=10, minute=0))


class ResultForm(forms.Form):
    result = forms.CharField(
        label=_("Result"), max_length=2000, widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Say what came of the follow-up.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is no longer needed"), required=False, max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ReassignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        label=_("Give to"), queryset=User.objects.none(),
        error_messages={
            "required": _("Choose who takes the follow-up over."),
            "invalid_choice": _("This person does not work on the consultations of this site."),
        },
    )

    def __init__(self, *args: Any, choices: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = User.objects.filter(pk__in=[u.pk for u in choices])
        self.fields["assigned_to"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class FilterForm(forms.Form):
    """Filters of the consultation list; every one optional, wrong ones ignored with a message."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=Topic.objects.none(),
                                   empty_label=_("Any"))
    site = forms.ModelChoiceField(label=_("Site"), required=False, queryset=Office.objects.none(),
                                  empty_label=_("Any"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("Any")), *Channel.choices]
        self.fields["outcome"].choices = [("", _("Any")), *Outcome.choices]
        self.fields["topic"].queryset = Topic.objects.order_by("position", "name_en")
        self.fields["topic"].label_from_instance = lambda t: t.name
        sites = services.sites_for(user)
        if sites.count() > 1:
            self.fields["site"].queryset = sites.order_by("name")
        else:
            del self.fields["site"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
