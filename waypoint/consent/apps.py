from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    """Access rules for these models live with all the others in `accounts.policy`."""

    name = "waypoint.consent"
    label = "consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        from waypoint.cases import panels
        from waypoint.people import related

        from .views import consents_for_person, consents_panel

        # The members' consents on the case page, and the person's consents on the person page.
        panels.register(panels.Panel(key="consents", template="consent/_panel_consents.html",
                                     context=consents_panel, order=70))
        related.register(consents_for_person)
