"""The printable directory as a download: a PDF in Russian or English, for consulates and NGOs."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record

from . import printable
from .models import OrganisationType

REGION_MAX_LENGTH = 150  # Organisation.region


def _default_language() -> str:
    current = (translation.get_language() or "en").split("-")[0]
    return current if current in printable.LANGUAGES else "en"


@login_required
@require_GET
def directory_pdf(request):
    """GET ?language=ru|en (default: the user's), optional ?type=... (repeatable) and ?region=...

    A parameter that makes no sense gets a page saying which one and why, rather than a booklet that
    is not the one asked for.
    """
    policy.require(request.user, policy.VIEW_DIRECTORY, request=request)
    language = request.GET.get("language", "").strip().lower() or _default_language()
    types = [value.strip() for value in request.GET.getlist("type") if value.strip()]
    region = request.GET.get("region", "").strip()
    errors = []
    if language not in printable.LANGUAGES:
        errors.append(_("Language: the directory is printed in English (en) or Russian (ru) only."))
    errors += [
        _("Type: there is no organisation type “%(type)s”.") % {"type": value[:40]}
        for value in types if value not in OrganisationType.values
    ]
    if len(region) > REGION_MAX_LENGTH:
        errors.append(_("Region: at most %(count)d characters.") % {"count": REGION_MAX_LENGTH})
    if errors:
        return render(request, "partners/print/invalid_request.html", {"errors": errors}, status=400)

    pdf = printable.directory_pdf(
        language, organisation_types=types or None, region=region or None, user=request.user,
    )
    record(
        Action.EXPORT, actor=request.user, object_type="partners.directory_pdf", object_id=language,
        changes={"types": [",".join(types)], "region": [region]}, request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{printable.filename(language)}"'
    return response
