from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    """Access rules for these models live with all the others in `accounts.policy`."""

    name = "waypoint.hotline"
    label = "hotline"
    verbose_name = _("Hotline and consultation centres")
