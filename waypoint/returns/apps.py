from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    """Assisted voluntary return and reintegration on the case core: its workflow, panels, rules and widgets."""

    name = "waypoint.returns"
    label = "returns"
    verbose_name = _("Assisted voluntary return and reintegration")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
