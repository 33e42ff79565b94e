from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action


class TrailFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *Action.choices]
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def apply(self, queryset):
        data = self.cleaned_data
        if data.get("user"):
            queryset = queryset.filter(actor_username__iexact=data["user"])
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        if data.get("object_type"):
            queryset = queryset.filter(object_type__iexact=data["object_type"])
        if data.get("object_id"):
            queryset = queryset.filter(object_id=data["object_id"])
        if data.get("date_from"):
            queryset = queryset.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(at__date__lte=data["date_to"])
        return queryset
