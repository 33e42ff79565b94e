from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role

from .dashboard import render_widgets
from .navigation import reports_for

# What each role's dashboard will hold; later issues replace these with live figures.
ROLE_INTRODUCTIONS = {
    Role.ADMINISTRATOR: _("Manage user accounts, offices and the partner directory."),
    Role.PROGRAMME_MANAGER: _("Follow every case of your programmes and the work of your team."),
    Role.CASE_WORKER: _("Your cases, tasks due and referrals waiting for an answer appear here."),
    Role.HOTLINE_OPERATOR: _("Record consultations at your site and refer callers."),
    Role.ME_OFFICER: _("Aggregated statistics and anonymised exports for donor reports."),
    Role.DATA_PROTECTION_OFFICER: _("Review the audit trail and the consent registry."),
    Role.PARTNER_USER: _("Referrals sent to your organisation appear here to accept, decline and report back."),
    Role.TRAINER: _("Courses, assessments and learners' progress."),
    Role.LEARNER: _("Your courses and certificates."),
}


@login_required
def dashboard(request):
    policy.require(request.user, policy.VIEW_DASHBOARD, request=request)
    return render(
        request,
        "core/dashboard.html",
        {
            "introduction": ROLE_INTRODUCTIONS.get(request.user.role, ""),
            "programmes": [Programme(code).label for code in request.user.programmes],
            # The apps' figures for this user (`core.dashboard`: registered in each app's ready()).
            "widgets": render_widgets(request),
        },
    )


@login_required
def reports(request):
    """The statistics pages this user may read; someone who may read none gets 404 (audited)."""
    available = reports_for(request.user)
    if not available:
        policy.record_denial(request.user, "capability", "reports", request)
        raise Http404
    return render(request, "core/reports.html", {"reports": available})


def csrf_failure(request, reason: str = ""):
    """A form was sent without a valid token: most often an expired page or session."""
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request: the fault may be the database or the session itself.
    return HttpResponseServerError(loader.get_template("500.html").render())
