from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    """The counter-trafficking programme on the case core: registers its workflow and its case-page panels."""

    name = "waypoint.protection"
    label = "protection"
    verbose_name = _("Counter-trafficking")

    def ready(self) -> None:
        from waypoint.accounts.models import Programme
        from waypoint.cases import panels

        from . import views, workflow

        workflow.register_ct_workflow()
        panels.register(panels.Panel(key="profile", template="protection/_panel_profile.html",
                                     context=views.profile_panel, order=20,
                                     programmes=(Programme.COUNTER_TRAFFICKING,)))
        from . import views_centre

        panels.register(panels.Panel(key="stays", template="protection/_panel_stays.html",
                                     context=views_centre.stays_panel, order=45,
                                     programmes=(Programme.COUNTER_TRAFFICKING,)))
        from . import dashboard

        dashboard.register_widgets()  # the centre's occupancy on the landing dashboard
