"""CT cases take the HTCDS statuses of their workflow; the rehabilitation centre's services become the
first entries of the service catalogue (administrators edit it afterwards)."""

from django.db import migrations

CATALOGUE = [
    # code, English, Russian, accommodation, movement
    ("airport_reception", "Airport reception", "Встреча в аэропорту", False, True),
    ("accommodation", "Temporary accommodation", "Временное размещение", True, False),
    ("medical", "Medical services", "Медицинская помощь", False, False),
    ("psychological", "Psychological counselling", "Психологическое консультирование", False, False),
    ("social_counselling", "Social counselling", "Социальное консультирование", False, False),
    ("legal_counselling", "Legal counselling", "Юридическое консультирование", False, False),
    ("domestic_transport", "Transportation within the country", "Транспортировка внутри страны", False, True),
    ("return_transport", "Transportation to the country of origin", "Транспортировка в страну происхождения",
     False, True),
    ("medical_escort", "Medical escort during transport", "Медицинское сопровождение в пути", False, True),
    ("reintegration_grant", "Reinstallation and reintegration grant", "Грант на обустройство и реинтеграцию",
     False, False),
    ("ngo_referral", "Referral to a local NGO for follow-up", "Направление в местную НКО для сопровождения",
     False, False),
    ("reintegration_training", "Counselling and training on reintegration",
     "Консультирование и обучение по реинтеграции", False, False),
]
STATUS_MAP = {"open": "intake", "closed": "Closed"}


def forwards(apps, schema_editor):
    ServiceType = apps.get_model("cases", "ServiceType")
    for order, (code, english, russian, accommodation, movement) in enumerate(CATALOGUE, start=1):
        ServiceType.objects.get_or_create(code=code, defaults={
            "name_en": english, "name_ru": russian, "programmes": [], "is_accommodation": accommodation,
            "is_movement": movement, "order": order * 10})
    Case = apps.get_model("cases", "Case")
    for old, new in STATUS_MAP.items():
        Case.objects.filter(programme="CT", status=old).update(status=new)


def backwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for old, new in STATUS_MAP.items():
        Case.objects.filter(programme="CT", status=new).update(status=old)
    Case.objects.filter(programme="CT", status__in=["Active", "FollowUp"]).update(status="open")
    Case.objects.filter(programme="CT", status="ClosedReferred").update(status="closed")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_work")]
    operations = [migrations.RunPython(forwards, backwards)]
