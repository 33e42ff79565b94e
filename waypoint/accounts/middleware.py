"""Session rules that apply to every page: idle timeout, the user's language, the second factor."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from django_otp import devices_for_user

LAST_ACTIVITY = "waypoint_last_activity"
ACTIVITY_PRECISION = 60  # seconds


class IdleTimeoutMiddleware:
    """Sign out a session left idle longer than SESSION_IDLE_MINUTES, and say why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY, now)
            if now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                minutes = settings.SESSION_IDLE_MINUTES
                messages.info(
                    request,
                    ngettext(
                        "You were signed out after %(minutes)d minute without activity. Sign in again to continue.",
                        "You were signed out after %(minutes)d minutes without activity. Sign in again to continue.",
                        minutes,
                    ) % {"minutes": minutes},
                )
                login_url = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
                if request.headers.get("HX-Request"):
                    # htmx swaps fragments; tell it to load the sign-in page as a whole.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login_url
                    return response
                return redirect(login_url)
            # Writing the session on every request would cost a database write per page;
            # a minute's precision is plenty for a 30-minute timeout.
            if now - last >= ACTIVITY_PRECISION or LAST_ACTIVITY not in request.session:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class SecondFactorMiddleware:
    """Staff who have given only a password may reach nothing but the second-factor pages."""

    OPEN_PREFIXES = ("/static/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.needs_second_factor
            and not user.is_verified()
            and not request.path.startswith(self.OPEN_PREFIXES)
            and request.path not in self.allowed_paths()
        ):
            enrolled = any(True for _device in devices_for_user(user, confirmed=True))
            target = "accounts:verify" if enrolled else "accounts:enrol"
            # The path only: a query string may one day hold a searched name.
            return redirect(f"{reverse(target)}?{urlencode({'next': request.path})}")
        return self.get_response(request)

    @staticmethod
    def allowed_paths() -> set[str]:
        return {
            reverse("accounts:verify"),
            reverse("accounts:enrol"),
            reverse("accounts:logout"),
            reverse("accounts:set_language"),
        }
