"""Background work: enqueued only when the transaction commits, run by the database worker."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from waypoint.core.tasks import enqueue_on_commit, send_email


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_mail_is_queued_after_commit_and_sent_by_the_worker(database_queue):
    with transaction.atomic():
        enqueue_on_commit(send_email, "Subject", "Body", ["worker@example.org"])
        assert DBTaskResult.objects.count() == 0, "nothing is queued before the commit"
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert [message.to for message in mail.outbox] == [["worker@example.org"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_work_of_a_rolled_back_transaction_is_never_queued(database_queue):
    def failing_change():
        with transaction.atomic():
            enqueue_on_commit(send_email, "Subject", "Body", ["worker@example.org"])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert DBTaskResult.objects.count() == 0
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert mail.outbox == []
