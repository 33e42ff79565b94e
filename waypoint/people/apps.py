from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Access rules for these models live with all the others in `accounts.policy`."""

    name = "waypoint.people"
    label = "people"
    verbose_name = _("People registry")
