from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResettlementConfig(AppConfig):
    """Resettlement processing on the case core: its workflow, panels, rules and widgets."""

    name = "waypoint.resettlement"
    label = "resettlement"
    verbose_name = _("Resettlement processing")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
