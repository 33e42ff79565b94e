from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    """The counter-trafficking programme on the case core: registers its workflow."""

    name = "waypoint.protection"
    label = "protection"
    verbose_name = _("Counter-trafficking")

    def ready(self) -> None:
        from . import workflow

        workflow.register_ct_workflow()
