"""The audit trail is a hash chain: every event carries the hash of the one before it, so an
edited, deleted or inserted row is found by `verify()` and `manage.py audit_verify`."""

import threading
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from waypoint.audit.models import GENESIS_HASH, Action, AuditEvent
from waypoint.audit.services import changed_fields, record, verify


def record_several(count: int = 5) -> list[AuditEvent]:
    return [
        record(Action.VIEW, object_type="partners.organisation", object_id=str(n), username=f"user{n}")
        for n in range(count)
    ]


def lift_trigger(kind: str) -> None:
    """What someone with the table owner's rights could do. Undone by the test's rollback."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER audit_auditevent_no_{kind}")
        elif connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        else:  # pragma: no cover
            pytest.fail(f"no way to lift the audit triggers on {connection.vendor}")


def raw_update(event_id: int, **values) -> None:
    lift_trigger("update")
    assignments = ", ".join(f"{column} = %s" for column in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET {assignments} WHERE id = %s", [*values.values(), event_id])
        assert cursor.rowcount == 1


def raw_delete(event_id: int) -> None:
    lift_trigger("delete")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event_id])
        assert cursor.rowcount == 1


def command_failure() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", stdout=StringIO())
    return str(failure.value)


@pytest.mark.django_db
def test_each_event_links_to_the_hash_of_the_one_before_and_the_first_to_genesis():
    recorded = record_several()
    stored = list(AuditEvent.objects.order_by("id"))

    assert [event.pk for event in stored] == [event.pk for event in recorded]
    assert stored[0].prev_hash == GENESIS_HASH
    for before, after in pairwise(stored):
        assert after.prev_hash == before.hash
    for event in stored:
        assert event.hash == event.compute_hash()
        assert len(event.hash) == 64
    assert len({event.hash for event in stored}) == len(stored)


@pytest.mark.django_db
def test_verify_reports_an_untouched_chain_intact():
    record_several()

    assert verify() == (5, None)


@pytest.mark.django_db
def test_verify_of_an_empty_trail_is_intact():
    assert verify() == (0, None)


@pytest.mark.django_db
def test_audit_verify_command_prints_the_count_when_intact():
    record_several(7)
    out = StringIO()

    call_command("audit_verify", stdout=out)

    assert "Audit trail intact: 7 events verified." in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", Action.DELETE.value),
        ("object_id", "999"),
        ("actor_username", "someone_else"),
        ("ip_address", "198.51.100.1"),
        ("changes", '{"status": ["open", "closed"]}'),
    ],
)
def test_an_event_edited_by_hand_breaks_the_chain_at_that_event(column, value):
    events = record_several()
    edited = events[2]

    raw_update(edited.pk, **{column: value})

    checked, broken = verify()
    assert broken is not None
    assert broken.event_id == edited.pk
    assert "edited" in broken.reason
    assert checked == 2
    message = command_failure()
    assert f"event #{edited.pk}:" in message
    assert "2 events before it are intact" in message


@pytest.mark.django_db
@pytest.mark.parametrize("position", [0, 4], ids=["first", "last"])
def test_editing_the_first_or_last_event_is_caught_too(position):
    events = record_several()

    raw_update(events[position].pk, object_id="tampered")

    checked, broken = verify()
    assert broken is not None
    assert broken.event_id == events[position].pk
    assert checked == position
    assert f"event #{events[position].pk}:" in command_failure()


@pytest.mark.django_db
def test_an_edit_that_also_rewrites_its_own_hash_is_caught_at_the_next_event():
    events = record_several()
    forged = AuditEvent.objects.get(pk=events[2].pk)
    forged.object_id = "tampered"
    forged_hash = forged.compute_hash()

    raw_update(forged.pk, object_id="tampered", hash=forged_hash)

    checked, broken = verify()
    assert broken is not None
    assert broken.event_id == events[3].pk
    assert "link to the previous event is broken" in broken.reason
    assert checked == 3
    assert f"event #{events[3].pk}:" in command_failure()


@pytest.mark.django_db
def test_a_deleted_middle_event_is_reported_at_the_event_after_it():
    events = record_several()

    raw_delete(events[2].pk)

    checked, broken = verify()
    assert broken is not None
    assert broken.event_id == events[3].pk
    assert "deleted" in broken.reason
    assert checked == 2
    message = command_failure()
    assert f"event #{events[3].pk}:" in message
    assert f"#{events[2].pk}:" not in message


@pytest.mark.django_db
def test_sensitive_changes_keep_the_field_name_and_no_value():
    before = {"full_name": "Юлия Ковальчук", "status": "open", "city": "Moscow"}
    after = {"full_name": "Юлия Иванова", "status": "closed", "city": "Moscow"}

    event = record(
        Action.UPDATE, object_type="cases.case", object_id="12",
        changes=changed_fields(before, after, sensitive=["full_name"]),
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {"full_name": None, "status": ["open", "closed"]}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent WHERE id = %s", [event.pk])
        row = str(cursor.fetchone())
    assert "full_name" in row
    assert "Юлия" not in row
    assert "Ковальчук" not in row
    assert "Иванова" not in row
    assert verify() == (1, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database is shared-cache: a second writer fails at once "
    "with 'database table is locked' instead of queueing on the IMMEDIATE write lock, so "
    "concurrent appends can only be exercised on PostgreSQL",
)
def test_concurrent_appends_from_four_threads_never_fork_the_chain():
    threads_count, per_thread = 4, 25
    start = threading.Barrier(threads_count)
    failures: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait(timeout=30)
            for n in range(per_thread):
                record(Action.VIEW, object_type="test.concurrency", object_id=f"{worker}-{n}")
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=append, args=(w,)) for w in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert not any(worker.is_alive() for worker in workers)
    assert failures == []
    total = threads_count * per_thread
    assert AuditEvent.objects.filter(object_type="test.concurrency").count() == total
    assert verify() == (total, None)
    assert AuditEvent.objects.values("prev_hash").distinct().count() == total


def head_of_last_run() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue().split("Head: ")[1].strip()


@pytest.mark.django_db
def test_deleting_the_newest_events_is_caught_against_a_kept_checkpoint():
    record_several(3)
    checkpoint = head_of_last_run()
    record_several(2)
    call_command("audit_verify", checkpoint=checkpoint, stdout=StringIO())

    # Removing everything from the checkpoint on leaves a shorter chain that verifies by itself…
    lift_trigger("delete")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id >= %s", [int(checkpoint.split(":")[0])])
    assert AuditEvent.objects.count() == 2
    assert verify()[1] is None
    # …but not against the head kept elsewhere.
    with pytest.raises(CommandError, match="missing or different"):
        call_command("audit_verify", checkpoint=checkpoint, stdout=StringIO())


@pytest.mark.django_db
def test_a_malformed_checkpoint_is_explained():
    record_several(1)
    with pytest.raises(CommandError, match="ID:HASH"):
        call_command("audit_verify", checkpoint="yesterday", stdout=StringIO())
