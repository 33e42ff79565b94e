from django.urls import include, path

from waypoint.api.api import api
from waypoint.core.admin_site import site as admin_site

urlpatterns = [
    path("", include("waypoint.core.urls")),
    path("accounts/", include("waypoint.accounts.urls")),
    path("audit/", include("waypoint.audit.urls")),
    path("partners/", include("waypoint.partners.urls")),
    path("people/", include("waypoint.people.urls")),
    path("hotline/", include("waypoint.hotline.urls")),
    path("referrals/", include("waypoint.cases.urls_referrals")),
    path("cases/", include("waypoint.cases.urls")),
    path("cases/", include("waypoint.cases.urls_services")),
    path("protection/", include("waypoint.protection.urls")),
    path("centre/", include("waypoint.protection.urls_centre")),
    path("resettlement/", include("waypoint.resettlement.urls")),
    path("health/", include("waypoint.health.urls")),
    path("returns/", include("waypoint.returns.urls")),
    path("livelihoods/", include("waypoint.livelihoods.urls")),
    path("consent/", include("waypoint.consent.urls")),
    path("reports/", include("waypoint.cases.urls_reports")),
    path("api-tokens/", include("waypoint.api.urls")),
    path("api/v1/", api.urls),
    path("api/hsda/", include("waypoint.partners.hsds.urls_api")),
    path("admin/", admin_site.urls),
]

handler400 = "waypoint.core.views.bad_request"
handler403 = "waypoint.core.views.permission_denied"
handler404 = "waypoint.core.views.page_not_found"
handler500 = "waypoint.core.views.server_error"
