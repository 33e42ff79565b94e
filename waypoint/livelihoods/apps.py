from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodsConfig(AppConfig):
    """Direct assistance grants to migrant enterprises on the case core: workflow, panels, rules and widgets."""

    name = "waypoint.livelihoods"
    label = "livelihoods"
    verbose_name = _("Direct assistance to migrant enterprises")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
