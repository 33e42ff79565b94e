"""Email about referrals and cases, sent by the task queue once the change is committed.

Mail leaves the system: it never carries personal data, only the reference, the organisation, the
status and where to look. Each recipient reads it in their own language. Links are absolute when
`WAYPOINT_BASE_URL` is set (e.g. https://waypoint.example.org), otherwise the address is given as a path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from waypoint.accounts.models import Role, User
from waypoint.core.tasks import enqueue_on_commit, send_email


def _link(path: str) -> str:
    return getattr(settings, "WAYPOINT_BASE_URL", "").rstrip("/") + path


def _by_language(users: Iterable[User]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for user in users:
        if user.is_active and user.email:
            grouped[user.language or settings.LANGUAGE_CODE].append(user.email)
    return grouped


def _send(users: Iterable[User], compose) -> None:
    for language, addresses in _by_language(users).items():
        with translation.override(language):
            subject, body = compose()
        enqueue_on_commit(send_email, subject, body, sorted(addresses))


def new_referral(referral) -> None:
    """Tell the receiving organisation's Waypoint users that a referral waits for their answer."""
    partners = User.objects.filter(partner_organisation_id=referral.organisation_id, role=Role.PARTNER_USER)

    def compose():
        subject = _("New referral %(reference)s") % {"reference": referral.reference}
        lines = [
            _("The office sent a referral to %(organisation)s.") % {"organisation": referral.organisation.name},
        ]
        if referral.service_id:
            lines.append(_("Service: %(service)s") % {"service": referral.service.name})
        if referral.due_on:
            lines.append(_("Please answer by %(date)s.") % {"date": referral.due_on.isoformat()})
        link = _link(reverse("referrals:detail", args=[referral.pk]))
        lines += ["", _("Open it in Waypoint: %(link)s") % {"link": link}]
        return subject, "\n".join(lines)

    _send(partners, compose)


def status_changed(referral, *, by: User) -> None:
    """Tell whoever made the referral, and the owner of the case it was made from, that its status changed
    (unless they changed it themselves). For a referral a partner sent to the office, whoever made it is the
    partner (the case's owner is told of the case itself: `case_assigned`)."""
    recipients = {}
    if referral.created_by_id and referral.created_by_id != by.pk:
        recipients[referral.created_by_id] = referral.created_by
    if referral.case_id and referral.direction == "outbound" and referral.case.owner_id != by.pk:
        recipients.setdefault(referral.case.owner_id, referral.case.owner)
    if not recipients:
        return

    def compose():
        status = referral.get_status_display()
        subject = _("Referral %(reference)s: %(status)s") % {"reference": referral.reference, "status": status}
        body = "\n".join([
            _("%(organisation)s: the referral %(reference)s is now “%(status)s”.") % {
                "organisation": referral.organisation.name, "reference": referral.reference, "status": status},
            "",
            _("Open it in Waypoint: %(link)s") % {"link": _link(reverse("referrals:detail", args=[referral.pk]))},
        ])
        return subject, body

    _send(recipients.values(), compose)


def inbound_referral(referral) -> None:
    """Tell the managers of the referral's programme that a partner referred a person to the office."""
    managers = [user for user in User.objects.filter(role=Role.PROGRAMME_MANAGER, is_active=True)
                if referral.programme in (user.programmes or [])]

    def compose():
        subject = _("New referral to the office %(reference)s") % {"reference": referral.reference}
        lines = [
            _("%(organisation)s referred a person to the office (%(programme)s).") % {
                "organisation": referral.organisation.name, "programme": referral.get_programme_display()},
        ]
        if referral.due_on:
            lines.append(_("Please answer by %(date)s.") % {"date": referral.due_on.isoformat()})
        link = _link(reverse("referrals:detail", args=[referral.pk]))
        lines += ["", _("Open it in Waypoint: %(link)s") % {"link": link}]
        return subject, "\n".join(lines)

    _send(managers, compose)


def case_assigned(case, *, by: User) -> None:
    """Tell the owner of a case opened for them (from the hotline, or from a partner's referral) that it
    is theirs."""
    if case.owner_id == by.pk:
        return

    def compose():
        subject = _("Case %(reference)s is assigned to you") % {"reference": case.reference}
        body = "\n".join([
            _("A case was opened and assigned to you: %(reference)s.") % {"reference": case.reference},
            "",
            _("Open it in Waypoint: %(link)s") % {"link": _link(reverse("cases:detail", args=[case.reference]))},
        ])
        return subject, body

    _send([case.owner], compose)
