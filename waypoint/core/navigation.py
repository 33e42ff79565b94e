"""The navigation each role sees: an item appears only when the policy grants its capability."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from waypoint.accounts import policy


@dataclass(frozen=True)
class NavItem:
    """A menu entry, shown to a user who holds any of its capabilities."""

    label: Promise
    url_name: str
    capabilities: tuple[str, ...]

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def allowed(self, user) -> bool:
        return any(policy.may(user, capability) for capability in self.capabilities)


@dataclass(frozen=True)
class Report:
    """A statistics page of the reports list (`core:reports`): aggregates, never names."""

    label: Promise
    url_name: str
    capability: str
    description: Promise

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# Every programme has its figures: one "Reports" entry lists those the user may read, so the menu stays short.
REPORTS = [
    Report(_("Referral statistics"), "case_reports:referral_statistics", policy.VIEW_REFERRAL_STATISTICS,
           _("Cases by source; referrals sent, accepted, declined and completed by organisation.")),
    Report(_("Hotline statistics"), "hotline:statistics", policy.VIEW_HOTLINE_STATISTICS,
           _("Consultations by topic, caller, channel and site.")),
    Report(_("Return statistics"), "returns:statistics", policy.VIEW_RETURN_STATISTICS,
           _("Returns by nationality, category, stage and month, in individuals.")),
    Report(_("Resettlement report"), "resettlement:report", policy.VIEW_RESETTLEMENT_REPORT,
           _("Individuals received and processed, presented and departed, for any period.")),
    Report(_("Health statistics"), "health:statistics", policy.VIEW_HEALTH_STATISTICS,
           _("Assessments, clearances, TB screening and referrals to treatment, without personal data.")),
    Report(_("Grant statistics"), "livelihoods:statistics", policy.VIEW_LIVELIHOOD_STATISTICS,
           _("Grants, items, value and jobs created by settlement and item type.")),
]


def reports_for(user) -> list[Report]:
    return [report for report in REPORTS if policy.may(user, report.capability)]


MAIN_NAVIGATION = [
    NavItem(_("Dashboard"), "core:dashboard", (policy.VIEW_DASHBOARD,)),
    NavItem(_("People"), "people:search", (policy.VIEW_PEOPLE,)),
    NavItem(_("Cases"), "cases:list", (policy.VIEW_CASES,)),
    NavItem(_("Hotline"), "hotline:log", (policy.RECORD_CONSULTATIONS,)),
    NavItem(_("Knowledge base"), "hotline:knowledge", (policy.VIEW_KNOWLEDGE_BASE,)),
    NavItem(_("Partner directory"), "partners:list", (policy.VIEW_DIRECTORY,)),
    NavItem(_("Referrals"), "referrals:inbox", (policy.VIEW_REFERRALS,)),
    NavItem(_("Centre"), "centre:occupancy", (policy.VIEW_CENTRE_OCCUPANCY,)),
    NavItem(_("Processing trips"), "resettlement:trips", (policy.VIEW_PROCESSING_TRIPS,)),
    NavItem(_("Migration health"), "health:queue", (policy.VIEW_HEALTH_DATA,)),
    NavItem(_("Enterprises"), "livelihoods:enterprises", (policy.VIEW_ENTERPRISES,)),
    NavItem(_("Reports"), "core:reports", tuple(report.capability for report in REPORTS)),
    NavItem(_("Users and offices"), "admin:index", (policy.MANAGE_USERS,)),
    NavItem(_("Audit trail"), "audit:trail", (policy.VIEW_AUDIT_TRAIL,)),
    NavItem(_("Consent registry"), "consent:registry", (policy.VIEW_CONSENT_REGISTRY,)),
]


def items_for(user) -> list[NavItem]:
    return [item for item in MAIN_NAVIGATION if item.allowed(user)]
