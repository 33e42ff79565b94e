from django import forms
from django.utils.translation import gettext_lazy as _


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100,
        help_text=_("What the token is for, e.g. “monthly statistics script”."),
        error_messages={"required": _("Give the token a name, so you recognise it later.")},
    )
    valid_days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, initial=90,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("one year"))],
    )
