# ruff: noqa: S311
"""The AVRR pilot's cases still in progress for the demo (`demo.Demo` calls `load` after the returned cases).

About 20 cases spread over the stages before departure, each holding what the workflow's guards ask for its
stage: requested (a screening or not yet), screened eligible (the questionnaire answered or not yet), counselled,
travel documents (requested from the embassies, some issued) and travel booked (documents issued and a medical
clearance, both valid on the day of the booked flight, every member on board). Plus four screenings that found the
person not eligible (CIS and EU nationals, a regular stay), whose cases were withdrawn as "not eligible".

Timeline lines are those the services write, by the owner on the day; the latest of each case is recent, so
these cases do not look idle on the dashboard. Deterministic (its own seeded generator, dates from today).
"""

from __future__ import annotations

import datetime
import random

from django.utils import formats
from django.utils.translation import gettext as _

from waypoint.cases.casework import display_name
from waypoint.cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    Channel,
    MemberRole,
    Movement,
    MovementKind,
    MovementStatus,
    StatusChange,
)
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment
from waypoint.people import index as people_index
from waypoint.people.models import NameKey, Person, ProgrammeRegistration
from waypoint.people.transliteration import icao_latin

from . import eligibility
from .demo import AVRR, _at, _references
from .demo_stories import CATEGORY_SHARES, ORIGINS, PILOT, STATUS_FOR
from .models import Answer, DocumentKind, DocumentStatus, ReturnProfile, Screening, TravelDocument
from .workflow import RETURN_WORKFLOW, ClosureReason

SEED = 2026
D = datetime.timedelta
# Stage: (cases, the steps taken to reach it, how many days ago the case was opened)
STAGES = (
    ("requested", 3, (), (1, 8)),
    ("screened", 4, ("confirm_eligible",), (3, 14)),
    ("counselled", 4, ("confirm_eligible", "counsel"), (8, 22)),
    ("documents", 5, ("confirm_eligible", "counsel", "obtain_documents"), (14, 26)),
    ("booked", 4, ("confirm_eligible", "counsel", "obtain_documents", "book_travel"), (30, 45)),
)
STEP_DAY = {"confirm_eligible": 1, "counsel": 3, "obtain_documents": 4}
# Screenings that found the person not eligible: nationality, migration status, given name, family name, sex.
INELIGIBLE = (
    ("UZ", "expired_permit", "Sardor", "Rakhimov", "M"),
    ("TJ", "irregular_stay", "Firuz", "Nazarov", "M"),
    ("LV", "expired_visa", "Andris", "Ozols", "M"),
    ("GH", "regular", "Abena", "Owusu", "F"),
)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


class Pipeline:
    def __init__(self, demo) -> None:
        self.demo, self.today, self.rng = demo, demo.today, random.Random(SEED)
        self.project = demo.projects[PILOT]
        self.stories: list[dict] = []
        self.rows: dict[type, list] = {model: [] for model in (
            Screening, ReturnProfile, Answer, TravelDocument, HealthAssessment, StatusChange, CaseEvent)}
        self.journeys: list[tuple[dict, Movement]] = []

    # --- Planning -----------------------------------------------------------------------------------------
    def plan(self) -> None:
        rng, codes = self.rng, list(ORIGINS)
        for stage, count, steps, opened in STAGES:
            for number in range(count):
                nationality = rng.choices(codes, [ORIGINS[c][0] for c in codes])[0]
                _w, city, given, family = ORIGINS[nationality]
                category = rng.choices([c for c, _s in CATEGORY_SHARES], [s for _c, s in CATEGORY_SHARES])[0]
                surname, size = rng.choice(family.split()), rng.choices((1, 2), (85, 15))[0]
                people = [(rng.choice(given.split()), surname, rng.choice("MMMF"), rng.randint(19, 45))]
                if size == 2:
                    people.append((rng.choice(given.split()), surname, rng.choice("MF"), rng.randint(2, 12)))
                self.stories.append({
                    "stage": stage, "steps": steps, "number": number, "nationality": nationality, "city": city,
                    "category": category, "status": STATUS_FOR[category], "people": people,
                    "opened": self.today - D(rng.randint(*opened)), "eligible": True,
                    # A case just requested may not be screened yet; a screened one may not be profiled yet.
                    "screened": stage != "requested" or number == 0,
                    "profiled": stage not in ("requested", "screened") or number % 2 == 0})
        for nationality, status, given, family, sex in INELIGIBLE:
            self.stories.append({
                "stage": "withdrawn", "steps": (), "number": 0, "nationality": nationality, "city": "",
                "category": CATEGORY_SHARES[0][0], "status": status, "people": [(given, family, sex, 30 + len(family))],
                "opened": self.today - D(rng.randint(20, 120)), "eligible": False, "screened": True,
                "profiled": False})

    # --- Writing ------------------------------------------------------------------------------------------
    def write(self) -> None:
        workers, stories = self.demo.workers, self.stories
        persons = []
        for index, story in enumerate(stories):
            story["owner"] = workers[index % 2]
            story["persons"] = [Person(
                given_name=given, family_name=family, sex=sex, citizenships=[story["nationality"]],
                birth_date=story["opened"] - D(days=365 * age + self.rng.randint(0, 300)),
                given_name_latin=icao_latin(given), family_name_latin=icao_latin(family), created_by=story["owner"])
                for given, family, sex, age in story["people"]]
            persons += story["persons"]
        Person.objects.bulk_create(persons, batch_size=500)
        ProgrammeRegistration.objects.bulk_create([
            ProgrammeRegistration(person=p, programme=AVRR, office=self.demo.office, registered_by=s["owner"])
            for s in stories for p in s["persons"]], batch_size=500)
        NameKey.objects.bulk_create([key for p in persons for key in people_index.key_rows(p, ())], batch_size=2000)
        by_year: dict[int, list[dict]] = {}
        for story in stories:
            by_year.setdefault(story["opened"].year, []).append(story)
        for year, of_year in by_year.items():
            for story, reference in zip(of_year, _references(year, len(of_year)), strict=True):
                story["case"] = Case(reference=reference, programme=AVRR, office=self.demo.office,
                                     owner=story["owner"], opened_on=story["opened"], channel=Channel.SELF,
                                     vulnerabilities=["no_documents"], status=RETURN_WORKFLOW.initial)
        Case.objects.bulk_create([s["case"] for s in stories], batch_size=500)
        CaseMember.objects.bulk_create([
            CaseMember(case=s["case"], person=p, role=MemberRole.PRINCIPAL if n == 0 else MemberRole.CHILD)
            for s in stories for n, p in enumerate(s["persons"])], batch_size=500)
        self.demo.rows = {model: [] for model in (Answer, ReturnProfile)}  # the questionnaire's rows, below
        for story in stories:
            self._case(story)
        self.rows[Answer] += self.demo.rows[Answer]
        self.rows[ReturnProfile] += self.demo.rows[ReturnProfile]
        for model, rows in self.rows.items():
            model.objects.bulk_create(rows, batch_size=1000)
        Movement.objects.bulk_create([m for _s, m in self.journeys])
        Movement.travellers.through.objects.bulk_create([
            Movement.travellers.through(movement_id=m.pk, person_id=p.pk)
            for story, m in self.journeys for p in story["persons"]])
        Case.objects.bulk_update([s["case"] for s in stories], ["status", "closed_on", "closure_reason"])

    def _line(self, story: dict, day: datetime.date, summary: str, kind: str = "profile", hour: int = 11) -> None:
        self.rows[CaseEvent].append(CaseEvent(case=story["case"], kind=kind, summary=summary, actor=story["owner"],
                                              at=_at(day, hour)))

    def _step(self, story: dict, action: str, day: datetime.date, reason: str = "") -> None:
        """The status change and the line `cases.casework.transition` writes for the step."""
        case, step = story["case"], RETURN_WORKFLOW.get(action)
        self.rows[StatusChange].append(StatusChange(
            case=case, action=action, from_status=case.status, to_status=step.target, on=day,
            individuals=len(story["persons"]), by=story["owner"], at=_at(day, 15)))
        line = _("Status changed from %(old)s to %(new)s (%(action)s).") % {
            "old": RETURN_WORKFLOW.label(case.status), "new": RETURN_WORKFLOW.label(step.target), "action": step.label}
        if day != self.today:
            line += " " + _("On %(date)s.") % {"date": _date(day)}
        if reason:
            line += " " + _("Reason: %(reason)s.") % {"reason": RETURN_WORKFLOW.closure_label(reason)}
            case.closed_on, case.closure_reason = day, reason
        self._line(story, day, line, "status", 15)
        case.status = step.target

    def _case(self, story: dict) -> None:
        case, owner, opened, rng = story["case"], story["owner"], story["opened"], self.rng
        self.rows[StatusChange].append(StatusChange(case=case, action="open", to_status=case.status, on=opened,
                                                    individuals=len(story["persons"]), by=owner, at=_at(opened, 10)))
        self._line(story, opened, _("Case opened (%(how)s); owner %(owner)s.") % {
            "how": Channel(Channel.SELF).label, "owner": display_name(owner)}, "opened", 10)
        if story["screened"]:
            self._screening(story, opened)
        if story["profiled"]:
            self._profile(story, opened + D(2 if story["steps"] else 0))
        if story["stage"] == "withdrawn":
            self._step(story, "withdraw", min(opened + D(rng.randint(1, 5)), self.today), ClosureReason.NOT_ELIGIBLE)
            return
        for action in story["steps"]:
            if action == "book_travel":
                self._booked(story)
            else:
                self._step(story, action, opened + D(STEP_DAY[action]))
            if action == "obtain_documents":
                self._documents(story, opened + D(STEP_DAY[action]))

    def _screening(self, story: dict, day: datetime.date) -> None:
        reasons = eligibility.evaluate(self.project, nationality=story["nationality"],
                                       migration_status=story["status"], vulnerabilities=["no_documents"])
        assert bool(reasons) != story["eligible"], story  # the rules decide, not the demo
        self.rows[Screening].append(Screening(
            case=story["case"], project=self.project, nationality=story["nationality"],
            migration_status=story["status"], destination_country=story["nationality"],
            destination_region=story["city"], vulnerabilities=["no_documents"], eligible=not reasons,
            reasons=reasons, screened_on=day, screened_by=story["owner"]))
        name = self.project.name
        if reasons:
            line = _("Screened for %(project)s on %(date)s: not eligible. %(reasons)s") % {
                "project": name, "date": _date(day),
                "reasons": " ".join(eligibility.reason_text(r, name) for r in reasons)}
        else:
            line = _("Screened for %(project)s on %(date)s: eligible.") % {"project": name, "date": _date(day)}
        self._line(story, day, line)

    def _profile(self, story: dict, day: datetime.date) -> None:
        self.demo._answers(story, day)
        answered = sum(1 for a in self.demo.rows[Answer] if a.case is story["case"])
        profile = self.demo.rows[ReturnProfile][-1]
        self._line(story, day, _("Profiling questionnaire answered (%(count)d answers); category: %(category)s.")
                   % {"count": answered, "category": profile.get_category_display() or _("not determined")})

    def _documents(self, story: dict, requested: datetime.date) -> None:
        """Requested from the embassy for each member; some issued (all of them before a booking)."""
        embassy, kind = self.demo.embassies[story["nationality"]], DocumentKind.EMERGENCY
        booked, some = story["stage"] == "booked", story["stage"] == "documents" and story["number"] < 2
        for index, person in enumerate(story["persons"]):
            document = TravelDocument(case=story["case"], person=person, authority=embassy, kind=kind,
                                      requested_on=requested, recorded_by=story["owner"])
            self._line(story, requested, _("%(document)s requested from %(authority)s for %(person)s.") % {
                "document": document.get_kind_display(), "authority": embassy.name, "person": person.reference})
            if booked or (some and index == 0):
                issued = min(requested + D(self.rng.randint(6, 12)), self.today)
                document.status, document.issued_on, document.valid_until = (DocumentStatus.ISSUED, issued,
                                                                              issued + D(90))
                self._line(story, issued, _("%(document)s issued for %(person)s, valid until %(until)s.") % {
                    "document": document.get_kind_display(), "person": person.reference,
                    "until": _date(document.valid_until)})
            self.rows[TravelDocument].append(document)

    def _booked(self, story: dict) -> None:
        """A fitness-to-travel clearance and a flight booked for every member, then the step."""
        rng, owner = self.rng, story["owner"]
        exam = self.today - D(rng.randint(3, 10))
        for person in story["persons"]:
            self.rows[HealthAssessment].append(HealthAssessment(
                case=story["case"], person=person, assessment_type=AssessmentType.FITNESS_TO_TRAVEL,
                status=AssessmentStatus.DONE, requested_on=exam - D(3), requested_by=owner, assessed_on=exam,
                clearance=Clearance.CLEARED, valid_until=exam + D(60)))
        departs = self.today + D(rng.randint(3, 20))
        _w, city, _g, _f = ORIGINS[story["nationality"]]
        self.journeys.append((story, Movement(
            case=story["case"], kind=MovementKind.INTERNATIONAL, status=MovementStatus.BOOKED, origin="Moscow",
            origin_country="RU", destination=city, destination_country=story["nationality"],
            departs_at=_at(departs, 9), arrives_at=_at(departs, 21), carrier="Scheduled flight", recorded_by=owner)))
        self._step(story, "book_travel", min(exam + D(rng.randint(1, 3)), self.today))


def load(demo) -> int:
    """Plan and write the cases in progress; how many."""
    pipeline = Pipeline(demo)
    pipeline.plan()
    pipeline.write()
    return len(pipeline.stories)
