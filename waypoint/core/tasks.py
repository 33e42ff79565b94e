"""Background work through the Tasks API, always enqueued after the surrounding commit."""

from __future__ import annotations

from functools import partial

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_tasks import task


def enqueue_on_commit(task_, *args, **kwargs) -> None:
    """Queue `task_` once the current transaction commits (at once outside a transaction),
    so a worker never sees work for data that was rolled back."""
    transaction.on_commit(partial(task_.enqueue, *args, **kwargs))


@task()
def send_email(
    subject: str, body: str, to: list[str], html_body: str | None = None, from_email: str | None = None,
) -> int:
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
