from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.core.fields import blind_index_fields, encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the newest key of FIELD_ENCRYPTION_KEYS and "
        "recompute every blind index with BLIND_INDEX_KEY. Safe to interrupt and run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        total = 0
        for model in apps.get_models():
            secret = encrypted_fields(model)
            indexes = blind_index_fields(model)
            if not secret and not indexes:
                continue
            count = self.rotate_model(model, secret, indexes, batch_size)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows rewritten")
        record(Action.UPDATE, object_type="core.encryption_keys", changes={"rows": [None, str(total)]})
        self.stdout.write(self.style.SUCCESS(f"Key rotation done: {total} rows rewritten."))

    def rotate_model(self, model, secret, indexes, batch_size: int) -> int:
        names = [f.attname for f in secret] + [f.source for f in indexes]
        manager = model._base_manager
        pks = list(manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                for row in manager.filter(pk__in=pks[start:start + batch_size]).only(*set(names)):
                    values = {f.attname: getattr(row, f.attname) for f in secret}
                    for f in indexes:
                        values[f.attname] = f.index_of(getattr(row, f.source) or "")
                    # update() sends values through get_prep_value: encrypted with the newest key.
                    manager.filter(pk=row.pk).update(**values)
        return len(pks)
