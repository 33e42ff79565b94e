"""Human-readable reference numbers: `CT-2026-00042` for cases, `R-2026-00042` for referrals.

A number never names the person and never repeats: the sequence row of a prefix and year is locked
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transactions already hold the write lock)
while it is incremented, so two offices saving at the same moment get consecutive numbers.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import ReferenceSequence

REFERRAL_PREFIX = "R"  # cases take their programme's code: CT, AVRR, RES...


def next_reference(prefix: str, year: int | None = None) -> str:
    """The next number of `prefix` in `year` (this year by default), formatted with five digits."""
    if not prefix or len(prefix) > ReferenceSequence._meta.get_field("prefix").max_length:
        raise ValueError(f"A reference prefix has 1 to 10 characters, not {prefix!r}.")
    year = year or timezone.localdate().year
    with transaction.atomic():
        sequences = ReferenceSequence.objects.select_for_update()
        sequence = sequences.filter(prefix=prefix, year=year).first()
        if sequence is None:
            try:
                with transaction.atomic():  # a savepoint: a concurrent first number must not break ours
                    ReferenceSequence.objects.create(prefix=prefix, year=year, last=0)
            except IntegrityError:
                pass
            sequence = sequences.get(prefix=prefix, year=year)
        ReferenceSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
        number = ReferenceSequence.objects.values_list("last", flat=True).get(pk=sequence.pk)
    return f"{prefix}-{year}-{number:05d}"
