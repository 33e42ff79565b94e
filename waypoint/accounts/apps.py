from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "waypoint.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import policy, signals  # noqa: F401  (signals: login/logout audit receivers)

        policy.register_foundation_rules()
