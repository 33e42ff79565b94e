"""The REST API at /api/v1/. Every endpoint authenticates by token and asks the access policy."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as RequestValidationError
from ninja.security import HttpBearer

from waypoint.accounts import policy
from waypoint.accounts.models import Office
from waypoint.cases.api import cases_router, service_types_router
from waypoint.cases.api_referrals import referrals_router
from waypoint.health.api import router as health_router
from waypoint.hotline.api import router as consultations_router
from waypoint.livelihoods.api import router as livelihoods_router
from waypoint.partners.api import organisations_router, services_router
from waypoint.people.api import router as people_router
from waypoint.resettlement.api import router as resettlement_router
from waypoint.returns.api import router as returns_router

from .services import authenticate_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Waypoint API",
    version="1",
    description="Case management and referral for a migration-assistance mission office.",
    auth=TokenAuth(),
    docs_url=None,  # the interactive page needs scripts from elsewhere, which the CSP refuses
    urls_namespace="api",
)


@api.exception_handler(RequestValidationError)
def request_not_valid(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    """Malformed requests answer 422 in the same shape as refused data: {detail, errors: {field: [...]}}."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "birth_date") or ("query", "limit"): the client knows the field, not our names.
        field = ".".join(location[2:] if location[:1] == ["body"] else location[1:]) or "__all__"
        errors.setdefault(field, []).append(str(error.get("msg", "")))
    detail = _("The request is not valid: see the errors for each field.")
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


api.add_router("/people", people_router)
api.add_router("/organisations", organisations_router)
api.add_router("/services", services_router)
api.add_router("/consultations", consultations_router)
api.add_router("/cases", cases_router)
api.add_router("/service-types", service_types_router)
api.add_router("/referrals", referrals_router)
api.add_router("/livelihoods", livelihoods_router)
api.add_router("/resettlement", resettlement_router)
api.add_router("/health", health_router)
api.add_router("/returns", returns_router)


class MeOut(Schema):
    username: str
    role: str
    office: str | None
    programmes: list[str]
    partner_organisation: UUID | None


class OfficeOut(Schema):
    code: str
    name: str
    kind: str
    city: str


@api.get("/me", response=MeOut, summary="The account the token belongs to")
def me(request):
    user = request.auth
    return MeOut(
        username=user.username, role=user.role,
        office=user.office.code if user.office else None,
        programmes=list(user.programmes),
        partner_organisation=user.partner_organisation_id,
    )


@api.get("/offices", response=list[OfficeOut], summary="Offices and sites")
def offices(request):
    return policy.scope(request.auth, Office.objects.all())
