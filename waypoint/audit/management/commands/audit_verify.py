from django.core.management.base import BaseCommand, CommandError

from waypoint.audit.models import AuditEvent
from waypoint.audit.services import verify


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain and report the first broken link. Prints the head "
        "(latest event and its hash): keep it somewhere else and pass it back with --checkpoint "
        "to detect that events after it were removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint", metavar="ID:HASH",
            help="a head printed by an earlier run; fails unless that event is still in the chain",
        )

    def handle(self, *args, checkpoint: str | None = None, **options):
        checked, broken = verify()
        if broken is not None:
            raise CommandError(
                f"Audit trail broken at event #{broken.event_id}: {broken.reason}. "
                f"{checked} events before it are intact."
            )
        if checkpoint:
            self.check_checkpoint(checkpoint)
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked} events verified."))
        if head:
            self.stdout.write(f"Head: {head[0]}:{head[1]}")

    def check_checkpoint(self, checkpoint: str) -> None:
        event_id, _, expected = checkpoint.partition(":")
        if not event_id.isdigit() or len(expected) != 64:
            raise CommandError("--checkpoint takes the form ID:HASH, as printed after 'Head:'.")
        stored = AuditEvent.objects.filter(pk=int(event_id)).values_list("hash", flat=True).first()
        if stored != expected:
            raise CommandError(
                f"Checkpoint event #{event_id} is missing or different: events up to it were "
                "removed or the chain was rebuilt since the checkpoint was taken."
            )
