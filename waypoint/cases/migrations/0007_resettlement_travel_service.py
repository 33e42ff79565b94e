"""A resettlement departure is travel to the country of resettlement, not back to the country of origin: its
own entry in the service catalogue (offered in resettlement only; administrators may edit it)."""

from django.db import migrations


def forwards(apps, schema_editor):
    ServiceType = apps.get_model("cases", "ServiceType")
    ServiceType.objects.get_or_create(code="resettlement_travel", defaults={
        "name_en": "Travel to the country of resettlement", "name_ru": "Переезд в страну переселения",
        "programmes": ["RES"], "is_movement": True, "order": 75})


def backwards(apps, schema_editor):
    apps.get_model("cases", "ServiceType").objects.filter(code="resettlement_travel").delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_status_changes")]
    operations = [migrations.RunPython(forwards, backwards)]
