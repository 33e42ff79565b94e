# ruff: noqa: RUF001, S311
"""Demo migration health cases for `make run`: the health unit's own work over the past twelve months.

From the seeds: access of labour migrants to TB and HIV services (Uzbek, Tajik and Kyrgyz workers screened and
tested), TB control among displaced people and their host families in the North Caucasus (a household screened
together, as one case with members). About 150 cases owned by the MH case worker `doctor`, each with its
assessments done (most negative, cleared or without findings), a few presumptive or active TB cases followed up
in treatment with a referral to a TB institution of the partner directory, and 10 examinations requested and
waiting for the unit.

Bulk writes with the dates things happened; one summary audit event records the load. Idempotent (once the
doctor owns MH cases, nothing is added), deterministic (one seeded generator; dates follow today).
"""

from __future__ import annotations

import datetime
import random

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    Channel,
    MemberRole,
    ReferenceSequence,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralUpdate,
    StatusChange,
)
from waypoint.cases.references import REFERRAL_PREFIX
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people import index as people_index
from waypoint.people.models import NameKey, Person, ProgrammeRegistration
from waypoint.people.transliteration import icao_latin

from .models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment, TBResult
from .workflow import MH_WORKFLOW

SEED = 6_2026
MH = Programme.HEALTH
CASES = 150
WAITING = 10
FOLLOW_UPS = 8  # six presumptive TB, two active
NAMES = {
    "UZ": (("Азиз", "Бахтиёр", "Улугбек", "Шерзод", "Жасур", "Фарход"), ("Дилноза", "Гулнора", "Малика", "Нигора"),
           ("Каримов", "Юсупов", "Рахимов", "Турсунов", "Абдуллаев", "Хасанов"), ("uz", "ru")),
    "TJ": (("Фаррух", "Далер", "Рустам", "Сухроб", "Бехруз"), ("Зарина", "Мадина", "Шахноза", "Парвина"),
           ("Назаров", "Шарипов", "Саидов", "Давлатов", "Рахмонов"), ("tg", "ru")),
    "KG": (("Айбек", "Нурлан", "Эрлан", "Бакыт", "Тимур"), ("Айгуль", "Жылдыз", "Чолпон", "Гульнара"),
           ("Асанов", "Токтогулов", "Исаев", "Маматов", "Осмонов"), ("ky", "ru")),
    "RU": (("Ахмед", "Ислам", "Магомед", "Руслан", "Заур"), ("Хава", "Зарема", "Макка", "Фатима", "Луиза"),
           ("Евлоев", "Хамхоев", "Дзауров", "Мальсагов", "Албогачиев"), ("ru",)),
}
LABOUR = ("UZ", "UZ", "TJ", "TJ", "KG")
GENERAL_RESULTS = ("No complaints; blood pressure and chest examination normal.", "Mild anaemia; iron advised.",
                   "Healthy; vaccinations brought up to date.", "Chronic gastritis; diet advice given.")


def load(stdout) -> None:
    doctor = User.objects.filter(username="doctor").select_related("office").first()
    if doctor is None or doctor.office is None:
        stdout.write("Migration health: skipped (load the demo users first).")
        return
    if Case.objects.filter(programme=MH, owner=doctor).exists():
        stdout.write(f"Migration health: demo cases already loaded "
                     f"({Case.objects.filter(programme=MH).count()} cases).")
        return
    Demo(stdout, doctor).run()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _allocate(prefix: str, year: int, count: int) -> list[str]:
    """`count` references of `prefix` in `year`; the sequence moves past them (the next real one follows)."""
    sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    ReferenceSequence.objects.filter(pk=sequence.pk).update(last=F("last") + count)
    return [f"{prefix}-{year}-{n:05d}" for n in range(sequence.last + 1, sequence.last + count + 1)]


class Demo:
    def __init__(self, stdout, doctor: User) -> None:
        self.stdout, self.doctor, self.office = stdout, doctor, doctor.office
        self.today = timezone.localdate()
        self.rng = random.Random(SEED)
        health = Organisation.objects.filter(organisation_type=OrganisationType.HEALTH, is_active=True).order_by("name")
        self.tb_clinic = health.filter(name__icontains="TB").first() or health.first()
        self.hiv_clinic = health.filter(name__icontains="AIDS").first() or self.tb_clinic
        self.events: list[CaseEvent] = []

    def _person(self, nationality: str, sex: str, age: int, family: str = "") -> Person:
        given_m, given_f, families, languages = NAMES[nationality]
        given = self.rng.choice(given_m if sex == "M" else given_f)
        surname = family or self.rng.choice(families)
        if sex == "F" and surname.endswith(("ов", "ев", "ин")):
            surname += "а"
        elif sex == "M" and surname.endswith(("ова", "ева", "ина")):
            surname = surname[:-1]
        born = self.today - datetime.timedelta(days=age * 365 + self.rng.randint(0, 364))
        return Person(given_name=given, family_name=surname, given_name_latin=icao_latin(given),
                      family_name_latin=icao_latin(surname), sex=sex, birth_date=born, birth_date_precision="exact",
                      citizenships=[nationality], languages=list(languages), created_by=self.doctor)

    def _plan(self) -> list[dict]:
        """Each case: who, when, what was examined; the last ones wait, a few need a follow-up."""
        stories = []
        for number in range(CASES):
            displaced = number % 5 == 4  # one case in five: a displaced household and its hosts
            nationality = "RU" if displaced else self.rng.choice(LABOUR)
            waiting = number >= CASES - WAITING
            opened = (self.today - datetime.timedelta(days=self.rng.randint(0, 13)) if waiting
                      else self.today - datetime.timedelta(days=self.rng.randint(20, 360)))
            sex = "M" if self.rng.random() < (0.45 if displaced else 0.8) else "F"
            principal = self._person(nationality, sex, self.rng.randint(19, 58))
            household = []
            if displaced:
                for _n in range(self.rng.randint(1, 3)):
                    role = self.rng.choice((MemberRole.SPOUSE, MemberRole.CHILD, MemberRole.PARENT, MemberRole.OTHER))
                    age = self.rng.randint(3, 16) if role == MemberRole.CHILD else self.rng.randint(20, 70)
                    household.append((self._person("RU", self.rng.choice("MF"), age, principal.family_name), role))
            stories.append({"number": number, "displaced": displaced, "waiting": waiting, "opened": opened,
                            "principal": principal, "household": household,
                            "channel": Channel.OTHER if displaced else self.rng.choice((Channel.SELF, Channel.NGO))})
        stories.sort(key=lambda s: (s["opened"], s["number"]))
        done = [s for s in stories if not s["waiting"] and s["opened"] < self.today - datetime.timedelta(days=40)]
        for position, story in enumerate(self.rng.sample(done, FOLLOW_UPS)):
            story["tb"] = TBResult.ACTIVE if position < 2 else TBResult.PRESUMPTIVE
        return stories

    def run(self) -> None:
        stories = self._plan()
        people = [p for s in stories for p in [s["principal"], *[m for m, _r in s["household"]]]]
        Person.objects.bulk_create(people, batch_size=500)
        ProgrammeRegistration.objects.bulk_create([ProgrammeRegistration(
            person=p, programme=MH, office=self.office, registered_by=self.doctor) for p in people], batch_size=500)
        NameKey.objects.bulk_create([k for p in people for k in people_index.key_rows(p, ())], batch_size=2000)
        references: dict[int, str] = {}
        for year in sorted({s["opened"].year for s in stories}):
            of_year = [s for s in stories if s["opened"].year == year]
            for story, reference in zip(of_year, _allocate(MH, year, len(of_year)), strict=True):
                references[story["number"]] = reference
        ngo = Organisation.objects.filter(organisation_type=OrganisationType.NGO, is_active=True).order_by("name")
        red_cross = ngo.filter(name__icontains="Red Cross").first() or ngo.first()
        for story in stories:
            self._outcome(story)
            channel = story["channel"] if (story["channel"] != Channel.NGO or red_cross) else Channel.SELF
            story["case"] = Case(
                reference=references[story["number"]], programme=MH, office=self.office, owner=self.doctor,
                status=story["status"], opened_on=story["opened"], closed_on=story.get("closed"),
                closure_reason="assessed" if story.get("closed") else "", channel=channel,
                referring_organisation=red_cross if channel == Channel.NGO else None,
                summary=(_("Displaced household screened for TB with its hosts.") if story["displaced"] else
                         _("Labour migrant: TB screening and HIV counselling and testing.")))
        Case.objects.bulk_create([s["case"] for s in stories], batch_size=500)
        CaseMember.objects.bulk_create([CaseMember(case=s["case"], person=p, role=r) for s in stories for p, r in
                                        [(s["principal"], MemberRole.PRINCIPAL), *s["household"]]], batch_size=1000)
        assessments, changes, referrals = [], [], 0
        for story in stories:
            assessments += self._assessments(story)
            changes += self._status_changes(story)
        HealthAssessment.objects.bulk_create(assessments, batch_size=500)
        StatusChange.objects.bulk_create(changes, batch_size=500)
        for story in stories:
            if story.get("tb") and self.tb_clinic is not None:
                self._referral(story)
                referrals += 1
        CaseEvent.objects.bulk_create(self.events, batch_size=1000)
        record(Action.CREATE, actor=None, username="seed_demo", object_type="health.demo",
               object_id=self.today.isoformat(), changes={
                   "cases": [None, str(len(stories))], "assessments": [None, str(len(assessments))],
                   "individuals": [None, str(len(people))], "referrals": [None, str(referrals)]})
        self.stdout.write(f"Migration health: {len(stories)} cases, {len(people)} individuals, "
                          f"{len(assessments)} assessments ({WAITING} waiting), {referrals} referrals to treatment.")

    def _outcome(self, story: dict) -> None:
        rng = self.rng
        story["assessed"] = min(self.today, story["opened"] + datetime.timedelta(days=rng.randint(0, 6)))
        if story["waiting"]:
            story["status"] = "assessment"
        elif story.get("tb"):
            story["status"] = "treatment"
        else:
            closed = story["assessed"] + datetime.timedelta(days=rng.randint(1, 12))
            if closed < self.today:
                story["status"], story["closed"] = "closed", closed
            else:
                story["status"] = "assessment"

    def _assessment(self, story: dict, person: Person, kind: str, **fields) -> HealthAssessment:
        row = HealthAssessment(case=story["case"], person=person, assessment_type=kind,
                               requested_on=story["opened"], requested_by=self.doctor, **fields)
        self.events.append(CaseEvent(case=story["case"], kind="health", actor=self.doctor,
                                     at=_at(story["opened"], 11),
                                     summary=_("A medical examination was requested for %(person)s.")
                                     % {"person": person.reference}))
        if fields.get("status") == AssessmentStatus.DONE:
            self.events.append(CaseEvent(case=story["case"], kind="health", actor=self.doctor,
                                         at=_at(story["assessed"], 15),
                                         summary=_("The health unit recorded the examination of %(person)s.")
                                         % {"person": person.reference}))
        return row

    def _assessments(self, story: dict) -> list[HealthAssessment]:
        rng, rows = self.rng, []
        if story["waiting"]:
            kind = AssessmentType.TB_SCREENING if story["displaced"] else rng.choice(
                (AssessmentType.TB_SCREENING, AssessmentType.HIV_TESTING, AssessmentType.FITNESS_TO_TRAVEL))
            return [self._assessment(story, story["principal"], kind)]
        done = {"status": AssessmentStatus.DONE, "assessed_on": story["assessed"], "recorded_by": self.doctor}
        tb = story.get("tb")
        screen = {**done, "clinic": self.tb_clinic,
                  "tb_result": tb or (TBResult.LATENT if rng.random() < 0.06 else TBResult.NEGATIVE)}
        if tb:
            screen |= {"follow_up_needed": True, "follow_up_case": story["case"],
                       "results": "Chest X-ray: infiltrate in the upper lobe; sputum smear "
                                  + ("positive." if tb == TBResult.ACTIVE else "pending."),
                       "follow_up_note": "Referred to the TB dispensary for diagnosis and treatment; household "
                                         "contacts to be screened."}
        else:
            screen["results"] = "Chest X-ray clear." if screen["tb_result"] == TBResult.NEGATIVE else \
                "Tuberculin skin test positive, chest X-ray clear: preventive therapy offered."
        rows.append(self._assessment(story, story["principal"], AssessmentType.TB_SCREENING, **screen))
        if story["displaced"]:
            for person, _role in story["household"]:
                rows.append(self._assessment(story, person, AssessmentType.TB_SCREENING, **done,
                                             clinic=self.tb_clinic, tb_result=TBResult.NEGATIVE,
                                             results="Contact screening: chest X-ray clear."))
            if rng.random() < 0.4:
                rows.append(self._assessment(story, story["principal"], AssessmentType.GENERAL, **done,
                                             results=rng.choice(GENERAL_RESULTS)))
        else:
            rows.append(self._assessment(story, story["principal"], AssessmentType.HIV_TESTING, **done,
                                         clinic=self.hiv_clinic, results="Pre- and post-test counselling; "
                                         "rapid test non-reactive."))
            if rng.random() < 0.15:  # going home: a fitness-to-travel examination
                rows.append(self._assessment(story, story["principal"], AssessmentType.FITNESS_TO_TRAVEL, **done,
                                             results="Fit to travel.", clearance=Clearance.CLEARED,
                                             valid_until=story["assessed"] + datetime.timedelta(days=90)))
        return rows

    def _status_changes(self, story: dict) -> list[StatusChange]:
        case, individuals = story["case"], 1 + len(story["household"])
        self.events.append(CaseEvent(case=case, kind="opened", actor=self.doctor, at=_at(story["opened"], 10),
                                     summary=_("Case opened (%(how)s); owner %(owner)s.") % {
                                         "how": case.get_channel_display(), "owner": self.doctor.get_full_name()}))
        rows = [StatusChange(case=case, action="open", to_status="intake", on=story["opened"],
                             individuals=individuals, by=self.doctor)]
        steps = [("start_assessment", "intake", "assessment", story["opened"])]
        if story["status"] == "treatment":
            steps.append(("start_follow_up", "assessment", "treatment", story["assessed"]))
        if story["status"] == "closed":
            steps.append(("close", "assessment", "closed", story["closed"]))
        for action, before, after, day in steps:
            rows.append(StatusChange(case=case, action=action, from_status=before, to_status=after, on=day,
                                     individuals=individuals, by=self.doctor))
            self.events.append(CaseEvent(case=case, kind="status", actor=self.doctor, at=_at(day, 16), summary=_(
                "Status changed from %(old)s to %(new)s (%(action)s).") % {
                "old": MH_WORKFLOW.label(before), "new": MH_WORKFLOW.label(after),
                "action": MH_WORKFLOW.get(action).label}))
        return rows

    def _referral(self, story: dict) -> None:
        """The person referred to the TB institution for diagnosis and treatment, with their written consent."""
        person, case, sent = story["principal"], story["case"], story["assessed"] + datetime.timedelta(days=1)
        consent = ConsentRecord.objects.create(
            person=person, purpose=Purpose.REFERRAL, recipient_organisation=self.tb_clinic,
            data_categories=[DataCategory.IDENTITY, DataCategory.HEALTH], how_given=HowGiven.WRITTEN,
            given_on=story["assessed"], recorded_by=self.doctor)
        status = ReferralStatus.COMPLETED if story["tb"] == TBResult.PRESUMPTIVE and self.rng.random() < 0.5 \
            else ReferralStatus.ACCEPTED
        [reference] = _allocate(REFERRAL_PREFIX, sent.year, 1)
        referral = Referral.objects.create(
            reference=reference, kind=ReferralKind.PERSON, organisation=self.tb_clinic, person=person, case=case,
            consent=consent, programme=MH, office=self.office, status=status, created_by=self.doctor,
            reason="TB screening: presumptive TB, diagnosis and treatment needed.", sent_at=_at(sent, 12),
            responded_at=_at(sent + datetime.timedelta(days=2), 10),
            completed_at=_at(sent + datetime.timedelta(days=30), 10) if status == ReferralStatus.COMPLETED else None)
        ReferralUpdate.objects.bulk_create([ReferralUpdate(referral=referral, status=ReferralStatus.SENT,
                                                           by=self.doctor)])
        self.events.append(CaseEvent(case=case, kind="referral", actor=self.doctor, at=_at(sent, 12),
                                     summary=_("Referral %(reference)s sent to %(organisation)s.")
                                     % {"reference": reference, "organisation": self.tb_clinic.name}))
