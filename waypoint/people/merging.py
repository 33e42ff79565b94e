"""Merging two records of one person, and undoing a merge exactly.

A merge keeps both rows. The *absorbed* record gets a pointer (`merged_into`) to the *survivor*, loses its
matching keys and hands over everything that points at it; the survivor gets the absorbed record's name
as an alias of kind MERGED, so that a search by the old spelling finds it. What hangs off a person is
found by introspection (every foreign key to `Person` in any installed app), so cases, consents and
referrals added later move without a change here. The exceptions are the registry's own bookkeeping:
the matching index (rebuilt), the merge and duplicate-review history (kept as it was) and the
programme registrations, which are *copied*: the absorbed record keeps its own, so that staff who knew
it can still open it and follow the pointer.

`PersonMerge.moved` records exactly what was done, so that `unmerge` puts back only that:

    {"rows": {"people.personalias:person": [4, 7], "cases.case:client": [12]},
     "registrations": [31],        # registrations created on the survivor (copies)
     "aliases": [55],              # extra MERGED aliases (a typed Latin form), besides `PersonMerge.alias`
     "kept": {"consents.consent:person": [3]}}   # rows a unique constraint kept on the absorbed record
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record

from . import index
from .models import (
    AliasKind,
    DuplicatePair,
    NameKey,
    Person,
    PersonAlias,
    PersonMerge,
    ProgrammeRegistration,
    ReviewStatus,
)
from .transliteration import icao_latin

if TYPE_CHECKING:
    from waypoint.accounts.models import User

# Models whose links to a person are history or derived data: a merge never moves their rows.
NOT_MOVED = (NameKey, PersonMerge, DuplicatePair, ProgrammeRegistration)
_CHUNK = 500  # rows per UPDATE: keeps "pk IN (...)" within every database's parameter limit


def person_links() -> list[models.ForeignKey]:
    """Every foreign key to `Person` whose rows a merge moves, hidden ones (related_name="+") included."""
    links = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        field = relation.field
        model = relation.related_model
        if model is Person or issubclass(model, NOT_MOVED) or model._meta.swapped or model._meta.proxy:
            continue
        if field.remote_field.parent_link:
            continue
        links.append(field)
    return sorted(links, key=_link_label)


def _link_label(field: models.ForeignKey) -> str:
    return f"{field.model._meta.label_lower}:{field.name}"


def _field_for(label: str) -> models.ForeignKey | None:
    """The foreign key named by a `moved` label, or None when its app has since been removed."""
    model_label, _sep, field_name = label.partition(":")
    try:
        return apps.get_model(model_label)._meta.get_field(field_name)
    except LookupError:
        return None


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _json_pk(value):
    return value if isinstance(value, int) else str(value)


def _repoint(field: models.ForeignKey, pks: list, source: int, target: int) -> tuple[list, list]:
    """Point the given rows (still on `source`) at `target`; returns (moved pks, pks left in place).

    A row stays where it is when a unique constraint refuses the move (say, one consent per person and
    both records have one): it is tried alone in a savepoint, so one conflict does not stop the merge.
    """
    manager = field.model._base_manager
    moved, kept = [], []
    for chunk in _chunks(pks):
        rows = list(manager.filter(pk__in=chunk, **{field.attname: source}).values_list("pk", flat=True))
        try:
            with transaction.atomic():
                manager.filter(pk__in=rows).update(**{field.attname: target})
            moved.extend(rows)
        except IntegrityError:
            for pk in rows:
                try:
                    with transaction.atomic():
                        manager.filter(pk=pk).update(**{field.attname: target})
                    moved.append(pk)
                except IntegrityError:
                    kept.append(pk)
    return [_json_pk(pk) for pk in moved], [_json_pk(pk) for pk in kept]


def _lock_pair(user: User, first_pk: int, second_pk: int, request, *, lock: bool = True) -> tuple[Person, Person]:
    """Both persons, in the user's change scope (404 and audited otherwise), locked in a fixed order."""
    locked = {}
    people = Person.objects.select_for_update() if lock else Person.objects.all()
    for pk in sorted({first_pk, second_pk}):
        locked[pk] = policy.get_for(user, people, "change", pk=pk, request=request)
    return locked[first_pk], locked[second_pk]


def _counts_text(moved: dict[str, list]) -> str:
    """ "people.identitydocument: 1, people.personalias: 2": what moved, never what it said."""
    return ", ".join(f"{label.partition(':')[0]}: {len(pks)}" for label, pks in sorted(moved.items()) if pks)


def _pair_of(a: int, b: int):
    return DuplicatePair.objects.filter(first_id=min(a, b), second_id=max(a, b))


def _save_version(person: Person, **fields) -> None:
    for name, value in fields.items():
        setattr(person, name, value)
    person.version += 1
    person.save(update_fields=[*fields, "version", "updated_at"])


def merge(user: User, survivor: Person, absorbed: Person, *, reason: str = "", request=None) -> PersonMerge:
    """Merge `absorbed` into `survivor` (both in the user's change scope); returns the undoable record.

    Only programme managers merge: a wrong merge hides a person behind another one's name, so it is a
    reviewed decision, recorded with its reason, audited on both records, and reversible by `unmerge`.
    Access is checked before the transaction too, so that a refusal's audit event is not rolled back.
    """
    policy.require(user, policy.MERGE_PEOPLE, request=request)
    if survivor.pk == absorbed.pk:
        raise ValidationError(_("A record cannot be merged with itself."), code="same_record")
    _lock_pair(user, survivor.pk, absorbed.pk, request, lock=False)
    return _merge(user, survivor.pk, absorbed.pk, reason, request)


@transaction.atomic
def _merge(user: User, survivor_pk: int, absorbed_pk: int, reason: str, request) -> PersonMerge:
    survivor, absorbed = _lock_pair(user, survivor_pk, absorbed_pk, request)
    for person in (survivor, absorbed):
        if person.merged_into_id is not None:
            raise ValidationError(
                _("%(reference)s has already been merged into another record.") % {"reference": person.reference},
                code="already_merged",
            )

    moved: dict[str, list] = {}
    kept: dict[str, list] = {}
    for field in person_links():
        pks = list(field.model._base_manager.filter(**{field.attname: absorbed.pk}).values_list("pk", flat=True))
        if not pks:
            continue
        done, stayed = _repoint(field, pks, absorbed.pk, survivor.pk)
        label = _link_label(field)
        if done:
            moved[label] = done
        if stayed:
            kept[label] = stayed

    # Registrations are copied, not moved: whoever knew the absorbed record now also sees the survivor.
    known = set(ProgrammeRegistration.objects.filter(person=survivor).values_list("programme", flat=True))
    copies = []
    for registration in ProgrammeRegistration.objects.filter(person=absorbed).order_by("pk"):
        if registration.programme in known:
            continue
        known.add(registration.programme)
        copies.append(
            ProgrammeRegistration.objects.create(
                person=survivor, programme=registration.programme, office=registration.office,
                registered_by=user,
            )
        )

    note = _("Name of the merged record %(reference)s") % {"reference": absorbed.reference}
    alias = PersonAlias.objects.create(
        person=survivor, kind=AliasKind.MERGED, note=note[:200],
        given_name=absorbed.given_name, family_name=absorbed.family_name, patronymic=absorbed.patronymic,
    )
    extra_aliases = []
    latin = (absorbed.given_name_latin, absorbed.family_name_latin, absorbed.patronymic_latin)
    computed = tuple(icao_latin(part) for part in (absorbed.given_name, absorbed.family_name, absorbed.patronymic))
    if absorbed.latin_is_custom and any(latin) and latin != computed:
        # A Latin form typed from a passport is a spelling of its own: keep it searchable too.
        extra_aliases.append(
            PersonAlias.objects.create(
                person=survivor, kind=AliasKind.MERGED, note=note[:200],
                given_name=latin[0], family_name=latin[1], patronymic=latin[2],
            ).pk
        )

    merge_record = PersonMerge.objects.create(
        survivor=survivor, absorbed=absorbed, alias=alias, reason=reason[:300], merged_by=user,
        moved={"rows": moved, "registrations": [c.pk for c in copies], "aliases": extra_aliases, "kept": kept},
    )
    _save_version(absorbed, merged_into=survivor)
    _save_version(survivor)
    index.reindex(survivor)
    index.reindex(absorbed)
    _pair_of(survivor.pk, absorbed.pk).update(
        status=ReviewStatus.MERGED, reviewed_by=user, reviewed_at=timezone.now()
    )

    moved_text = _counts_text(moved)
    record(
        Action.UPDATE, survivor, actor=user, request=request,
        changes={
            "absorbed": [None, absorbed.reference],
            "merge": [None, str(merge_record.pk)],
            "rows_moved": [None, moved_text or "0"],
            "registrations_copied": [None, ", ".join(c.programme for c in copies) or "0"],
            "aliases": [None, f"+{1 + len(extra_aliases)}"],
            **({"reason": None} if reason else {}),
        },
    )
    record(
        Action.UPDATE, absorbed, actor=user, request=request,
        changes={
            "merged_into": [None, survivor.reference],
            "merge": [None, str(merge_record.pk)],
            "rows_moved": [moved_text or "0", None],
            **({"rows_kept": [_counts_text(kept), None]} if kept else {}),
        },
    )
    return merge_record


def unmerge(user: User, merge: PersonMerge, *, request=None) -> PersonMerge:
    """Undo a merge: exactly the rows it moved and still on the survivor go back, its additions go.

    Rows added to the survivor since the merge stay with it, rows moved elsewhere since are left alone.
    A merge whose survivor was itself merged away later is refused: that later merge is undone first,
    otherwise the rows to put back would be on a third record. Both records must be in the user's
    change scope, as for the merge.
    """
    policy.require(user, policy.MERGE_PEOPLE, request=request)
    merge = policy.get_for(user, PersonMerge, "change", pk=merge.pk, request=request)
    _lock_pair(user, merge.survivor_id, merge.absorbed_id, request, lock=False)
    return _unmerge(user, merge.pk, request)


@transaction.atomic
def _unmerge(user: User, merge_pk: int, request) -> PersonMerge:
    merge = policy.get_for(user, PersonMerge.objects.select_for_update(), "change", pk=merge_pk, request=request)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."), code="already_undone")
    survivor, absorbed = _lock_pair(user, merge.survivor_id, merge.absorbed_id, request)
    if survivor.merged_into_id is not None:
        raise ValidationError(
            _("%(reference)s has since been merged into another record: undo that merge first.")
            % {"reference": survivor.reference},
            code="survivor_merged",
        )
    if absorbed.merged_into_id != survivor.pk:
        raise ValidationError(_("The records no longer point at each other; nothing to undo."), code="inconsistent")

    returned: dict[str, list] = {}
    for label, pks in (merge.moved.get("rows") or {}).items():
        field = _field_for(label)
        if field is None or not pks:
            continue
        done, _stayed = _repoint(field, list(pks), survivor.pk, absorbed.pk)
        if done:
            returned[label] = done
    alias_ids = [*([merge.alias_id] if merge.alias_id else []), *(merge.moved.get("aliases") or [])]
    PersonAlias.objects.filter(pk__in=alias_ids, person=survivor).delete()
    copies = ProgrammeRegistration.objects.filter(pk__in=merge.moved.get("registrations") or [], person=survivor)
    removed_programmes = sorted(copies.values_list("programme", flat=True))
    copies.delete()

    _save_version(absorbed, merged_into=None)
    _save_version(survivor)
    index.reindex(survivor)
    index.reindex(absorbed)
    merge.undone_by = user
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    _pair_of(survivor.pk, absorbed.pk).filter(status=ReviewStatus.MERGED).update(
        status=ReviewStatus.OPEN, reviewed_by=None, reviewed_at=None
    )

    returned_text = _counts_text(returned)
    record(
        Action.UPDATE, survivor, actor=user, request=request,
        changes={
            "absorbed": [absorbed.reference, None],
            "merge_undone": [None, str(merge.pk)],
            "rows_moved": [returned_text or "0", None],
            "registrations_copied": [", ".join(removed_programmes) or "0", None],
        },
    )
    record(
        Action.UPDATE, absorbed, actor=user, request=request,
        changes={
            "merged_into": [survivor.reference, None],
            "merge_undone": [None, str(merge.pk)],
            "rows_moved": [None, returned_text or "0"],
        },
    )
    return merge
