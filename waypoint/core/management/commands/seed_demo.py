from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Apps whose demo data others refer to load first; the rest follow INSTALLED_APPS order.
FIRST = ["waypoint.partners"]


class Command(BaseCommand):
    help = "Load demo data of every Waypoint app (its `demo.py`). Safe to run again."

    def handle(self, *args, **options):
        if not settings.WAYPOINT_DEMO:
            raise CommandError("Demo data is loaded only when WAYPOINT_DEMO=true (never in production).")
        names = [c.name for c in apps.get_app_configs() if c.name.startswith("waypoint.")]
        ordered = [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]
        with transaction.atomic():
            for name in ordered:
                if find_spec(f"{name}.demo") is not None:
                    import_module(f"{name}.demo").load(self.stdout)
