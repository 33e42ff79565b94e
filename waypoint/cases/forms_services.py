"""Forms of services and movements on a case. The rules live in `deliveries` and `movements`; the forms
offer only sensible choices (the case's members, the programme's catalogue and staff) and keep every error
on its field."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db.models import Q
from django.forms import BaseForm
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.partners.models import Organisation
from waypoint.people.forms import country_groups, date_widget
from waypoint.people.models import Person

from . import deliveries
from .casework import display_name
from .models import Case, CaseMember, DeliveryStatus, EscortKind, MovementKind, ServiceDelivery, ServiceType

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def person_label(user, person: Person) -> str:
    """A member by name for staff who may open their record, by reference for the others."""
    if policy.can(user, "view", person):
        return f"{person.full_name} · {person.reference}"
    return person.reference


class PersonChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, user=None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Person) -> str:
        return person_label(self.user, obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args: Any, user=None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Person) -> str:
        return person_label(self.user, obj)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


def members(case: Case):
    return Person.objects.filter(pk__in=CaseMember.objects.filter(case=case).values("person")).order_by("pk")


def differences(form: BaseForm, saved: Any, names: Iterable[str]) -> list[tuple[str, str]]:
    """(label, saved value) of each field where what someone else saved differs from what this user sent."""
    rows = []
    for name in names:
        if name not in form.fields or name not in form.cleaned_data:
            continue
        mine, theirs = form.cleaned_data[name], getattr(saved, name)
        if hasattr(theirs, "all"):
            theirs = list(theirs.all())
            same = {item.pk for item in mine or []} == {item.pk for item in theirs}
        else:
            same = (mine or None) == (theirs or None)
        if not same:
            rows.append((capfirst(str(form.fields[name].label)), _display(form.fields[name], saved, name, theirs)))
    return rows


def _display(field: forms.Field, saved: Any, name: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(field.label_from_instance(item) for item in value)
    if isinstance(field, forms.ModelChoiceField):
        return field.label_from_instance(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


# --- Services -----------------------------------------------------------------------------------
class DeliveryForm(forms.Form):
    """A service given (or planned) on the case."""

    service_type = forms.ModelChoiceField(label=_("Service"), queryset=ServiceType.objects.none(), empty_label="—",
                                          error_messages={"required": _("Choose the service.")})
    person = PersonChoiceField(label=_("For"), queryset=Person.objects.none(), required=False,
                               empty_label=_("The whole case"))
    status = forms.ChoiceField(label=_("Status"), choices=DeliveryStatus.choices, initial=DeliveryStatus.DELIVERED)
    delivered_on = forms.DateField(label=_("Date"), widget=date_widget(),
                                   error_messages={"required": _("Give the date of the service.")})
    delivered_by = StaffChoiceField(label=_("Delivered by (staff)"), queryset=None, required=False,
                                    empty_label="—")
    partner = forms.ModelChoiceField(label=_("or by a partner organisation"),
                                     queryset=Organisation.objects.none(), required=False, empty_label="—")
    cost = forms.DecimalField(label=_("Cost"), required=False, max_digits=10, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="RUB",
                               help_text=_("ISO 4217 code: RUB, EUR, USD..."))
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=_textarea(3), max_length=4000)
    referral = forms.ModelChoiceField(label=_("Through referral"), queryset=None, required=False, empty_label="—")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("service_type", "person", "status", "delivered_on", "delivered_by", "partner", "cost", "currency",
              "outcome", "referral")

    def __init__(self, data=None, *, case: Case, user, delivery: ServiceDelivery | None = None, **kwargs: Any) -> None:
        if delivery is not None:
            kwargs.setdefault("initial", {name: getattr(delivery, name) for name in self.FIELDS}
                              | {"version": delivery.version})
        super().__init__(data, **kwargs)
        offered = [service_type.pk for service_type in deliveries.offered_types(case.programme, direct_only=True)]
        if delivery is not None:
            offered.append(delivery.service_type_id)
        self.fields["service_type"].queryset = ServiceType.objects.filter(pk__in=offered)
        self.fields["person"].queryset = members(case)
        self.fields["person"].user = user
        staff = deliveries.staff_choices(case.programme)
        partners = Organisation.objects.filter(is_active=True)
        if delivery is not None:  # what it has stays choosable, even if since gone from the lists
            staff = User.objects.filter(Q(pk__in=staff.values("pk")) | Q(pk=delivery.delivered_by_id))
            partners = Organisation.objects.filter(Q(is_active=True) | Q(pk=delivery.partner_id))
        self.fields["delivered_by"].queryset = staff.order_by("last_name", "first_name", "username")
        self.fields["partner"].queryset = partners.order_by("name")
        self.fields["referral"].queryset = policy.scope(user, case.referrals.select_related("organisation"))
        self.fields["referral"].label_from_instance = lambda referral: (
            f"{referral.reference} · {referral.organisation.name}")
        if delivery is None:
            self.fields["delivered_by"].initial = user.pk if staff.filter(pk=user.pk).exists() else None
            self.fields["delivered_on"].initial = timezone.localdate()
        else:
            self.fields["version"].required = True
            if deliveries.managed_elsewhere(delivery.service_type):
                for name in deliveries.FOLLOWS_ITS_STAY_OR_MOVEMENT:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Follows its stay or journey: change it there.")

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.FIELDS}
        data["outcome"] = data["outcome"] or ""
        return data


# --- Movements ----------------------------------------------------------------------------------
def _country_choices() -> list:
    return [("", "—"), *country_groups()]


class MovementForm(forms.Form):
    """A journey: who travels, from where to where and when, how, with which escort, at what cost."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MovementKind.choices, widget=forms.RadioSelect)
    travellers = PeopleChoiceField(label=_("Who travels"), queryset=Person.objects.none(),
                                   widget=forms.CheckboxSelectMultiple,
                                   error_messages={"required": _("Choose at least one traveller.")})
    origin = forms.CharField(label=pgettext_lazy("journey", "From"), max_length=200,
                             help_text=_("City, airport or station."))
    origin_country = forms.ChoiceField(label=_("From country"), required=False, choices=_country_choices)
    destination = forms.CharField(label=pgettext_lazy("journey", "To"), max_length=200)
    destination_country = forms.ChoiceField(label=_("To country"), required=False, choices=_country_choices)
    departs_at = forms.DateTimeField(label=_("Departure"), widget=datetime_widget(),
                                     error_messages={"required": _("Give the departure date and time.")})
    arrives_at = forms.DateTimeField(label=_("Arrival"), widget=datetime_widget(), required=False)
    carrier = forms.CharField(label=_("Carrier and flight or train"), max_length=120, required=False)
    ticket_numbers = forms.CharField(label=_("Ticket numbers"), required=False, widget=_textarea(2), max_length=2000)
    escort = forms.ChoiceField(label=_("Escort"), choices=EscortKind.choices, initial=EscortKind.NONE,
                               widget=forms.RadioSelect)
    escort_user = StaffChoiceField(label=_("Escort (staff)"), queryset=None, required=False, empty_label="—")
    escort_name = forms.CharField(label=_("or escort's name"), max_length=200, required=False,
                                  help_text=_("A doctor or escort who is not on the staff."))
    cost = forms.DecimalField(label=_("Cost"), required=False, max_digits=10, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="RUB",
                               help_text=_("ISO 4217 code: RUB, EUR, USD..."))
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(2), max_length=4000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("kind", "travellers", "origin", "origin_country", "destination", "destination_country", "departs_at",
              "arrives_at", "carrier", "ticket_numbers", "escort", "escort_user", "escort_name", "cost", "currency",
              "note")

    def __init__(self, data=None, *, case: Case, user, movement=None, **kwargs: Any) -> None:
        if movement is not None and "initial" not in kwargs:
            initial = {name: getattr(movement, name) for name in self.FIELDS if name != "travellers"}
            initial["travellers"] = list(movement.travellers.all())
            for name in ("departs_at", "arrives_at"):
                if initial[name]:
                    initial[name] = timezone.localtime(initial[name])
            kwargs["initial"] = initial | {"version": movement.version}
        super().__init__(data, **kwargs)
        self.fields["travellers"].queryset = members(case)
        self.fields["travellers"].user = user
        staff = deliveries.staff_choices(case.programme)
        if movement is not None and movement.escort_user_id:
            staff = User.objects.filter(Q(pk__in=staff.values("pk")) | Q(pk=movement.escort_user_id))
        self.fields["escort_user"].queryset = staff.order_by("last_name", "first_name", "username")
        if movement is not None:
            self.fields["version"].required = True

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.FIELDS}
        data["travellers"] = list(data["travellers"] or [])
        for name in ("origin_country", "destination_country", "carrier", "ticket_numbers", "escort_name", "note"):
            data[name] = data[name] or ""
        return data


def traveller_list(people: Sequence[Person], user) -> str:
    return ", ".join(person_label(user, person) for person in people)
