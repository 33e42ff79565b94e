"""`manage.py export_hsds TARGET [--format csv|json]`: the directory as an HSDS 3.0 datapackage."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.partners.hsds import export


class Command(BaseCommand):
    help = (
        "Write the active partner directory as an HSDS 3.0 datapackage: a folder of CSV files with "
        "datapackage.json, a .zip of them, or (--format json) one JSON file. The same package as the "
        "download on the directory's export page; agreements and inactive organisations are left out."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", help="A folder (created if missing), a .zip file, or a .json file.")
        parser.add_argument("--format", choices=("csv", "json"), default=None,
                            help="csv (default; json when the target ends in .json) or json.")

    def handle(self, *args, target: str, format: str | None, **options):
        path = Path(target)
        file_format = format or ("json" if path.suffix.lower() == ".json" else "csv")
        if file_format == "json" and path.suffix.lower() != ".json" and path.is_dir():
            raise CommandError(f"{path} is a folder: the JSON form is one file, give its name.")
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}")
        package = export.collect()
        written = export.write(package, path, file_format)
        record(
            Action.EXPORT, object_type="partners.hsds_export", username="manage.py",
            changes={"format": [None, file_format],
                     **{table: [None, str(count)] for table, count in package.counts.items() if count}},
        )
        self.stdout.write(
            f"{package.count('organization')} organisations, {package.count('service')} services, "
            f"{sum(package.counts.values())} rows in all, written to {written}."
        )
