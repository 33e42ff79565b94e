"""`manage.py import_hsds PATH [--dry-run]`: import an HSDS 3.0 datapackage into the directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from waypoint.partners.hsds import importing


class Command(BaseCommand):
    help = (
        "Import an HSDS 3.0 datapackage (a folder of CSV files, a .zip of them, or the JSON form). Everything "
        "is checked first; with any problem nothing is saved and every problem is printed. Records are "
        "created or updated by id, all in one transaction; nothing is deleted. --dry-run only checks and "
        "says what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The datapackage: a folder, a .zip file or a .json file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; save nothing.")

    def handle(self, *args, path: str, dry_run: bool, **options):
        source = Path(path)
        if not source.exists():
            raise CommandError(f"No such file or folder: {source}")
        parsed = importing.check(importing.read_path(source))
        for warning in parsed.warnings:
            self.stderr.write(f"warning: {warning}")
        for error in parsed.errors:
            self.stderr.write(f"error: {error}")
        for row in parsed.summary():
            waypoint = f", {row['waypoint']} Waypoint fields" if row["waypoint"] else ""
            self.stdout.write(
                f"{row['path']}: {row['read']} read, {row['create']} new, {row['update']} updated, "
                f"{row['unchanged']} unchanged{waypoint}"
            )
        if not parsed.ok:
            raise CommandError(f"{len(parsed.errors)} problem(s) found: nothing was imported.")
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
            return
        result = importing.apply(parsed)
        created = sum(counts["created"] for counts in result.values())
        updated = sum(counts["updated"] for counts in result.values())
        self.stdout.write(f"Imported: {created} records created, {updated} updated.")
