"""The navigation each role sees: an item appears only when the policy grants its capability."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from waypoint.accounts import policy


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    capability: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MAIN_NAVIGATION = [
    NavItem(_("Dashboard"), "core:dashboard", policy.VIEW_DASHBOARD),
    NavItem(_("People"), "people:search", policy.VIEW_PEOPLE),
    NavItem(_("Cases"), "cases:list", policy.VIEW_CASES),
    NavItem(_("Hotline"), "hotline:log", policy.RECORD_CONSULTATIONS),
    NavItem(_("Knowledge base"), "hotline:knowledge", policy.VIEW_KNOWLEDGE_BASE),
    NavItem(_("Hotline statistics"), "hotline:statistics", policy.VIEW_HOTLINE_STATISTICS),
    NavItem(_("Partner directory"), "partners:list", policy.VIEW_DIRECTORY),
    NavItem(_("Referrals"), "referrals:inbox", policy.VIEW_REFERRALS),
    NavItem(_("Centre"), "centre:occupancy", policy.VIEW_CENTRE_OCCUPANCY),
    NavItem(_("Referral statistics"), "case_reports:referral_statistics", policy.VIEW_REFERRAL_STATISTICS),
    NavItem(_("Processing trips"), "resettlement:trips", policy.VIEW_PROCESSING_TRIPS),
    NavItem(_("Resettlement report"), "resettlement:report", policy.VIEW_RESETTLEMENT_REPORT),
    NavItem(_("Migration health"), "health:queue", policy.VIEW_HEALTH_DATA),
    NavItem(_("Health statistics"), "health:statistics", policy.VIEW_HEALTH_STATISTICS),
    NavItem(_("Return statistics"), "returns:statistics", policy.VIEW_RETURN_STATISTICS),
    NavItem(_("Enterprises"), "livelihoods:enterprises", policy.VIEW_ENTERPRISES),
    NavItem(_("Grant statistics"), "livelihoods:statistics", policy.VIEW_LIVELIHOOD_STATISTICS),
    NavItem(_("Users and offices"), "admin:index", policy.MANAGE_USERS),
    NavItem(_("Audit trail"), "audit:trail", policy.VIEW_AUDIT_TRAIL),
    NavItem(_("Consent registry"), "consent:registry", policy.VIEW_CONSENT_REGISTRY),
]


def items_for(user) -> list[NavItem]:
    return [item for item in MAIN_NAVIGATION if policy.may(user, item.capability)]
