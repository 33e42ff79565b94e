"""The world the services, movements and centre-stay tests share: a counter-trafficking case of the case
worker (a mother referred by an embassy and her son), a person of the programme outside the case, the Moscow
rehabilitation centre with two rooms, a case of the return programme, and helpers to read what was written."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.test import RequestFactory
from django.utils import timezone

from waypoint.accounts.models import Office, Programme, User
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import panels
from waypoint.cases.casework import open_case
from waypoint.cases.models import Case, CaseEvent, CaseMember, Channel, MemberRole
from waypoint.people import services as people_services
from waypoint.people.models import Person
from waypoint.protection.models import Room

CT = Programme.COUNTER_TRAFFICKING
TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


@dataclass
class World:
    case: Case
    mother: Person
    son: Person
    stranger: Person  # registered in the programme, not a member of the case
    centre: Office
    room_a: Room  # two beds
    room_b: Room  # three beds


def register(user: User, family: str, given: str, sex: str, programme: str = CT) -> Person:
    return people_services.register(user, {"family_name": family, "given_name": given, "sex": sex,
                                           "citizenships": ["UZ"]}, programme=programme)


def make_world(users) -> World:
    worker = users["case_worker"]
    mother = register(worker, "Юсупова", "Гулнора", "F")
    son = register(worker, "Юсупов", "Тимур", "M")
    stranger = register(worker, "Каримова", "Дилноза", "F")
    case = open_case(worker, programme=CT, principal=mother, owner=worker, channel=Channel.DIPLOMATIC,
                     opened_on=TODAY - datetime.timedelta(days=30))
    CaseMember.objects.create(case=case, person=son, role=MemberRole.CHILD)
    centre = Office.objects.create(code="moscow-centre", name="Moscow rehabilitation centre",
                                   kind=Office.Kind.REHABILITATION_CENTRE, city="Moscow")
    room_a = Room.objects.create(office=centre, name="A", beds=2)
    room_b = Room.objects.create(office=centre, name="B", beds=3)
    return World(case, mother, son, stranger, centre, room_a, room_b)


def other_ct_case(users, owner: str = "programme_manager") -> Case:
    """A CT case the case worker is not on (owned by the programme manager)."""
    manager = users[owner]
    person = register(users["case_worker"], "Сидорова", "Мария", "F")
    return open_case(manager, programme=CT, principal=person, owner=manager, channel=Channel.NGO)


def return_case(users) -> Case:
    """A case of the return programme, owned by the second case worker."""
    worker = users["case_worker_b"]
    person = register(worker, "Рахимов", "Фарход", "M", programme=Programme.RETURN)
    return open_case(worker, programme=Programme.RETURN, principal=person, owner=worker, channel=Channel.SELF)


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(since: int, action: str | None = None):
    events = AuditEvent.objects.filter(pk__gt=since)
    return events.filter(action=action) if action else events


def timeline_lines(case: Case, kind: str) -> list[str]:
    return [event.summary for event in CaseEvent.objects.filter(case=case, kind=kind).order_by("at", "id")]


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def render_panel(user: User, case: Case, key: str) -> str | None:
    """One panel of the case page as this user gets it (None: left out), without rendering the others'."""
    from django.template.loader import render_to_string

    request = RequestFactory().get(f"/cases/{case.reference}/")
    request.user = user
    user.is_verified = lambda: True  # past the second factor, as on the case page
    [panel] = [panel for panel in panels.panels_for(case) if panel.key == key] or [None]
    if panel is None:
        return None
    context = panel.context(request, case)
    if context is None:
        return None
    return render_to_string(panel.template, {"case": case, "panel": panel, **context}, request=request)


def denied(since: int, user: User) -> list[AuditEvent]:
    return list(events_since(since, Action.DENY).filter(actor_id=user.pk))
