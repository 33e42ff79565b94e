from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from waypoint.core.tasks import enqueue_on_commit, send_email


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The username or password is not right. Both are case-sensitive. After %(limit)s "
            "failed attempts this account is locked on this computer for a while."
        ),
        "inactive": _("This account has been deactivated. Ask your administrator."),
    }

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["invalid_login"], code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )


class OneTimeCodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6, max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}",
                   "autofocus": True}
        ),
        error_messages={
            "required": _("Enter the six-digit code."),
            "min_length": _("The code has six digits."),
            "max_length": _("The code has six digits."),
        },
    )

    def clean_otp_token(self) -> str:
        token = self.cleaned_data["otp_token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code has only digits."))
        return token


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the task queue, sent after the request commits."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        enqueue_on_commit(send_email, subject, body, [to_email], None, from_email)
