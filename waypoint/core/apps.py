from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "waypoint.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Refuse to start without usable encryption keys: better no service than clear text.
        from .crypto import keyring

        keyring()
