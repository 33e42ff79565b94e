"""Forms of the programme's pages. They read and type the input; the rules are the services' (`enterprises`,
`grants`, `items`, `visits`), so the pages and the API refuse the same things with the same words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waypoint.accounts.models import Programme, User
from waypoint.cases.forms import PersonEssentialsForm
from waypoint.cases.forms_case import StaffChoiceField, active_organisations, staff_of
from waypoint.partners.models import Organisation
from waypoint.people.forms import date_widget

from . import criteria
from .models import Activity, Decision, EnterpriseRole, ItemsInUse, ItemType, Operating, Recommendation, Settlement

DAP = Programme.DIRECT_ASSISTANCE


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def amount_field(label, required: bool = True, help_text: str = "") -> forms.DecimalField:
    widget = forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})
    return forms.DecimalField(label=label, required=required, min_value=0, max_digits=12, decimal_places=2,
                              help_text=help_text, widget=widget)


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    settlement = forms.ModelChoiceField(label=_("Settlement"), required=False, queryset=Settlement.objects.all(),
                                        empty_label=_("All settlements"))
    activity = forms.ChoiceField(label=_("Activity"), required=False, choices=[("", _("All activities")),
                                                                              *Activity.choices])


class EnterpriseForm(forms.Form):
    name = forms.CharField(label=_("Name of the enterprise"), max_length=200)
    settlement = forms.ModelChoiceField(label=_("Compact settlement"), queryset=Settlement.objects.none(),
                                        empty_label="—")
    activity = forms.ChoiceField(label=_("Activity"), choices=[("", "—"), *Activity.choices])
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea(3),
                                  help_text=_("What the enterprise does, where, since when."))

    def __init__(self, *args: Any, current: Settlement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settlements = Settlement.objects.filter(in_use=True)
        if current is not None:
            settlements = Settlement.objects.filter(pk=current.pk) | settlements
        self.fields["settlement"].queryset = settlements.order_by("region", "name")


class EnterpriseEditForm(EnterpriseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MemberForm(forms.Form):
    reference = forms.CharField(label=_("Record number of a registered person"), required=False, max_length=20,
                                help_text=_("e.g. P-0000042; leave empty to register a new person below."))
    role = forms.ChoiceField(label=_("Role in the enterprise"), choices=[("", "—"), *EnterpriseRole.choices])
    joined_on = forms.DateField(label=_("Member since"), required=False, widget=date_widget())


class NewMemberForm(PersonEssentialsForm):
    """A person registered on the way, in the direct assistance programme."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self) -> dict[str, Any]:
        return forms.ModelForm.clean(self)

    def is_empty(self) -> bool:
        return not any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.fields)


class PlanForm(forms.Form):
    plan = forms.CharField(label=_("Business plan"), widget=_textarea(8),
                           help_text=_("What the enterprise will do with the items, its costs, prices and customers."))
    requested_value = amount_field(_("Requested value"))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="RUB",
                               help_text=_("ISO 4217 code, e.g. RUB, USD, EUR."))
    planned_items = forms.CharField(label=_("Planned items"), widget=_textarea(4),
                                    help_text=_("The tools, equipment, machinery or vehicles asked for, one a line."))
    expected_monthly_income = amount_field(_("Expected monthly income"), required=False)
    expected_jobs = forms.IntegerField(label=_("Expected jobs"), min_value=0, max_value=1000, initial=0)

    def plan_data(self) -> dict[str, Any]:
        names = ("plan", "requested_value", "currency", "planned_items", "expected_monthly_income", "expected_jobs")
        return {name: self.cleaned_data.get(name) for name in names}


class PlanEditForm(PlanForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ApplicationForm(PlanForm):
    applicants = forms.MultipleChoiceField(label=_("Members who apply"), widget=forms.CheckboxSelectMultiple,
                                           help_text=_("The first one ticked is the case's principal."))
    owner = StaffChoiceField(label=_("Case owner"), queryset=User.objects.none(), empty_label="—")
    received_on = forms.DateField(label=_("Application received on"), widget=date_widget())
    plan_document = forms.FileField(label=_("Business plan document (optional)"), required=False,
                                    help_text=_("Kept with the case's attachments."))

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicants"].choices = members
        self.fields["owner"].queryset = staff_of([DAP])


class AssessmentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    assessed_on = forms.DateField(label=pgettext_lazy("grant assessment", "Assessed on"), widget=date_widget())
    assessor = StaffChoiceField(label=_("Assessor"), queryset=User.objects.none(), empty_label="—")
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=[("", "—"), *Recommendation.choices])
    notes = forms.CharField(label=_("Assessment notes"), required=False, widget=_textarea(4))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = staff_of([DAP])
        scores = [(str(n), str(n)) for n in range(criteria.SCORE_MIN, criteria.SCORE_MAX + 1)]
        for criterion in criteria.CRITERIA:
            self.fields[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=criterion.label, help_text=criterion.help, coerce=int, choices=[("", "—"), *scores])

    def score_fields(self):
        return [self[f"score_{code}"] for code in criteria.CODES]

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"score_{code}"] for code in criteria.CODES}


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("Decided on"), widget=date_widget())
    approved_value = amount_field(_("Approved value"), required=False,
                                  help_text=_("At most the requested value; the items bought may not total more."))
    rejection_reason = forms.CharField(label=_("Reason for rejection"), required=False, widget=_textarea(3))


class ItemForm(forms.Form):
    item_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *ItemType.choices])
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    value = amount_field(_("Value"), help_text=_("The amount paid for the item(s), in the grant's currency."))
    supplier = forms.ModelChoiceField(label=_("Supplier from the directory"), required=False,
                                      queryset=Organisation.objects.none(), empty_label="—")
    supplier_name = forms.CharField(label=_("Or the supplier's name"), required=False, max_length=200)
    delivered_on = forms.DateField(label=_("Delivered on"), required=False, widget=date_widget())
    handover_act_number = forms.CharField(label=_("Handover act number"), required=False, max_length=40)
    handover_act_date = forms.DateField(label=_("Handover act date"), required=False, widget=date_widget())
    handover_act_file = forms.FileField(label=_("Signed handover act (optional)"), required=False,
                                        help_text=_("Kept with the case's attachments."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = active_organisations()

    def item_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in (
            "item_type", "description", "quantity", "value", "supplier", "supplier_name", "delivered_on",
            "handover_act_number", "handover_act_date")}


class ItemEditForm(ItemForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    cancelled = forms.BooleanField(label=_("Cancelled: not bought after all"), required=False)

    def item_data(self) -> dict[str, Any]:
        return {**super().item_data(), "cancelled": bool(self.cleaned_data.get("cancelled"))}


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=date_widget())
    visited_by = StaffChoiceField(label=_("Visited by"), queryset=User.objects.none(), empty_label="—")
    operating = forms.ChoiceField(label=_("Enterprise operating"), choices=Operating.choices, widget=forms.RadioSelect)
    monthly_income = amount_field(_("Monthly income"), required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    jobs_created = forms.IntegerField(label=_("Jobs created"), min_value=0, max_value=1000, initial=0)
    jobs_women = forms.IntegerField(label=_("Of which for women"), min_value=0, max_value=1000, initial=0)
    jobs_migrants = forms.IntegerField(label=_("Of which for migrants"), min_value=0, max_value=1000, initial=0)
    items_in_use = forms.ChoiceField(label=_("Items in use"), choices=ItemsInUse.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea(3))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_by"].queryset = staff_of([DAP])

    def visit_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
