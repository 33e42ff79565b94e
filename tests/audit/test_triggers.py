"""The database itself refuses to change or remove audit events, whichever way it is asked."""

import pytest
from django.db import DatabaseError, connection, transaction

from waypoint.audit.models import Action, AuditEvent
from waypoint.audit.services import record, verify


def orm_save_of_a_changed_instance(event):
    event.object_id = "tampered"
    event.save()


def orm_queryset_update(event):
    AuditEvent.objects.filter(pk=event.pk).update(object_id="tampered")


def orm_bulk_update(event):
    event.actor_username = "tampered"
    AuditEvent.objects.bulk_update([event], ["actor_username"])


def orm_instance_delete(event):
    AuditEvent.objects.get(pk=event.pk).delete()


def orm_queryset_delete(event):
    AuditEvent.objects.filter(pk=event.pk).delete()


def orm_delete_everything(event):
    AuditEvent.objects.all().delete()


def raw_sql(statement):
    def run(event):
        with connection.cursor() as cursor:
            cursor.execute(statement, [event.pk] if "%s" in statement else None)

    run.__name__ = statement
    return run


REFUSED = [
    orm_save_of_a_changed_instance,
    orm_queryset_update,
    orm_bulk_update,
    orm_instance_delete,
    orm_queryset_delete,
    orm_delete_everything,
    raw_sql("UPDATE audit_auditevent SET object_id = 'tampered' WHERE id = %s"),
    raw_sql("UPDATE audit_auditevent SET hash = prev_hash, prev_hash = hash"),
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s"),
    raw_sql("DELETE FROM audit_auditevent"),
]


@pytest.fixture
def events(db):
    return [
        record(Action.VIEW, object_type="partners.organisation", object_id=str(n), username="dpo")
        for n in range(3)
    ]


def snapshot():
    return list(AuditEvent.objects.order_by("id").values())


@pytest.mark.parametrize("attempt", REFUSED, ids=lambda attempt: attempt.__name__)
def test_changing_or_removing_an_audit_event_is_refused_by_the_database(events, attempt):
    before = snapshot()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt(AuditEvent.objects.get(pk=events[1].pk))

    assert snapshot() == before
    assert verify() == (3, None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL")
def test_truncating_the_trail_is_refused_on_postgresql(events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")

    assert AuditEvent.objects.count() == 3


def test_appending_still_works_after_refused_changes(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).delete()

    added = record(Action.EXPORT, object_type="cases.case", object_id="7", username="dpo")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_username, action, object_type, object_id, changes,"
            " ip_address, prev_hash, hash) VALUES (%s, '', 'view', '', '', '{}', '', %s, %s)",
            [added.at, "a" * 64, "b" * 64],
        )

    assert AuditEvent.objects.count() == 5
    assert AuditEvent.objects.order_by("-id")[1] == added
    assert AuditEvent.objects.get(pk=added.pk).prev_hash == events[-1].hash
