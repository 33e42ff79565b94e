# ruff: noqa: RUF001
"""The world the consultation-log tests share: two consultation centres, their operators, an ICC programme
manager, the seeds' topics and some campaign materials (the real lists are seeded by the hotline demo)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from waypoint.accounts.models import Office, Programme, Role, User
from waypoint.hotline.models import CampaignMaterial, Topic

TOPICS = [
    # code, English, Russian
    ("work-permits", "Work permits", "Разрешения на работу"),
    ("citizenship", "Citizenship", "Гражданство"),
    ("employer-violations", "Employers' violations of employees' rights", "Нарушения прав работников работодателями"),
    ("police", "Relations with the police", "Отношения с полицией"),
    ("project", "The project", "О проекте"),
    ("trafficking", "Trafficking", "Торговля людьми"),
    ("migration-law", "Migration law", "Миграционное законодательство"),
    ("employment-abroad", "Employment abroad", "Трудоустройство за рубежом"),
]
MATERIALS = [
    ("leaflet-tg", "Leaflet in Tajik", "Листовка на таджикском"),
    ("leaflet-uz", "Leaflet in Uzbek", "Листовка на узбекском"),
    ("poster", "Poster", "Плакат"),
    ("website", "Website", "Сайт"),
]


def make_world(users: dict[str, User], make_user, office: Office) -> dict[str, Any]:
    """The operator of the `users` fixture works at ICC St Petersburg, with a colleague; another operator at
    ICC Moscow; `icc_manager` is a programme manager of the ICC programme. A retired topic and material."""
    spb = Office.objects.create(
        code="icc-spb", name="ICC St Petersburg", kind=Office.Kind.CONSULTATION_CENTRE, city="St Petersburg",
        parent=office,
    )
    moscow = Office.objects.create(
        code="icc-moscow", name="ICC Moscow", kind=Office.Kind.CONSULTATION_CENTRE, city="Moscow", parent=office,
    )
    operator = users["hotline_operator"]
    operator.office = spb
    operator.first_name, operator.last_name = "Irina", "Petrova"
    operator.save()
    colleague = make_user(Role.HOTLINE_OPERATOR, "operator_spb_2", office=spb, programmes=[Programme.HOTLINE],
                          first_name="Oleg", last_name="Smirnov")
    other_site = make_user(Role.HOTLINE_OPERATOR, "operator_msk", office=moscow, programmes=[Programme.HOTLINE])
    manager = make_user(Role.PROGRAMME_MANAGER, "icc_manager", programmes=[Programme.HOTLINE])
    topics = {
        code: Topic.objects.create(code=code, name_en=en, name_ru=ru, position=number)
        for number, (code, en, ru) in enumerate(TOPICS)
    }
    topics["retired"] = Topic.objects.create(
        code="retired", name_en="Registration (old)", name_ru="Регистрация (старое)", is_active=False, position=99,
    )
    materials = {
        code: CampaignMaterial.objects.create(code=code, name_en=en, name_ru=ru, position=number)
        for number, (code, en, ru) in enumerate(MATERIALS)
    }
    materials["tv-2019"] = CampaignMaterial.objects.create(
        code="tv-2019", name_en="TV spot 2019", name_ru="Телеролик 2019", is_active=False,
    )
    return {
        "spb": spb, "moscow": moscow, "operator": operator, "colleague": colleague, "other_site": other_site,
        "manager": manager, "topics": topics, "materials": materials,
    }


def a_minute_ago() -> datetime.datetime:
    return timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=1)


def call_data(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What `services.record_consultation` takes for a short call at ICC St Petersburg."""
    data = {
        "site": world["spb"], "channel": "call", "started_at": a_minute_ago(), "duration_minutes": 4,
        "caller_sex": "M", "caller_age_band": "25-34", "caller_nationality": "UZ", "caller_language": "uz",
        "caller_type": "labour_migrant", "topics": [world["topics"]["work-permits"]],
        "heard_from": world["materials"]["leaflet-uz"], "answer": "Explained how to apply for a patent.",
        "outcome": "informed",
    }
    data.update(changes)
    return data


def form_post(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What the entry form sends for the same call."""
    started = timezone.localtime(a_minute_ago())
    data = {
        "caller_type": "labour_migrant", "topics": [str(world["topics"]["work-permits"].pk)],
        "nationality": "other", "country": "Uzbekistan", "caller_language": "uz", "caller_sex": "M",
        "caller_age_band": "25-34", "heard_from": str(world["materials"]["leaflet-uz"].pk),
        "answer": "Explained how to apply for a patent.", "outcome": "informed", "channel": "call",
        "started_at": started.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "4", "site": str(world["spb"].pk),
        "save_and_next": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
