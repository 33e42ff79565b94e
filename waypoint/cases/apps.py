from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Access rules for these models live with all the others in `accounts.policy`."""

    name = "waypoint.cases"
    label = "cases"
    verbose_name = _("Cases and referrals")

    def ready(self) -> None:
        from waypoint.people import related

        from .related import cases_and_referrals

        related.register(cases_and_referrals)
