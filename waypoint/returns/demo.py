# ruff: noqa: S311
"""Demo return cases for `make run`, shaped on the seeds.

The AVRR pilot: 85 vulnerable migrants in irregular status (single adults and a few small families) returned from
Russia to Ghana, Afghanistan, Bolivia, Nigeria, Ethiopia, DR Congo, Pakistan, Kenya, Burundi, Georgia and others
over the last 12 months: screened eligible, profiled (contract students, labour migrants, transit migrants, asylum
seekers), counselled, travel documents from their embassies, a medical clearance, a booked flight, departure and a
reception by a partner. Plus the reintegration component: 30 vulnerable families (3 to 6 members) returning from
Austria to the Chechen Republic, received by partners on both sides, each with a reintegration plan, instalments
within budget and monitoring visits with their sustainability scores.

Everything is written in bulk with the dates things happened, as the services would have written it (status
changes with the individuals counted, movements with their travel service, one timeline line per step).
Idempotent (a second run adds nothing) and deterministic (one seeded generator; dates follow today).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from waypoint.accounts.models import Office, Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    Channel,
    DeliveryStatus,
    Movement,
    MovementKind,
    MovementStatus,
    ReferenceSequence,
    ServiceDelivery,
    ServiceType,
    StatusChange,
)
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people import index as people_index
from waypoint.people.models import NameKey, Person, ProgrammeRegistration
from waypoint.people.transliteration import icao_latin

from . import monitoring, questionnaire
from .demo_stories import CHECHNYA, ORIGINS, PILOT, Planning
from .models import (
    Answer,
    Category,
    DocumentKind,
    DocumentStatus,
    Instalment,
    MonitoringVisit,
    Question,
    Reception,
    ReintegrationPlan,
    ReturnProfile,
    ReturnProject,
    Screening,
    TravelDocument,
)
from .workflow import RETURN_WORKFLOW

SEED = 2009
AVRR = Programme.RETURN
ANSWERS_FOR = {  # purpose, entry, main difficulty
    Category.LABOUR_MIGRANT: ("work", "visa_free_work", "no_work"),
    Category.CONTRACT_STUDENT: ("study", "student_visa", "tuition"),
    Category.TRANSIT_MIGRANT: ("transit", "transit_visa", "stuck"),
    Category.ASYLUM_SEEKER: ("asylum", "irregular", "refused"),
}
STEPS = ("confirm_eligible", "counsel", "obtain_documents", "book_travel", "depart", "arrive", "start_reintegration",
         "start_monitoring", "close")


def _at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _organisation(name: str, kind: str, country: str) -> Organisation:
    found = Organisation.objects.filter(name=name).first()
    return found or Organisation.objects.create(name=name, organisation_type=kind, country=country)


def _references(year: int, count: int) -> list[str]:
    sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(prefix=AVRR, year=year)
    ReferenceSequence.objects.filter(pk=sequence.pk).update(last=F("last") + count)
    return [f"{AVRR}-{year}-{n:05d}" for n in range(sequence.last + 1, sequence.last + count + 1)]


def load(stdout) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=("returns", "returns2"))}
    office = Office.objects.filter(code="moscow").first()
    if len(users) < 2 or office is None:
        stdout.write("Returns: skipped (load the demo offices and users first).")
        return
    if Screening.objects.filter(project__name__in=(PILOT, CHECHNYA), screened_by__in=users.values()).exists():
        stdout.write(f"Returns: demo cases already loaded ({Case.objects.filter(programme=AVRR).count()} cases).")
        return
    Demo(stdout, office, [users["returns"], users["returns2"]]).run()


class Demo(Planning):
    def __init__(self, stdout, office: Office, workers: list[User]) -> None:
        self.stdout, self.office, self.workers = stdout, office, workers
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.rows: dict[type, list] = {model: [] for model in (
            StatusChange, Screening, ReturnProfile, Answer, TravelDocument, HealthAssessment, Reception,
            ReintegrationPlan, MonitoringVisit, CaseEvent)}
        self.stories: list[dict] = []

    def run(self) -> None:
        self.projects = {p.name: p for p in ReturnProject.objects.filter(name__in=(PILOT, CHECHNYA))}
        self.questions = {q.code: q for q in Question.objects.prefetch_related("options")}
        self.transport = ServiceType.objects.filter(code="return_transport").first()
        self.embassies = {code: _organisation(f"Embassy of {name}", OrganisationType.DIPLOMATIC, code)
                          for code, name in (("GH", "Ghana"), ("AF", "Afghanistan"), ("BO", "Bolivia"),
                                             ("NG", "Nigeria"), ("ET", "Ethiopia"), ("CD", "DR Congo"),
                                             ("PK", "Pakistan"), ("KE", "Kenya"), ("BI", "Burundi"),
                                             ("GE", "Georgia"), ("CM", "Cameroon"), ("RU", "Russia in Austria"))}
        self.missions = {code: _organisation(f"IOM {city}", OrganisationType.MISSION, code)
                         for code, (_w, city, _g, _f) in ORIGINS.items()}
        self.austria = _organisation("IOM Vienna", OrganisationType.MISSION, "AT")
        self.grozny = _organisation("Danish Refugee Council, Grozny office", OrganisationType.INTERNATIONAL, "RU")
        if not self.projects or self.transport is None:
            self.stdout.write("Returns: skipped (the return projects and the service catalogue are missing).")
            return
        self._plan_pilot()
        self._plan_chechnya()
        self._write()
        from . import demo_pipeline  # it reads this module's tables

        in_progress = demo_pipeline.load(self)
        self.stdout.write(f"Returns: {len(self.stories)} cases, "
                          f"{sum(len(s['people']) for s in self.stories)} individuals, returned; "
                          f"{in_progress} pilot cases before departure or screened not eligible.")

    # --- Writing ------------------------------------------------------------------------------------------
    def _write(self) -> None:
        stories = self.stories
        for index, story in enumerate(stories):
            story["owner"] = self.workers[index % 2]
            story["opened"] = story["departed"] - datetime.timedelta(days=self.rng.randint(30, 75))
        persons = []
        for story in stories:
            story["persons"] = [Person(**fields, created_by=story["owner"],
                                       given_name_latin=icao_latin(fields["given_name"]),
                                       family_name_latin=icao_latin(fields["family_name"]))
                                for fields in story["people"]]
            persons.extend(story["persons"])
        Person.objects.bulk_create(persons, batch_size=500)
        ProgrammeRegistration.objects.bulk_create([
            ProgrammeRegistration(person=p, programme=AVRR, office=self.office, registered_by=s["owner"])
            for s in stories for p in s["persons"]], batch_size=500)
        NameKey.objects.bulk_create([key for p in persons for key in people_index.key_rows(p, ())], batch_size=2000)
        by_year: dict[int, list[dict]] = {}
        for story in stories:
            by_year.setdefault(story["opened"].year, []).append(story)
        for year, of_year in by_year.items():
            for story, reference in zip(of_year, _references(year, len(of_year)), strict=True):
                story["reference"] = reference
        for story in stories:
            story["case"] = Case(reference=story["reference"], programme=AVRR, office=self.office,
                                 owner=story["owner"], opened_on=story["opened"], channel=Channel.SELF,
                                 vulnerabilities=["no_documents"] if story["project"].name == PILOT else
                                 ["minor", "single_parent"][: self.rng.randint(1, 2)],
                                 status=RETURN_WORKFLOW.initial)
        Case.objects.bulk_create([s["case"] for s in stories], batch_size=500)
        CaseMember.objects.bulk_create([CaseMember(case=s["case"], person=p, role=role) for s in stories
                                        for p, role in zip(s["persons"], s["roles"], strict=True)], batch_size=1000)
        for story in stories:
            self._case(story)
        for model, rows in self.rows.items():
            model.objects.bulk_create(rows, batch_size=1000)
        self._journeys()
        self._reintegration()
        record(Action.CREATE, actor=None, username="seed_demo", object_type="returns.demo",
               object_id=self.today.isoformat(), changes={"cases": [None, str(len(stories))]})

    def _case(self, story: dict) -> None:
        case, owner, rng = story["case"], story["owner"], self.rng
        opened, departed, size = story["opened"], story["departed"], len(story["persons"])
        self.rows[CaseEvent].append(CaseEvent(case=case, kind="opened", summary="Case opened (self-referral).",
                                              actor=owner, at=_at(opened, 10)))
        self.rows[StatusChange].append(StatusChange(case=case, action="open", to_status="requested", on=opened,
                                                    individuals=size, by=owner, at=_at(opened, 10)))
        self.rows[Screening].append(Screening(
            case=case, project=story["project"], nationality=story["nationality"],
            migration_status=story["status"], destination_country=story["destination"],
            destination_region=story["region"], vulnerabilities=case.vulnerabilities, eligible=True, reasons=[],
            screened_on=opened, screened_by=owner))
        self._answers(story, opened)
        days = {"confirm_eligible": opened, "counsel": opened + datetime.timedelta(days=3),
                "obtain_documents": opened + datetime.timedelta(days=4),
                "book_travel": departed - datetime.timedelta(days=7), "depart": departed, "arrive": departed,
                "start_reintegration": departed + datetime.timedelta(days=10),
                "start_monitoring": departed + datetime.timedelta(days=40),
                "close": departed + datetime.timedelta(days=45)}
        status = "requested"
        for action in STEPS:
            on = days[action]
            if on > self.today:
                break
            step = RETURN_WORKFLOW.get(action)
            if action == "close" and story["last_step"] != "close":
                break
            if action in ("start_reintegration", "start_monitoring") and story["plan"] is None:
                continue
            source = status
            status = step.target
            self.rows[StatusChange].append(StatusChange(case=case, action=action, from_status=source,
                                                        to_status=status, on=on, individuals=size, by=owner,
                                                        at=_at(on, 15)))
            self.rows[CaseEvent].append(CaseEvent(
                case=case, kind="status", actor=owner, at=_at(on, 15),
                summary=f"Status changed from {RETURN_WORKFLOW.label(source)} to {RETURN_WORKFLOW.label(status)} "
                        f"({step.label})."))
            if action == story["last_step"]:
                break
        case.status = status
        if status == "closed":
            case.closed_on, case.closure_reason = days["close"], "completed"
        Case.objects.filter(pk=case.pk).update(status=case.status, closed_on=case.closed_on,
                                               closure_reason=case.closure_reason)
        story["days"] = days
        for person in story["persons"]:
            issued = opened + datetime.timedelta(days=rng.randint(10, 25))
            self.rows[TravelDocument].append(TravelDocument(
                case=case, person=person, authority=story["embassy"], requested_on=opened + datetime.timedelta(days=4),
                kind=DocumentKind.EMERGENCY if story["project"].name == PILOT else DocumentKind.CERTIFICATE_OF_RETURN,
                status=DocumentStatus.ISSUED, issued_on=min(issued, departed), valid_until=departed +
                datetime.timedelta(days=30), recorded_by=owner))
            exam = departed - datetime.timedelta(days=rng.randint(8, 20))
            self.rows[HealthAssessment].append(HealthAssessment(
                case=case, person=person, assessment_type=AssessmentType.FITNESS_TO_TRAVEL,
                status=AssessmentStatus.DONE, requested_on=exam - datetime.timedelta(days=3), requested_by=owner,
                assessed_on=exam, clearance=Clearance.CLEARED, valid_until=exam + datetime.timedelta(days=60)))
        self.rows[Reception].append(Reception(case=case, organisation=story["receiver"], received_on=departed,
                                              note="Met at the airport.", recorded_by=owner))
        if story["plan"] is None and status == "closed":
            return  # closed on arrival, without reintegration: no visit is left to make (none shows as overdue)
        for count in monitoring.months():
            due = monitoring.add_months(departed, count)
            visit = MonitoringVisit(case=case, months_after=count, due_on=due)
            if story["plan"] is not None and due <= self.today and rng.random() < 0.85:
                answers = {i.code: rng.choices((2, 3, 4, 5), (1, 3, 4, 2))[0] for i in monitoring.INDICATORS}
                scores = monitoring.scores(answers)
                visit.done_on, visit.answers, visit.visited_by = due + datetime.timedelta(days=rng.randint(0, 9)), \
                    answers, owner
                if visit.done_on > self.today:
                    visit.done_on = self.today
                visit.economic_score, visit.social_score = scores["economic"], scores["social"]
                visit.psychosocial_score, visit.composite_score = scores["psychosocial"], scores["composite"]
            self.rows[MonitoringVisit].append(visit)

    def _answers(self, story: dict, opened: datetime.date) -> None:
        case, rng = story["case"], self.rng
        purpose, entry, difficulty = ANSWERS_FOR[story["category"]]
        chosen = {"purpose": purpose, "entry": entry, "main_difficulty": difficulty}
        pairs = []
        for code, question in self.questions.items():
            if not question.active:
                continue
            if code in chosen:
                option = next((o for o in question.options.all() if o.code == chosen[code]), None)
                if option is None:
                    continue
                pairs.append((question, option))
                self.rows[Answer].append(Answer(case=case, question=question, option=option))
            elif question.kind == "yes_no":
                yes = (code == "asylum_applied" and story["category"] == Category.ASYLUM_SEEKER) or (
                    code == "onward_plan" and story["category"] == Category.TRANSIT_MIGRANT)
                self.rows[Answer].append(Answer(case=case, question=question, text="yes" if yes else "no"))
            elif question.kind == "number":
                self.rows[Answer].append(Answer(case=case, question=question, number=Decimal(rng.randint(4, 60))))
        self.rows[ReturnProfile].append(ReturnProfile(case=case, category=questionnaire.derive_category(pairs),
                                                      answered_on=opened, updated_by=story["owner"]))

    def _journeys(self) -> None:
        deliveries, movements = [], []
        for story in self.stories:
            if story["days"]["book_travel"] > self.today:
                continue
            departed = story["departed"]
            delivery = ServiceDelivery(
                case=story["case"], person=story["persons"][0] if len(story["persons"]) == 1 else None,
                service_type=self.transport, delivered_on=departed, delivered_by=story["owner"],
                status=DeliveryStatus.DELIVERED, cost=Decimal(self.rng.randrange(24000, 90000, 500)),
                currency="RUB", recorded_by=story["owner"])
            deliveries.append(delivery)
            movements.append((story, Movement(
                case=story["case"], kind=MovementKind.INTERNATIONAL, status=MovementStatus.COMPLETED,
                origin=story["origin"][0], origin_country=story["origin"][1], destination=story["to"][0],
                destination_country=story["to"][1], departs_at=_at(departed, 9), arrives_at=_at(departed, 21),
                carrier="Scheduled flight", cost=delivery.cost, currency="RUB", delivery=delivery,
                recorded_by=story["owner"])))
        ServiceDelivery.objects.bulk_create(deliveries, batch_size=500)
        for _story, movement in movements:
            movement.delivery_id = movement.delivery.pk
        Movement.objects.bulk_create([m for _s, m in movements], batch_size=500)
        Movement.travellers.through.objects.bulk_create([
            Movement.travellers.through(movement_id=m.pk, person_id=p.pk)
            for story, m in movements for p in story["persons"]], batch_size=1000)

    def _reintegration(self) -> None:
        rng, plans, instalments = self.rng, [], []
        for story in self.stories:
            if story["plan"] is None or story["days"]["start_reintegration"] > self.today:
                continue
            plan = ReintegrationPlan(case=story["case"], budget=story["plan"], currency="EUR", partner=self.grozny,
                                     economic=True, social=rng.random() < 0.7, psychosocial=rng.random() < 0.6,
                                     description="Business start-up and support to the children's schooling.",
                                     updated_by=story["owner"])
            plans.append((story, plan))
        ReintegrationPlan.objects.bulk_create([p for _s, p in plans])
        for story, plan in plans:
            paid, day = Decimal("0"), story["days"]["start_reintegration"]
            for what in ("Tools for a car repair workshop", "Livestock: two cows", "School uniforms and books",
                         "Building materials for the house"):
                amount = Decimal(rng.choice((500, 750, 1000, 1250)))
                day = day + datetime.timedelta(days=rng.randint(10, 40))
                if paid + amount > plan.budget or day > self.today:
                    break
                paid += amount
                instalments.append(Instalment(plan=plan, amount=amount, paid_on=day, purchased=what,
                                              recorded_by=story["owner"]))
        Instalment.objects.bulk_create(instalments, batch_size=500)
