"""`manage.py export_directory_pdf FILE --language ru|en`: the printable partner directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.partners import printable
from waypoint.partners.models import OrganisationType


class Command(BaseCommand):
    help = (
        "Write the printable directory of active partner organisations (PDF, A4) in English or Russian, "
        "as the office sends it to consulates and NGOs. The same booklet as the download on the "
        "directory page."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the PDF (an existing file is replaced).")
        parser.add_argument("--language", required=True, choices=printable.LANGUAGES, help="Language of the edition.")
        parser.add_argument(
            "--type", action="append", dest="types", choices=OrganisationType.values, metavar="TYPE",
            help=f"Only organisations of this type (repeat for several): {', '.join(OrganisationType.values)}.",
        )
        parser.add_argument("--region", default="", help="Only organisations of this region (as stored).")

    def handle(self, *args, file: str, language: str, types: list[str] | None, region: str, **options):
        path = Path(file)
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}")
        pdf = printable.directory_pdf(language, organisation_types=types, region=region.strip() or None)
        # Written next to the target first, so that a failed write never leaves half a booklet behind.
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(pdf)
        partial.replace(path)
        record(
            Action.EXPORT, object_type="partners.directory_pdf", object_id=language,
            changes={"types": [",".join(types or [])], "region": [region.strip()]}, username="manage.py",
        )
        self.stdout.write(f"Wrote {path} ({len(pdf) // 1024} KB, {language}).")
