from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from waypoint.accounts import policy

from .models import Organisation, OrganisationType


@login_required
def organisation_list(request):
    policy.require(request.user, policy.VIEW_DIRECTORY, request=request)
    organisations = policy.scope(request.user, Organisation.objects.filter(is_active=True))
    kind = request.GET.get("type", "")
    if kind in OrganisationType.values:
        organisations = organisations.filter(organisation_type=kind)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(
        request, "partners/organisation_list.html",
        {
            "page": page, "types": OrganisationType.choices, "selected_type": kind,
            "query": urlencode({"type": kind}) if kind else "",
        },
    )
