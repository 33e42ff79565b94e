from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    """Migration health on the case core: assessments on any case member, its rules, panels and widgets."""

    name = "waypoint.health"
    label = "health"
    verbose_name = _("Migration health")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
