"""Database-level refusal to UPDATE or DELETE audit events (see waypoint/audit/triggers.py)."""

from django.db import migrations

from waypoint.audit import triggers


def install(apps, schema_editor):
    triggers.execute(triggers.INSTALL, schema_editor.connection)


def remove(apps, schema_editor):
    triggers.execute(triggers.REMOVE, schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
