from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    """Access rules for these models live with all the others in `accounts.policy`."""

    name = "waypoint.consent"
    label = "consent"
    verbose_name = _("Consent")
