"""`manage.py find_duplicates`: queue the likely duplicates of the whole registry for review."""

from django.core.management.base import BaseCommand, CommandError

from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.people import duplicates
from waypoint.people.matching import SAME_PERSON_THRESHOLD


class Command(BaseCommand):
    help = (
        "Scan the registry for records that are likely one person (persons sharing a family + given name "
        "or family name + birth year key are compared) and queue the pairs for programme managers to "
        "review at /people/duplicates/. Pairs already judged are left alone; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-score", type=float, default=SAME_PERSON_THRESHOLD,
            help=f"Queue pairs scoring at least this (0-1; default {SAME_PERSON_THRESHOLD}).",
        )
        parser.add_argument("--progress", action="store_true", help="Print progress while scanning.")

    def handle(self, *args, min_score: float, progress: bool, **options):
        if not 0 <= min_score <= 1:
            raise CommandError("--min-score is between 0 and 1.")
        result = duplicates.scan(min_score=min_score, stdout=self.stdout if progress else None)
        record(
            Action.UPDATE, object_type="people.duplicate_scan",
            changes={
                "pairs_written": [None, str(result.pairs_written)],
                "pairs_updated": [None, str(result.pairs_updated)],
            },
        )
        self.stdout.write(
            f"{result.persons} persons, {result.blocks} shared keys ({result.oversized_blocks} split, "
            f"{result.skipped_blocks} too large to compare), {result.pairs_scored} pairs scored: "
            f"{result.pairs_written} new pairs to review, {result.pairs_updated} updated, in {result.seconds:.1f} s."
        )
        if result.skipped_blocks:
            sizes = ", ".join(str(size) for _kind, size in result.largest_skipped)
            self.stdout.write(
                self.style.WARNING(
                    f"{result.skipped_blocks} groups of persons sharing a name and birth date were too large to "
                    f"compare pair by pair (largest: {sizes} persons)."
                )
            )
