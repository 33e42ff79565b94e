"""Demo partner organisations, drawn from the office's own public documents."""

from .models import Organisation, OrganisationType

ORGANISATIONS = [
    ("Federal Migration Service", "FMS of Russia", OrganisationType.GOVERNMENT, "Moscow"),
    ("Ministry of Interior, anti-trafficking unit", "", OrganisationType.LAW_ENFORCEMENT, "Moscow"),
    ("General Prosecutor's Office", "", OrganisationType.PROSECUTION, "Moscow"),
    ("Angel Coalition", "", OrganisationType.NGO, "Moscow"),
    ("St Petersburg Red Cross", "", OrganisationType.NGO, "St Petersburg"),
    ("Russian Red Cross", "", OrganisationType.NGO, "Moscow"),
    ("World Health Organization, Moscow office", "WHO", OrganisationType.INTERNATIONAL, "Moscow"),
    ("IOM Tirana", "", OrganisationType.MISSION, "Tirana"),
    ("Embassy of Tajikistan", "", OrganisationType.DIPLOMATIC, "Moscow"),
    ("Caritas Austria", "Caritas Österreich", OrganisationType.NGO, "Vienna"),
]


def load(stdout) -> None:
    for name, alternate, kind, city in ORGANISATIONS:
        Organisation.objects.update_or_create(
            name=name,
            defaults={"alternate_name": alternate, "organisation_type": kind, "city": city},
        )
    stdout.write(f"Partner directory: {len(ORGANISATIONS)} organisations.")
