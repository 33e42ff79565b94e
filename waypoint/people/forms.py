"""Forms of the registry pages. The rules live in the models and `validation`; forms shape the input
(date of birth in three ways, Latin forms typed or computed) and keep every error on its field."""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Programme, User

from . import codes
from .models import BirthDatePrecision, DocumentType, IdentityDocument, Person, PersonAlias, Sex
from .services import PERSON_FIELDS
from .transliteration import icao_latin
from .validation import validate_birth_date

NAME_FIELDS = ("family_name", "given_name", "patronymic")
LATIN_FIELDS = ("family_name_latin", "given_name_latin", "patronymic_latin")
ALIAS_FIELDS = ("kind", "family_name", "given_name", "patronymic")
# The inputs each kind of date of birth uses (the others are hidden on the page).
BIRTH_INPUTS: dict[str, tuple[str, ...]] = {
    BirthDatePrecision.EXACT: ("birth_date",),
    BirthDatePrecision.YEAR: ("birth_year",),
    BirthDatePrecision.ESTIMATED: ("estimated_age", "age_estimated_on"),
}
ALL_BIRTH_INPUTS = ("birth_date", "birth_year", "estimated_age", "age_estimated_on")
# What the office meets most, listed first so that the long lists rarely need scrolling.
FREQUENT_COUNTRIES = ("RU", "UA", "BY", "MD", "UZ", "TJ", "KG", "KZ", "TM", "AZ", "AM", "GE", "AF")
FREQUENT_LANGUAGES = ("ru", "uk", "be", "ro", "uz", "tg", "ky", "kk", "tk", "az", "hy", "ka", "fa", "en")


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _grouped(choices: list[tuple[str, str]], frequent: tuple[str, ...]) -> list:
    first = sorted((c for c in choices if c[0] in frequent), key=lambda choice: frequent.index(choice[0]))
    return [(_("Most frequent"), first), (_("All others"), [c for c in choices if c[0] not in frequent])]


def country_groups() -> list:
    return _grouped(codes.country_choices(), FREQUENT_COUNTRIES)


def language_groups() -> list:
    return _grouped(codes.language_choices(), FREQUENT_LANGUAGES)


def programme_choices(codes_: list[str]) -> list[tuple[str, str]]:
    labels = dict(Programme.choices)
    return [(code, labels.get(code, code)) for code in codes_]


class PersonForm(forms.ModelForm):
    """The person's own fields, shared by registration and editing."""

    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1, max_value=9999)
    citizenships = forms.MultipleChoiceField(
        label=_("Citizenships"), required=False, choices=country_groups,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, choices=language_groups,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)

    class Meta:
        model = Person
        fields = (
            *NAME_FIELDS, *LATIN_FIELDS, "sex", "birth_date_precision", "birth_date", "estimated_age",
            "age_estimated_on", "citizenships", "languages", "phone", "email", "address", "other_contacts",
        )
        widgets = {
            "sex": forms.RadioSelect,
            "birth_date_precision": forms.RadioSelect,
            "birth_date": date_widget(),
            "age_estimated_on": date_widget(),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "other_contacts": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "other_contacts": _("Messengers, relatives or others through whom the person can be reached."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = [("", _("Not recorded")), *Sex.choices]
        self.fields["birth_date_precision"].choices = [("", _("Not known")), *BirthDatePrecision.choices]
        self.fields["birth_date_precision"].label = _("Date of birth")
        self.fields["birth_date"].label = _("Day, month and year")
        for name in (*NAME_FIELDS, *LATIN_FIELDS):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        instance = self.instance
        if instance.pk is None:
            self.initial.setdefault("birth_date_precision", BirthDatePrecision.EXACT)
        elif instance.birth_date and instance.birth_date_precision != BirthDatePrecision.EXACT:
            self.initial.setdefault("birth_year", instance.birth_date.year)
        if not self.initial.get("age_estimated_on"):
            self.initial["age_estimated_on"] = timezone.localdate()

    def _clean_latin_field(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in value):
            raise ValidationError(_("Use Latin letters only, as in a passport."), code="not_latin")
        return value

    def clean_family_name_latin(self) -> str:
        return self._clean_latin_field("family_name_latin")

    def clean_given_name_latin(self) -> str:
        return self._clean_latin_field("given_name_latin")

    def clean_patronymic_latin(self) -> str:
        return self._clean_latin_field("patronymic_latin")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_birth(data)
        self._clean_latin(data)
        return data

    def _clean_birth(self, data: dict[str, Any]) -> None:
        """Keep only the inputs of the chosen kind of date; a year becomes 1 January of that year.

        The other inputs are hidden on the page, so what is left in them (and their errors) is dropped.
        An exact date left empty is simply not known; an estimated age is turned into a year by the model.
        """
        precision = data.get("birth_date_precision") or ""
        used = BIRTH_INPUTS.get(precision, ())
        for name in ALL_BIRTH_INPUTS:
            if name not in used:
                self._errors.pop(name, None)
                data[name] = None
        if precision != BirthDatePrecision.YEAR:
            return
        year = data.get("birth_year")
        if year is None:
            if "birth_year" not in self._errors:
                self.add_error("birth_year", ValidationError(_("Enter the year of birth."), code="required"))
            return
        try:
            validate_birth_date(datetime.date(year, 1, 1))
        except ValidationError as error:
            self.add_error("birth_year", error)
        else:
            data["birth_date"] = datetime.date(year, 1, 1)

    def _clean_latin(self, data: dict[str, Any]) -> None:
        """Latin forms typed in are kept (latin_is_custom); empty ones are computed from the names.

        Whether a form was typed is read from the input alone, never compared with the saved record, so that
        a form re-shown after a conflict means the same as when it was first sent.
        """
        pairs = zip(NAME_FIELDS, LATIN_FIELDS, strict=True)
        computed = {latin: icao_latin(data.get(name) or "") for name, latin in pairs}
        typed = {name: data.get(name) or computed[name] for name in LATIN_FIELDS}
        custom = any(data.get(name) for name in LATIN_FIELDS) and typed != computed
        for name in LATIN_FIELDS:
            data[name] = typed[name] if custom else computed[name]
        data["latin_is_custom"] = custom

    def person_data(self) -> dict[str, Any]:
        """What the services take: only the person's fields."""
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS if name in self.cleaned_data}

    def match_record(self) -> dict[str, str]:
        """The record the matcher compares, from whatever is valid so far (the form may be half typed)."""
        data = getattr(self, "cleaned_data", {})
        precision = data.get("birth_date_precision") or ""
        birth = ""
        if precision == BirthDatePrecision.EXACT and data.get("birth_date"):
            birth = data["birth_date"].isoformat()
        elif precision == BirthDatePrecision.YEAR and data.get("birth_date"):
            birth = str(data["birth_date"].year)
        elif precision == BirthDatePrecision.ESTIMATED and data.get("estimated_age") is not None:
            on = data.get("age_estimated_on") or timezone.localdate()
            birth = str(on.year - data["estimated_age"])
        sex = data.get("sex") or ""
        return {
            "family": (data.get("family_name") or "").strip(),
            "given": (data.get("given_name") or "").strip(),
            "patronymic": (data.get("patronymic") or "").strip(),
            "birth_date": birth,
            "sex": sex if sex in (Sex.FEMALE, Sex.MALE) else "",
            "citizenship": (data.get("citizenships") or [""])[0],
        }


class RegisterForm(PersonForm):
    """Registration: the person, the programme it is registered in, and the duplicate acknowledgement."""

    programme = forms.ChoiceField(label=_("Programme"))
    confirm_new = forms.BooleanField(
        label=_("I checked the possible matches: this is a different person"), required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        field.choices = programme_choices(list(user.programmes or []))
        if len(field.choices) == 1:
            field.widget = forms.HiddenInput()
            self.initial["programme"] = field.choices[0][0]


class EditForm(PersonForm):
    """Editing: `version` is the version the user opened, so that a newer save is not overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        if not self.instance.latin_is_custom:
            # A computed Latin form is shown as a hint only: left empty, it follows the names as they change.
            for name in LATIN_FIELDS:
                self.fields[name].widget.attrs["placeholder"] = getattr(self.instance, name)
                self.initial[name] = ""


class AliasForm(forms.ModelForm):
    """Another name of the person (a spelling from a document, a previous name, an alias)."""

    class Meta:
        model = PersonAlias
        fields = ALIAS_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            choice for choice in self.fields["kind"].choices if choice[0] != "merged"
        ]
        for name in ALIAS_FIELDS[1:]:
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def alias_data(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in ALIAS_FIELDS}


AliasFormSet = forms.formset_factory(AliasForm, extra=2, max_num=10, validate_max=True)


class DocumentForm(forms.ModelForm):
    """An identity document; the number is normalised and checked by the model."""

    issuing_country = forms.ChoiceField(label=_("Issuing country"), required=False)

    class Meta:
        model = IdentityDocument
        fields = ("document_type", "number", "issuing_country", "issued_on", "expires_on")
        widgets = {
            "number": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "issued_on": date_widget(),
            "expires_on": date_widget(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuing_country"].choices = [("", _("Not known")), *country_groups()]
        self.fields["document_type"].choices = [("", _("Choose…")), *DocumentType.choices]

    def document_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo file"), widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("A JPEG or PNG image of at most 5 MB."),
    )


class ProgrammeForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = choices
        if len(choices) == 1:
            self.fields["programme"].widget = forms.HiddenInput()
            self.initial["programme"] = choices[0][0]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, record number or document number"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Any script and any spelling: «Ковальчук Юлия», “Kovalchuk Yulia”, P-0000042."),
    )
