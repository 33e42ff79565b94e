"""Merging two records of one person and undoing it: what moves, what is copied, who may, what is audited."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.people import lookup, merging, services
from waypoint.people.models import (
    AliasKind,
    DuplicatePair,
    IdentityDocument,
    NameKey,
    Person,
    PersonAlias,
    PersonMerge,
    ProgrammeRegistration,
    ReviewStatus,
)

pytestmark = pytest.mark.django_db


# Two models of "another app" pointing at Person, as cases and consents will: the merge must move their
# rows without knowing them. Declared in the test app (its tables are created with the test database,
# before the migrations run: hence no database-level constraint), with hidden reverse names, so that
# introspection has to find them the hard way.
class CaseNote(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    text = models.CharField(max_length=50)

    class Meta:
        app_label = "crypto_app"


class Consent(models.Model):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        app_label = "crypto_app"


@pytest.fixture
def manager(users):
    return users["programme_manager"]


@pytest.fixture
def worker(users):
    return users["case_worker"]


def register(user, given, family, *, programme=Programme.COUNTER_TRAFFICKING, aliases=(), **fields):
    data = {"given_name": given, "family_name": family, **fields}
    return services.register(user, data, programme=programme, aliases=list(aliases))


@pytest.fixture
def pair(worker):
    """«Юлия Ковальчук» (kept) and the same woman registered again under her married name."""
    survivor = register(
        worker, "Юлия", "Ковальчук", sex="F", birth_date=datetime.date(1990, 1, 2), citizenships=["UA"]
    )
    absorbed = register(
        worker, "Iuliia", "Petrenko", sex="F", birth_date=datetime.date(1990, 1, 2), citizenships=["UA"],
        aliases=[{"given_name": "Юля", "family_name": "Петренко", "kind": AliasKind.ALIAS}],
    )
    ProgrammeRegistration.objects.create(person=absorbed, programme=Programme.RETURN)
    services.add_document(worker, absorbed, {"document_type": "passport", "number": "FA1234567"})
    return survivor, absorbed


def found(user, text):
    return [candidate.person.pk for candidate in lookup.search(user, text)]


def test_every_link_to_a_person_is_found_by_introspection():
    labels = {merging._link_label(field) for field in merging.person_links()}
    assert {"people.personalias:person", "people.identitydocument:person"} <= labels
    assert {"crypto_app.casenote:person", "crypto_app.consent:person"} <= labels
    # The registry's own bookkeeping is never moved.
    assert not labels & {
        "people.namekey:person", "people.programmeregistration:person", "people.personmerge:survivor",
        "people.personmerge:absorbed", "people.duplicatepair:first", "people.person:merged_into",
    }


def test_merge_moves_rows_copies_registrations_and_keeps_a_pointer(manager, users, pair):
    survivor, absorbed = pair
    note = CaseNote.objects.create(person=absorbed, text="case 1")
    alias_ids = list(absorbed.aliases.values_list("pk", flat=True))
    document_ids = list(absorbed.documents.values_list("pk", flat=True))
    assert found(manager, "Petrenko Iuliia") == [absorbed.pk]

    merge = merging.merge(manager, survivor, absorbed, reason="same passport")

    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    assert absorbed.merged_into_id == survivor.pk
    assert (survivor.version, absorbed.version) == (2, 2)
    assert set(survivor.aliases.filter(pk__in=alias_ids).values_list("pk", flat=True)) == set(alias_ids)
    assert list(survivor.documents.values_list("pk", flat=True)) == document_ids
    note.refresh_from_db()
    assert note.person_id == survivor.pk
    # Registrations: copied for the programme the survivor lacked; the absorbed record keeps its own.
    assert set(survivor.registrations.values_list("programme", flat=True)) == {"CT", "AVRR"}
    assert set(absorbed.registrations.values_list("programme", flat=True)) == {"CT", "AVRR"}
    assert policy.visible_people(users["case_worker_b"]).filter(pk=survivor.pk).exists()
    # The absorbed record's name is now another name of the survivor.
    assert merge.alias.person_id == survivor.pk
    assert merge.alias.kind == AliasKind.MERGED
    assert (merge.alias.given_name, merge.alias.family_name) == ("Iuliia", "Petrenko")
    assert merge.moved["rows"] == {
        "crypto_app.casenote:person": [note.pk],
        "people.identitydocument:person": document_ids,
        "people.personalias:person": alias_ids,
    }
    copied = ProgrammeRegistration.objects.get(person=survivor, programme="AVRR")
    assert merge.moved["registrations"] == [copied.pk]
    assert (merge.merged_by, merge.reason, merge.undone_at) == (manager, "same passport", None)
    # Keys: a merged-away record has none; its spellings now find the survivor.
    assert not NameKey.objects.filter(person=absorbed).exists()
    assert found(manager, "Petrenko Iuliia") == [survivor.pk]
    assert survivor.pk in found(manager, "Петренко Юля")


def test_unmerge_puts_back_exactly_what_moved(manager, worker, pair):
    survivor, absorbed = pair
    note = CaseNote.objects.create(person=absorbed, text="case 1")
    before = {
        "aliases": set(absorbed.aliases.values_list("pk", flat=True)),
        "documents": set(absorbed.documents.values_list("pk", flat=True)),
        "survivor_aliases": set(survivor.aliases.values_list("pk", flat=True)),
        "survivor_registrations": set(survivor.registrations.values_list("pk", flat=True)),
    }
    merge = merging.merge(manager, survivor, absorbed, reason="same passport")
    alias_pk = merge.alias_id
    # Work goes on after the merge: a document added to the survivor stays with it.
    later = services.add_document(worker, survivor, {"document_type": "national_id", "number": "AB998877"})

    merging.unmerge(manager, merge)

    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    merge.refresh_from_db()
    assert absorbed.merged_into_id is None
    assert (survivor.version, absorbed.version) == (3, 3)
    assert set(absorbed.aliases.values_list("pk", flat=True)) == before["aliases"]
    assert set(absorbed.documents.values_list("pk", flat=True)) == before["documents"]
    assert set(survivor.aliases.values_list("pk", flat=True)) == before["survivor_aliases"]
    assert set(survivor.registrations.values_list("pk", flat=True)) == before["survivor_registrations"]
    assert list(survivor.documents.values_list("pk", flat=True)) == [later.pk]
    note.refresh_from_db()
    assert note.person_id == absorbed.pk
    assert not PersonAlias.objects.filter(pk=alias_pk).exists()
    assert merge.undone_by == manager
    assert merge.undone_at is not None
    assert NameKey.objects.filter(person=absorbed).exists()
    assert found(manager, "Petrenko Iuliia") == [absorbed.pk]
    assert found(manager, "Ковальчук Юлия")[0] == survivor.pk


def test_a_unique_link_that_cannot_move_stays_and_is_put_back(manager, pair):
    survivor, absorbed = pair
    kept_consent = Consent.objects.create(person=survivor)
    other_consent = Consent.objects.create(person=absorbed)
    merge = merging.merge(manager, survivor, absorbed)
    other_consent.refresh_from_db()
    assert other_consent.person_id == absorbed.pk
    assert merge.moved["kept"] == {"crypto_app.consent:person": [other_consent.pk]}
    merging.unmerge(manager, merge)
    kept_consent.refresh_from_db()
    other_consent.refresh_from_db()
    assert (kept_consent.person_id, other_consent.person_id) == (survivor.pk, absorbed.pk)


def test_a_typed_latin_form_stays_searchable(manager, worker):
    survivor = register(worker, "Юлия", "Ковальчук", birth_date=datetime.date(1990, 1, 2))
    absorbed = register(
        worker, "Юля", "Ковальчук", given_name_latin="Julia", family_name_latin="Kowaltschuk",
        latin_is_custom=True, birth_date=datetime.date(1990, 1, 2),
    )
    merge = merging.merge(manager, survivor, absorbed)
    extra = PersonAlias.objects.filter(pk__in=merge.moved["aliases"])
    assert [(a.given_name, a.family_name, a.person_id) for a in extra] == [("Julia", "Kowaltschuk", survivor.pk)]
    merging.unmerge(manager, merge)
    assert not PersonAlias.objects.filter(pk__in=merge.moved["aliases"]).exists()


def test_merge_and_undo_close_and_reopen_the_review_pair(manager, pair):
    survivor, absorbed = pair
    first, second = sorted((survivor.pk, absorbed.pk))
    duplicate = DuplicatePair.objects.create(first_id=first, second_id=second, score=0.9)
    merge = merging.merge(manager, survivor, absorbed)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.reviewed_by) == (ReviewStatus.MERGED, manager)
    merging.unmerge(manager, merge)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.reviewed_by) == (ReviewStatus.OPEN, None)


def test_merge_and_undo_are_audited_on_both_records_without_personal_values(manager, pair):
    survivor, absorbed = pair
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    merge = merging.merge(manager, survivor, absorbed, reason="Юлия said so")
    merging.unmerge(manager, merge)
    events = AuditEvent.objects.filter(pk__gt=since, object_type="people.person").order_by("pk")
    assert [(e.action, e.object_id) for e in events] == [
        (Action.UPDATE, str(survivor.pk)), (Action.UPDATE, str(absorbed.pk)),
        (Action.UPDATE, str(survivor.pk)), (Action.UPDATE, str(absorbed.pk)),
    ]
    assert events[0].changes["absorbed"] == [None, absorbed.reference]
    assert events[0].changes["rows_moved"] == [None, "people.identitydocument: 1, people.personalias: 1"]
    assert events[0].changes["registrations_copied"] == [None, "AVRR"]
    assert events[1].changes["merged_into"] == [None, survivor.reference]
    assert events[3].changes["merged_into"] == [survivor.reference, None]
    text = json.dumps([e.changes for e in events], ensure_ascii=False)
    for personal in ("Юлия", "Iuliia", "Petrenko", "Петренко", "FA1234567", "said so", "1990"):
        assert personal not in text
    assert all(e.actor_username == manager.username for e in events)


def test_only_programme_managers_merge(users, pair):
    survivor, absorbed = pair
    for persona in ("case_worker", "hotline_operator", "administrator", "data_protection_officer"):
        since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        with pytest.raises(Http404):
            merging.merge(users[persona], survivor, absorbed)
        assert AuditEvent.objects.filter(pk__gt=since, action=Action.DENY, object_id=policy.MERGE_PEOPLE).exists()
    assert not PersonMerge.objects.exists()
    assert Person.objects.get(pk=absorbed.pk).merged_into_id is None


def test_a_record_outside_the_managers_programmes_is_404_and_audited(make_user, users, pair):
    survivor, _absorbed = pair
    elsewhere = register(users["case_worker_b"], "Olga", "Sidorova", programme=Programme.RETURN)
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with pytest.raises(Http404):
        merging.merge(users["programme_manager"], survivor, elsewhere)
    denial = AuditEvent.objects.get(pk__gt=since, action=Action.DENY)
    assert (denial.object_type, denial.object_id) == ("people.person", str(elsewhere.pk))
    assert Person.objects.get(pk=elsewhere.pk).merged_into_id is None
    assert not PersonAlias.objects.filter(kind=AliasKind.MERGED).exists()


def test_refusals(manager, worker, pair):
    survivor, absorbed = pair
    third = register(worker, "Anna", "Kovalchuk")
    with pytest.raises(ValidationError, match="itself"):
        merging.merge(manager, survivor, survivor)
    merge = merging.merge(manager, survivor, absorbed)
    with pytest.raises(ValidationError, match="already been merged"):
        merging.merge(manager, third, absorbed)
    with pytest.raises(ValidationError, match="already been merged"):
        merging.merge(manager, absorbed, third)
    merging.unmerge(manager, merge)
    with pytest.raises(ValidationError, match="already been undone"):
        merging.unmerge(manager, merge)


def test_an_undo_waits_for_a_later_merge_of_the_survivor(manager, worker, pair):
    survivor, absorbed = pair
    third = register(worker, "Yulia", "Kovalchuk", birth_date=datetime.date(1990, 1, 2))
    first = merging.merge(manager, survivor, absorbed)
    second = merging.merge(manager, third, survivor)
    document = IdentityDocument.objects.get(person=third)  # moved twice
    with pytest.raises(ValidationError, match="undo that merge first"):
        merging.unmerge(manager, first)
    merging.unmerge(manager, second)
    merging.unmerge(manager, first)
    document.refresh_from_db()
    assert document.person_id == absorbed.pk
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_another_programmes_manager_cannot_undo(make_user, manager, pair):
    survivor, absorbed = pair
    merge = merging.merge(manager, survivor, absorbed)
    outsider = make_user(Role.PROGRAMME_MANAGER, "manager_mh", programmes=[Programme.HEALTH])
    with pytest.raises(Http404):
        merging.unmerge(outsider, merge)
    merge.refresh_from_db()
    assert merge.undone_at is None
