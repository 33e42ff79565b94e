# ruff: noqa: RUF001, S311
"""Demo data of the direct assistance programme: 6 compact settlements, 60 migrant enterprises, about 70 grant
applications over the last two years in every state (some rejected, some withdrawn), about 180 items of every
type with suppliers and handover acts, and follow-up visits with income and jobs. Owner: `livelihoods`.

Written in bulk with the dates things happened (steps as `StatusChange` rows with their day and the members
counted), one summary audit event for the load. Idempotent: once the settlements exist, nothing is added.
Deterministic: one seeded generator; dates follow today.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.models import Case, CaseEvent, CaseMember, Channel, MemberRole, ReferenceSequence, StatusChange
from waypoint.partners.models import Organisation
from waypoint.people import index as people_index
from waypoint.people.models import NameKey, Person, ProgrammeRegistration
from waypoint.people.transliteration import icao_latin

from .models import (
    Activity,
    Decision,
    Enterprise,
    EnterpriseMember,
    EnterpriseRole,
    FollowUpVisit,
    GrantApplication,
    GrantItem,
    ItemStatus,
    Settlement,
)
from .visits import add_months

SEED = 6_0406
DAP = Programme.DIRECT_ASSISTANCE
OWNER = "livelihoods"
SETTLEMENTS = (
    ("Novaya Zhizn", "Oryol Oblast", "Mtsensky"), ("Druzhba", "Tver Oblast", "Kimrsky"),
    ("Solnechny", "Voronezh Oblast", "Ertilsky"), ("Zarya", "Belgorod Oblast", "Gubkinsky"),
    ("Nadezhda", "Kursk Oblast", "Shchigrovsky"), ("Mirny", "Saratov Oblast", "Marksovsky"),
)
FAMILIES = ("Каримов", "Рахимов", "Саидов", "Юсупов", "Алиев", "Мамедов", "Гасанов", "Петросян", "Ованесян",
            "Иванов", "Коваленко", "Шевченко", "Бойко", "Турсунов", "Назаров")
MEN = ("Бахтиёр", "Фаррух", "Рустам", "Ахмед", "Руслан", "Арам", "Тигран", "Иван", "Николай", "Олег")
WOMEN = ("Дильбар", "Зарина", "Мадина", "Лейла", "Анна", "Гаяне", "Ольга", "Наталья", "Гульнара", "Сабина")
CITIZENSHIPS = ("TJ", "UZ", "AZ", "AM", "GE", "KZ", "RU", "UA")
KINDS = {
    Activity.AGRICULTURE: [("machinery", "Walk-behind tractor", 120_000), ("tools", "Garden tool set", 15_000)],
    Activity.LIVESTOCK: [("equipment", "Milking machine", 60_000), ("equipment", "Feed grinder", 35_000)],
    Activity.FOOD_PROCESSING: [("equipment", "Bakery oven", 150_000), ("equipment", "Dough mixer", 55_000)],
    Activity.SEWING: [("equipment", "Industrial sewing machine", 45_000), ("equipment", "Overlocker", 30_000)],
    Activity.CARPENTRY: [("machinery", "Woodworking machine", 110_000), ("tools", "Power tool set", 25_000)],
    Activity.CONSTRUCTION: [("tools", "Concrete mixer", 40_000), ("tools", "Scaffolding set", 35_000)],
    Activity.TRANSPORT: [("vehicle", "Minibus", 650_000), ("vehicle", "Light truck", 550_000)],
    Activity.TRADE: [("equipment", "Refrigerated display case", 70_000), ("equipment", "Scales", 12_000)],
    Activity.REPAIR: [("tools", "Car repair tool set", 45_000), ("equipment", "Welding machine", 38_000)],
    Activity.OTHER: [("equipment", "Hairdressing chair", 25_000), ("tools", "Hair clippers", 8_000)],
}
NAMES = {Activity.AGRICULTURE: "Farm", Activity.LIVESTOCK: "Dairy", Activity.FOOD_PROCESSING: "Bakery",
         Activity.SEWING: "Sewing workshop", Activity.CARPENTRY: "Joinery", Activity.CONSTRUCTION: "Builders",
         Activity.TRANSPORT: "Transport co-operative", Activity.TRADE: "Shop", Activity.REPAIR: "Repair shop",
         Activity.OTHER: "Hair salon"}
SUPPLIER_NAMES = ("Agrotekhnika LLC", "Shveymash LLC", "Instrument-Service", "AvtoMir Dealer", "TorgOborudovanie")
# Stages the applications end in, with how many (about 70 in all).
STAGES = (["rejected"] * 8 + ["withdrawn"] * 3 + ["received"] * 4 + ["assessed"] * 4 + ["approved"] * 4
          + ["procured"] * 5 + ["handed_over"] * 10 + ["follow_up"] * 16 + ["closed"] * 16)
PATH = ("received", "assessed", "approved", "procured", "handed_over", "follow_up", "closed")
ACTIONS = {"assessed": "assess", "approved": "approve", "procured": "procure", "handed_over": "hand_over",
           "follow_up": "follow_up", "closed": "close"}


def _at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _references(year: int, count: int) -> list[str]:
    sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(prefix=DAP, year=year)
    ReferenceSequence.objects.filter(pk=sequence.pk).update(last=F("last") + count)
    return [f"{DAP}-{year}-{n:05d}" for n in range(sequence.last + 1, sequence.last + count + 1)]


def load(stdout) -> None:
    owner = User.objects.filter(username=OWNER).first()
    if owner is None or owner.office_id is None or Settlement.objects.filter(name=SETTLEMENTS[0][0]).exists():
        return
    Loader(owner).run()
    stdout.write("Direct assistance: 6 settlements, 60 enterprises, grant applications with items and visits.")


class Loader:
    def __init__(self, owner: User):
        self.owner, self.rng, self.today = owner, random.Random(SEED), timezone.localdate()
        self.suppliers = list(Organisation.objects.filter(is_active=True).order_by("name")[:6])

    def run(self) -> None:
        rng = self.rng
        settlements = Settlement.objects.bulk_create([Settlement(name=n, region=r, district=d)
                                                      for n, r, d in SETTLEMENTS])
        activities = list(Activity.values)
        enterprises, people, memberships = [], [], []
        for number in range(60):
            activity = activities[number % len(activities)]
            settlement = settlements[number % len(settlements)]
            registered = self.today - datetime.timedelta(days=rng.randint(760, 1500))
            enterprises.append(Enterprise(
                name=f"{NAMES[activity]} “{rng.choice(FAMILIES)} {number + 1}”", settlement=settlement,
                activity=activity, registered_on=registered, registered_by=self.owner,
                description=f"{NAMES[activity]} of migrant families in {settlement.name}."))
            for index in range(rng.choice((1, 2, 2, 3, 4))):
                sex = rng.choice("MF")
                family = rng.choice(FAMILIES)
                family = family + "а" if sex == "F" and family.endswith("ов") else family
                person = Person(given_name=rng.choice(MEN if sex == "M" else WOMEN), family_name=family, sex=sex,
                                citizenships=[rng.choice(CITIZENSHIPS)], created_by=self.owner,
                                birth_date=datetime.date(rng.randint(1965, 2000), rng.randint(1, 12),
                                                         rng.randint(1, 28)))
                person.given_name_latin, person.family_name_latin = icao_latin(person.given_name), \
                    icao_latin(person.family_name)
                people.append(person)
                role = EnterpriseRole.FOUNDER if index == 0 else rng.choice(
                    (EnterpriseRole.MEMBER, EnterpriseRole.EMPLOYEE))
                memberships.append((number, person, role))
        Enterprise.objects.bulk_create(enterprises)
        Person.objects.bulk_create(people, batch_size=500)
        ProgrammeRegistration.objects.bulk_create([
            ProgrammeRegistration(person=p, programme=DAP, office=self.owner.office, registered_by=self.owner)
            for p in people], batch_size=500)
        NameKey.objects.bulk_create([key for p in people for key in people_index.key_rows(p, ())], batch_size=2000)
        EnterpriseMember.objects.bulk_create([
            EnterpriseMember(enterprise=enterprises[n], person=p, role=role) for n, p, role in memberships])
        members_of: dict[int, list[Person]] = {}
        for n, person, _role in memberships:
            members_of.setdefault(n, []).append(person)
        self._grants(enterprises, members_of)
        record(Action.CREATE, actor=None, object_type="livelihoods.demo", changes={
            "settlements": [None, len(settlements)], "enterprises": [None, len(enterprises)],
            "people": [None, len(people)]})

    def _grants(self, enterprises: list[Enterprise], members_of: dict[int, list[Person]]) -> None:
        rng = self.rng
        stages = list(STAGES)
        rng.shuffle(stages)
        plans = []
        for number, stage in enumerate(stages):
            n = number % len(enterprises)
            span = 700 if stage in ("closed", "follow_up") else 420 if stage == "handed_over" else 200
            received = self.today - datetime.timedelta(days=rng.randint(min(span, 700) // 3, span))
            plans.append((n, stage, received))
        cases, by_year = [], {}
        for n, stage, received in plans:
            by_year.setdefault(received.year, []).append(len(cases))
            final = "rejected" if stage == "rejected" else "withdrawn" if stage == "withdrawn" else stage
            cases.append(Case(programme=DAP, office=self.owner.office, owner=self.owner, status=final,
                              opened_on=received, channel=Channel.SELF, summary=f"Grant application of "
                              f"{enterprises[n].name}."))
        for year, indexes in by_year.items():
            for index, reference in zip(indexes, _references(year, len(indexes)), strict=True):
                cases[index].reference = reference
        Case.objects.bulk_create(cases)
        members, changes, events, applications, items, visits = [], [], [], [], [], []
        for case, (n, stage, received) in zip(cases, plans, strict=True):
            people = members_of[n]
            applicants = people[: rng.randint(1, len(people))]
            for index, person in enumerate(applicants):
                members.append(CaseMember(case=case, person=person, role=MemberRole.PRINCIPAL if index == 0
                                          else MemberRole.OTHER))
            self._history(case, enterprises[n], stage, received, len(applicants), changes, events, applications,
                          items, visits)
        CaseMember.objects.bulk_create(members, batch_size=1000)
        StatusChange.objects.bulk_create(changes, batch_size=1000)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        GrantApplication.objects.bulk_create(applications)
        GrantItem.objects.bulk_create(items, batch_size=500)
        FollowUpVisit.objects.bulk_create(visits, batch_size=500)
        for case in cases:
            if case.status in ("rejected", "withdrawn", "closed"):
                last = max(c.on for c in changes if c.case_id == case.pk)
                reason = {"rejected": "rejected", "withdrawn": "withdrawn", "closed": "completed"}[case.status]
                Case.objects.filter(pk=case.pk).update(closed_on=last, closure_reason=reason)

    def _history(self, case, enterprise, stage, received, individuals, changes, events, applications, items,
                 visits) -> None:
        rng, day = self.rng, received
        kinds = KINDS[enterprise.activity]
        planned = [rng.choice(kinds) for _ in range(rng.choice((3, 3, 4, 4, 5)))]
        requested = Decimal(sum(price for _t, _d, price in planned))
        application = GrantApplication(
            case=case, enterprise=enterprise, received_on=received, currency="RUB", requested_value=requested,
            plan=f"{enterprise.name} will use the items to increase its output and employ more migrants.",
            planned_items="\n".join(description for _t, description, _p in planned),
            expected_monthly_income=Decimal(rng.randrange(30_000, 150_000, 5_000)), expected_jobs=rng.randint(1, 6))
        applications.append(application)
        changes.append(StatusChange(case=case, action="open", to_status="received", on=received,
                                    individuals=individuals, by=self.owner, at=_at(received)))
        events.append(CaseEvent(case=case, kind="opened", summary="Grant application received.", actor=self.owner,
                                at=_at(received)))

        def step(action: str, source: str, target: str, gap: tuple[int, int]) -> datetime.date:
            nonlocal day
            day = min(day + datetime.timedelta(days=rng.randint(*gap)), self.today)
            changes.append(StatusChange(case=case, action=action, from_status=source, to_status=target, on=day,
                                        individuals=individuals, by=self.owner, at=_at(day, 15)))
            events.append(CaseEvent(case=case, kind="status", summary=f"Status changed to {target}.",
                                    actor=self.owner, at=_at(day, 15)))
            return day

        if stage == "withdrawn":
            step("withdraw", "received", "withdrawn", (5, 30))
            return
        if stage == "received":
            return
        scores = {code: rng.randint(1 if stage == "rejected" else 2, 3 if stage == "rejected" else 5)
                  for code in ("viability", "experience", "market", "jobs", "contribution", "sustainability")}
        application.scores, application.assessor = scores, self.owner
        application.assessed_on = step("assess", "received", "assessed", (7, 25))
        application.recommendation = "reject" if stage == "rejected" else rng.choice(("approve", "approve_reduced"))
        if stage == "assessed":
            return
        application.decided_by = self.owner
        if stage == "rejected":
            application.decision, application.rejection_reason = Decision.REJECTED, \
                "The plan does not show how the items would earn enough to keep the enterprise going."
            application.decided_on = step("reject", "assessed", "rejected", (5, 20))
            return
        application.decision = Decision.APPROVED
        application.approved_value = requested if application.recommendation == "approve" else \
            (requested * Decimal("0.9")).quantize(Decimal("1"))
        application.decided_on = step("approve", "assessed", "approved", (5, 20))
        if stage == "approved":
            return
        scale = application.approved_value / requested
        handed_stage = PATH.index(stage) >= PATH.index("handed_over")
        for number, (item_type, description, price) in enumerate(planned, start=1):
            supplier = rng.choice(self.suppliers) if self.suppliers and rng.random() < 0.4 else None
            delivered = min(day + datetime.timedelta(days=rng.randint(10, 30)), self.today) if handed_stage or \
                rng.random() < 0.5 else None
            act = handed_stage
            items.append(GrantItem(
                case=case, item_type=item_type, description=description, quantity=1,
                value=(Decimal(price) * scale).quantize(Decimal("0.01")), currency="RUB", supplier=supplier,
                supplier_name="" if supplier else rng.choice(SUPPLIER_NAMES), delivered_on=delivered,
                handover_act_number=f"{case.reference}/{number}" if act else "",
                handover_act_date=delivered if act else None, recorded_by=self.owner,
                status=ItemStatus.HANDED_OVER if act else ItemStatus.DELIVERED if delivered else ItemStatus.ORDERED))
        step("procure", "approved", "procured", (10, 30))
        if stage == "procured":
            return
        handed = step("hand_over", "procured", "handed_over", (15, 35))
        for item in items[-len(planned):]:
            item.delivered_on = item.handover_act_date = min(item.delivered_on or handed, handed)
        if stage == "handed_over":
            return
        step("follow_up", "handed_over", "follow_up", (1, 10))
        for months in (3, 12):
            visit_day = add_months(handed, months) + datetime.timedelta(days=rng.randint(-10, 15))
            if visit_day > self.today:
                break
            operating = rng.choices(("yes", "partly", "no"), weights=(75, 17, 8))[0]
            jobs = 0 if operating == "no" else rng.randint(1, 6)
            visits.append(FollowUpVisit(
                case=case, visited_on=visit_day, visited_by=self.owner, operating=operating,
                monthly_income=None if operating == "no" else Decimal(rng.randrange(20_000, 180_000, 1_000)),
                currency="RUB", jobs_created=jobs, jobs_women=rng.randint(0, jobs),
                jobs_migrants=rng.randint(max(jobs - 1, 0), jobs),
                items_in_use={"yes": "all", "partly": "some", "no": "none"}[operating], recorded_by=self.owner))
            day = max(day, visit_day)
        if stage == "closed":
            if not any(v.case is case for v in visits):
                visit_day = min(add_months(handed, 3), self.today)
                visits.append(FollowUpVisit(case=case, visited_on=visit_day, visited_by=self.owner, operating="yes",
                                            monthly_income=Decimal("60000"), currency="RUB", jobs_created=2,
                                            jobs_women=1, jobs_migrants=2, items_in_use="all",
                                            recorded_by=self.owner))
                day = max(day, visit_day)
            step("close", "follow_up", "closed", (5, 30))
