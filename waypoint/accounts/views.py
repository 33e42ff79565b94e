"""Sign-in with a password and a second factor, enrolment, password change and reset, language."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.audit.models import Action
from waypoint.audit.services import record

from . import services
from .forms import OneTimeCodeForm, QueuedPasswordResetForm, SignInForm


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True


def _refuse_code(request, form: OneTimeCodeForm, allowed: bool, wrong_code_message: str) -> None:
    """Audit a refused one-time code and say why next to the field."""
    record(Action.SECOND_FACTOR_FAILED, request.user, actor=request.user, request=request)
    form.add_error(
        "otp_token",
        wrong_code_message if allowed else _("Too many wrong codes. Wait a minute before trying again."),
    )


@login_required
def verify(request):
    """Second step of sign-in: a code from the enrolled authenticator."""
    if not request.user.needs_second_factor or request.user.is_verified():
        return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:enrol")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["otp_token"]):
            otp_login(request, device)
            return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        _refuse_code(request, form, allowed,
                     _("That code is not right or has expired. Wait for a new code and try again."))
    return render(request, "accounts/verify.html", {"form": form, "next": _safe_next(request, "")})


@login_required
def enrol(request):
    """First sign-in of a member of staff: link an authenticator app by QR code."""
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        # Re-enrolling would let a stolen password replace the real second factor.
        return redirect("accounts:verify")
    device = services.pending_totp_device(user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and services.confirm_totp_device(device, form.cleaned_data["otp_token"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        _refuse_code(request, form, allowed,
                     _("That code is not right. Check your phone's clock and try the next code."))
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": services.qr_code_svg(device),
            "secret": services.readable_secret(device),
            "next": _safe_next(request, ""),
        },
    )


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        record(Action.UPDATE, self.request.user, actor=self.request.user,
               changes={"password": None}, request=self.request)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        record(Action.UPDATE, form.user, actor=form.user, changes={"password": None},
               request=self.request)
        return response


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user keeps the choice on their account."""
    language = request.POST.get("language", "")
    next_url = _safe_next(request, reverse("core:dashboard"))
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and request.user.language != language:
        services.set_language(request.user, language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows once a username and address have failed too often."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)
