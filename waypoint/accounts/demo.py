"""Demo offices and one user per role, for `make run`. Never loaded unless WAYPOINT_DEMO is on."""

from waypoint.partners.models import Organisation

from .models import Office, Programme, Role, User

DEMO_PASSWORD = "Waypoint-demo-2026"

OFFICES = [
    # code, name, kind, city, parent code
    ("moscow", "Moscow office", Office.Kind.MISSION_OFFICE, "Moscow", None),
    ("rc-moscow", "Rehabilitation centre, Moscow", Office.Kind.REHABILITATION_CENTRE, "Moscow", "moscow"),
    ("icc-moscow", "ICC Moscow", Office.Kind.CONSULTATION_CENTRE, "Moscow", "moscow"),
    ("icc-astrakhan", "ICC Astrakhan", Office.Kind.CONSULTATION_CENTRE, "Astrakhan", "moscow"),
    ("icc-petrozavodsk", "ICC Petrozavodsk", Office.Kind.CONSULTATION_CENTRE, "Petrozavodsk", "moscow"),
    ("icc-spb", "ICC St Petersburg", Office.Kind.CONSULTATION_CENTRE, "St Petersburg", "moscow"),
]

USERS = [
    # username, first, last, role, office code, programmes, partner organisation name
    ("admin", "Anna", "Orlova", Role.ADMINISTRATOR, "moscow", [], None),
    ("manager", "Pavel", "Sokolov", Role.PROGRAMME_MANAGER, "moscow",
     [Programme.COUNTER_TRAFFICKING, Programme.HOTLINE], None),
    ("caseworker", "Olga", "Ivanova", Role.CASE_WORKER, "rc-moscow", [Programme.COUNTER_TRAFFICKING], None),
    ("returns", "Timur", "Aliev", Role.CASE_WORKER, "moscow", [Programme.RETURN], None),
    ("returns2", "Aigul", "Nurlanova", Role.CASE_WORKER, "moscow", [Programme.RETURN], None),
    ("resettlement", "Vera", "Lebedeva", Role.CASE_WORKER, "moscow", [Programme.RESETTLEMENT], None),
    ("resettlement2", "Artem", "Kozlov", Role.CASE_WORKER, "moscow", [Programme.RESETTLEMENT], None),
    ("doctor", "Natalia", "Popova", Role.CASE_WORKER, "moscow", [Programme.HEALTH], None),
    ("livelihoods", "Ruslan", "Gadzhiev", Role.CASE_WORKER, "moscow", [Programme.DIRECT_ASSISTANCE], None),
    ("opsmanager", "Svetlana", "Novikova", Role.PROGRAMME_MANAGER, "moscow",
     [Programme.RETURN, Programme.RESETTLEMENT, Programme.HEALTH, Programme.DIRECT_ASSISTANCE], None),
    ("operator", "Irina", "Petrova", Role.HOTLINE_OPERATOR, "icc-spb", [Programme.HOTLINE], None),
    ("meofficer", "Dmitry", "Volkov", Role.ME_OFFICER, "moscow", [], None),
    ("dpo", "Elena", "Smirnova", Role.DATA_PROTECTION_OFFICER, "moscow", [], None),
    ("partner", "Maria", "Kuznetsova", Role.PARTNER_USER, None, [], "Angel Coalition"),
    ("trainer", "Sergey", "Morozov", Role.TRAINER, "moscow", [], None),
    ("learner", "Nikolai", "Fedorov", Role.LEARNER, None, [], None),
]


def load(stdout) -> None:
    offices: dict[str, Office] = {}
    for code, name, kind, city, parent in OFFICES:
        offices[code], _ = Office.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "city": city,
                      "parent": offices.get(parent) if parent else None},
        )
    for username, first, last, role, office, programmes, organisation in USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first, "last_name": last, "role": role,
                "email": f"{username}@waypoint.example",
                "office": offices.get(office) if office else None,
                "programmes": [str(p) for p in programmes],
                "partner_organisation": (
                    Organisation.objects.get(name=organisation) if organisation else None
                ),
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, _first, _last, role, *_ in USERS:
        second = "" if role == Role.LEARNER else "  + one-time code"
        stdout.write(f"  {username:<13} {role.label}{second}")
    stdout.write(
        "Staff enrol an authenticator app at first sign-in (QR code). Without a phone, print the "
        "current code with:  .venv/bin/python manage.py demo_totp USERNAME"
    )
