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

        from . import panels, views_services

        panels.register(panels.Panel(key="services", template="cases/_panel_services.html",
                                     context=views_services.services_panel, order=40))
        panels.register(panels.Panel(key="movements", template="cases/_panel_movements.html",
                                     context=views_services.movements_panel, order=50))

        from . import views as referral_views

        panels.register(panels.Panel(key="referrals", template="cases/_panel_referrals.html",
                                     context=referral_views.referrals_panel, order=60))

        from .dashboards import register_widgets

        register_widgets()  # the caseload dashboards on the landing page
