# ruff: noqa: S311
"""Demo resettlement processing for `make run`, at the seeds' scale: families resettling to the United States
(most), Canada and Australia, received at about 300 cases (some 790 individuals) a quarter, from three quarters
before the quarter before last up to today, so that the last full quarter and the one before it are in steady
state (about 790 individuals received, 935 presented, 600 departed each) and the current quarter runs on.

Each family (1 to 7 members, about 2.6 on average) goes through the workflow on dated steps: prescreening,
file preparation, presentation (mostly on the office's processing trips to the seeds' cities), a decision
(approved, denied or on hold; cases on hold are presented again), then clearances (security, biometrics, a few
exit permissions), medical clearance (HealthAssessment rows: done, cleared, valid until), cultural orientation,
a resettlement agency's assurance, a booked flight and the departure, then arrival; the office closes a case
(resettled) some days after the arrival is confirmed. Steps later than today do not happen: the case waits where it
is. Some clearances expire soon, a few have expired. Each step and each clearance, orientation and assurance has
its timeline line by the owner on its day, in the words the services write, so only cases really waiting (on
hold, or for an interview) look idle on the dashboard. Cases referred by an NGO or an embassy name it (the core
asks for it on those channels), UNHCR cases come through the international organisation channel.

Bulk writes (one summary audit event); idempotent (a second run adds nothing); deterministic (one seeded
generator, dates from today).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts.models import Office, Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    Channel,
    MemberRole,
    Movement,
    MovementKind,
    MovementStatus,
    ReferenceSequence,
    StatusChange,
)
from waypoint.health.models import AssessmentStatus, AssessmentType, HealthAssessment
from waypoint.health.models import Clearance as Medical
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people import index as people_index
from waypoint.people.models import BirthDatePrecision, NameKey, Person, ProgrammeRegistration
from waypoint.people.populations import POPULATIONS, family_for
from waypoint.people.transliteration import icao_latin

from . import report, trips
from .models import (
    Assurance,
    Category,
    Clearance,
    ClearanceKind,
    ClearanceStatus,
    Decision,
    Orientation,
    Presentation,
    ProcessingTrip,
    ReferralSource,
    ResettlementProfile,
)
from .services import _clearance_line
from .workflow import RES_WORKFLOW

SEED = 2009  # the seeds' quarter: October to December 2009
RES = Programme.RESETTLEMENT
OWNERS = ("resettlement", "resettlement2")
CASES_PER_DAY = 3.3
WARM_UP_DAYS = 300
D = datetime.timedelta
POPULATION = {p.citizenship: p for p in POPULATIONS}
# Who comes (the seeds' three groups): (category, source, destination weights, citizenships, weight)
GROUPS = (
    (Category.P2, ReferralSource.FAMILY, {"US": 1}, ("UA", "RU", "AZ", "AM"), 44),
    (Category.P1, ReferralSource.UNHCR, {"US": 6, "CA": 2, "AU": 2}, ("AF",), 24),
    (Category.P1, ReferralSource.UNHCR, {"US": 6, "CA": 2, "AU": 1}, ("ET", "CD", "NG"), 8),
    (Category.TRANSIT, ReferralSource.UNHCR, {"US": 7, "CA": 2, "AU": 1}, ("ET", "NG", "GH"), 9),
    (Category.P3, ReferralSource.FAMILY, {"US": 1}, ("AF", "UA", "AM"), 8),
    (Category.P1, ReferralSource.EMBASSY, {"US": 3, "CA": 1}, ("RU", "UZ", "TJ"), 3),
    (Category.SPONSORED, ReferralSource.NGO, {"CA": 3, "AU": 1}, ("AF", "ET"), 4),
)
PROGRAMME = {"US": "usrap", "CA": ("ca_gar", "ca_psr", "ca_bvor"), "AU": ("au_refugee", "au_shp")}
AGENCY_BY_DEST = {
    "US": ("Hebrew Immigrant Aid Society (HIAS)", "Church World Service", "International Rescue Committee",
           "Lutheran Immigration and Refugee Services", "United States Conference of Catholic Bishops",
           "World Relief", "Ethiopian Community Development Council"),
    "CA": ("COSTI Immigrant Services", "Catholic Crosscultural Services"),
    "AU": ("Settlement Services International", "AMES Australia"),
}
ARRIVAL = {"US": ("New York, JFK", "Chicago, O'Hare", "Los Angeles, LAX", "Sacramento", "Seattle"),
           "CA": ("Toronto, Pearson", "Winnipeg"), "AU": ("Sydney", "Melbourne")}
AGENCY_NAME = {"US": "USCIS (Department of Homeland Security)", "CA": "IRCC (Canada)",
               "AU": "Department of Home Affairs (Australia)"}
SIZES = ((1, 30), (2, 23), (3, 21), (4, 14), (5, 7), (6, 3), (7, 2))  # mean about 2.6
EMBASSY_BY_DEST = {"US": "Embassy of the United States of America", "CA": "Embassy of Canada"}
CLOSE_AFTER_ARRIVAL = (7, 21)  # days from the confirmed arrival to the closing of the case
# The closing reason of a case closed or withdrawn, by the status it left.
CLOSURE_REASON = {"arrived": "resettled", "denied": "denied", "approved": "withdrawn"}
TRIP_CITIES = ("Almaty", "Baku", "Chisinau", "Dushanbe", "Kyiv", "Malta", "Tashkent", "Tbilisi", "Timisoara",
               "Yerevan", "Krasnodar")


@dataclass
class Family:
    opened: datetime.date
    owner: User
    size: int
    category: str
    source: str
    destination: str
    citizenship: str
    rng: random.Random
    case: Case | None = None
    persons: list[Person] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    steps: list[tuple[str, str, str, datetime.date]] = field(default_factory=list)  # action, from, to, on
    status: str = "received"


def _weighted(rng: random.Random, pairs) -> object:
    pairs = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    return rng.choices([p[0] for p in pairs], weights=[p[-1] for p in pairs])[0]


def _organisation(name: str, kind: str = OrganisationType.NGO, country: str = "") -> Organisation:
    found = Organisation.objects.filter(name=name, organisation_type=kind).first()
    return found or Organisation.objects.create(name=name, organisation_type=kind, country=country)


def load(stdout) -> None:
    owners = list(User.objects.filter(username__in=OWNERS).order_by("username"))
    office = Office.objects.filter(code="moscow").first()
    if len(owners) < 2 or office is None:
        stdout.write("Resettlement demo skipped: the demo staff (resettlement, resettlement2) are missing.")
        return
    if Case.objects.filter(programme=RES, owner__in=owners).exists():
        stdout.write("Resettlement demo already loaded.")
        return
    started = timezone.now()
    Loader(owners, office).run()
    stdout.write(f"Resettlement demo loaded in {(timezone.now() - started).total_seconds():.1f} s.")


class Loader:
    def __init__(self, owners: list[User], office: Office):
        self.owners, self.office = owners, office
        self.today = timezone.localdate()
        self.rng = random.Random(SEED)
        self.first_day = report.previous_quarter(self.today)[0] - D(92) - D(WARM_UP_DAYS)
        self.agencies = {dest: [_organisation(name) for name in names] for dest, names in AGENCY_BY_DEST.items()}
        self.unhcr = Organisation.objects.filter(
            name__startswith="UNHCR", organisation_type=OrganisationType.INTERNATIONAL).first() or _organisation(
            "UNHCR Representation in the Russian Federation", OrganisationType.INTERNATIONAL)
        # The receiving states' embassies in Moscow refer the P1 cases that come through them.
        self.embassies = {dest: _organisation(name, OrganisationType.DIPLOMATIC, dest)
                          for dest, name in EMBASSY_BY_DEST.items()}
        self.rows: dict[type, list] = defaultdict(list)
        self.m2m: dict[str, list] = defaultdict(list)

    # --- Trips -------------------------------------------------------------------------------------
    def _trips(self) -> list[ProcessingTrip]:
        rows, day = [], self.first_day
        while day <= self.today - D(3):
            city = self.rng.choice(TRIP_CITIES)
            length = self.rng.randint(3, 6)
            trip = ProcessingTrip(city=city, country=trips.KNOWN_CITIES[city], starts_on=day,
                                  ends_on=min(day + D(length - 1), self.today), created_by=self.owners[0],
                                  purpose="Prescreening, file preparation and DHS interviews")
            rows.append(trip)
            day += D(self.rng.randint(5, 9))
        ProcessingTrip.objects.bulk_create(rows)
        through = ProcessingTrip.staff.through
        staff = [self.owners if self.rng.random() < 0.4 else [self.rng.choice(self.owners)] for _trip in rows]
        through.objects.bulk_create([through(processingtrip_id=t.pk, user_id=u.pk)
                                     for t, users in zip(rows, staff, strict=True) for u in users])
        return rows

    def _trip_for(self, wanted: datetime.date) -> ProcessingTrip | None:
        for trip in self.trips:
            if trip.ends_on >= wanted and trip.starts_on <= wanted + D(20):
                return trip
        return None

    # --- Families ----------------------------------------------------------------------------------
    def _families(self) -> list[Family]:
        families, day = [], self.first_day
        while day <= self.today:
            for _n in range(self._poisson(CASES_PER_DAY * (7 / 5) if day.weekday() < 5 else 0)):
                rng = random.Random(self.rng.random())
                category, source, destinations, citizenships, _w = _weighted(rng, [(g, g[-1]) for g in GROUPS])
                families.append(Family(day, rng.choice(self.owners), _weighted(rng, SIZES), category, source,
                                       _weighted(rng, destinations), rng.choice(citizenships), rng))
            day += D(1)
        return families

    def _poisson(self, mean: float) -> int:
        count, total = 0, self.rng.expovariate(1)
        while total < mean:
            count += 1
            total += self.rng.expovariate(1)
        return count

    def _people(self, family: Family) -> None:
        rng, population = family.rng, POPULATION.get(family.citizenship) or POPULATIONS[0]
        surname = rng.choice(population.family)
        roles = [MemberRole.PRINCIPAL] + ([MemberRole.SPOUSE] if family.size > 1 else [])
        roles += [MemberRole.CHILD] * max(0, family.size - 2)
        if family.size >= 5 and rng.random() < 0.3:
            roles[-1] = MemberRole.PARENT
        for number, role in enumerate(roles):
            sex = ("M" if rng.random() < 0.6 else "F") if number == 0 else ("F" if role == MemberRole.SPOUSE else
                                                                               rng.choice("MF"))
            age = {MemberRole.CHILD: rng.randint(0, 17), MemberRole.PARENT: rng.randint(60, 80)}.get(
                role, rng.randint(24, 58))
            born = family.opened - D(days=365 * age + rng.randint(0, 364))
            given = rng.choice(population.male if sex == "M" else population.female)
            person = Person(given_name=given, family_name=family_for(population, surname, sex), sex=sex,
                            birth_date=born, birth_date_precision=BirthDatePrecision.EXACT,
                            citizenships=[family.citizenship], languages=list(population.languages[:1]),
                            created_by=family.owner)
            person.given_name_latin, person.family_name_latin = icao_latin(person.given_name), icao_latin(
                person.family_name)
            family.persons.append(person)
            family.roles.append(role)

    def _story(self, family: Family) -> None:
        """The dated steps the family took up to today."""
        rng, day = family.rng, family.opened

        def take(action: str, target: str, wait: tuple[int, int]) -> bool:
            nonlocal day
            when = day + D(rng.randint(*wait))
            if when > self.today:
                return False
            family.steps.append((action, family.status, target, when))
            family.status, day = target, when
            return True

        if not take("prescreen", "prescreened", (5, 20)) or not take("prepare_file", "file_prepared", (7, 30)):
            return
        for attempt in range(3):
            wanted = day + D(rng.randint(10, 45) if attempt == 0 else rng.randint(60, 110))
            trip = self._trip_for(wanted) if rng.random() < 0.75 else None
            presented_on = max(wanted, trip.starts_on) if trip else wanted
            if trip and presented_on > trip.ends_on:
                trip = None
            if presented_on > self.today:
                return
            day = presented_on
            presented = family.persons if rng.random() < 0.93 else family.persons[: max(1, len(family.persons) - 1)]
            presentation = Presentation(case=family.case, presented_on=presented_on,
                                        city=trip.city if trip else "Moscow", agency=AGENCY_NAME[family.destination],
                                        officer=f"Officer {rng.choice('ABCDEFGHJKLMNPRS')}. {rng.randint(10, 99)}",
                                        trip=trip, recorded_by=family.owner)
            self.rows[Presentation].append((presentation, presented, family))
            family.steps.append(("present", family.status, "presented", presented_on))
            family.status = "presented"
            decision = _weighted(rng, {Decision.APPROVED: 72, Decision.ON_HOLD: 20, Decision.DENIED: 8}
                                 if attempt < 2 else {Decision.APPROVED: 70, Decision.DENIED: 30})
            decided = day + D(rng.randint(3, 30))
            if decided > self.today:
                return
            presentation.decision, presentation.decided_on = decision, decided
            target = {Decision.APPROVED: "approved", Decision.ON_HOLD: "on_hold", Decision.DENIED: "denied"}[decision]
            action = {Decision.APPROVED: "approve", Decision.ON_HOLD: "hold", Decision.DENIED: "deny"}[decision]
            family.steps.append((action, "presented", target, decided))
            family.status, day = target, decided
            if decision != Decision.ON_HOLD:
                break
        if family.status == "denied":
            take("close", "closed", (20, 60))
            return
        if family.status != "approved":
            return
        self._predeparture(family, day)

    def _predeparture(self, family: Family, approved: datetime.date) -> None:
        rng = family.rng
        departs = approved + D(rng.randint(45, 110))
        withdrawn = rng.random() < 0.12
        for person, role in zip(family.persons, family.roles, strict=True):
            age = (approved - person.birth_date).days // 365
            obtained = approved + D(rng.randint(3, 25))
            if obtained > self.today:
                continue
            # A few short ones, among the families still waiting: expiring soon, or expired.
            life = rng.randint(40, 130) if departs > self.today and rng.random() < 0.15 else 365
            kinds = [ClearanceKind.SECURITY] + ([ClearanceKind.BIOMETRICS] if age >= 14 else [])
            if family.citizenship in ("UZ", "TJ") and role == MemberRole.PRINCIPAL:
                kinds.append(ClearanceKind.EXIT_PERMISSION)
            for kind in kinds:
                self.rows[Clearance].append(Clearance(
                    case=family.case, person=person, kind=kind, status=ClearanceStatus.CLEARED,
                    requested_on=approved, obtained_on=obtained, valid_until=obtained + D(life),
                    recorded_by=family.owner))
            assessed = approved + D(rng.randint(10, 35))
            if assessed <= self.today:
                self.rows[HealthAssessment].append(HealthAssessment(
                    case=family.case, person=person, assessment_type=AssessmentType.RESETTLEMENT,
                    status=AssessmentStatus.DONE, requested_on=approved, requested_by=family.owner,
                    assessed_on=assessed, clearance=Medical.CLEARED, valid_until=assessed + D(180),
                    recorded_by=family.owner))
        oriented = approved + D(rng.randint(20, 40))
        if oriented <= self.today:
            orientation = Orientation(case=family.case, attended_on=oriented, place="Moscow office",
                                      recorded_by=family.owner)
            self.rows[Orientation].append((orientation, [p for p in family.persons
                                                         if (oriented - p.birth_date).days >= 15 * 365]
                                           or family.persons[:1]))
        assured = approved + D(rng.randint(15, 45))
        if assured <= self.today:
            self.rows[Assurance].append(Assurance(
                case=family.case, agency=rng.choice(self.agencies[family.destination]), received_on=assured,
                placement=rng.choice(ARRIVAL[family.destination]).split(",")[0], recorded_by=family.owner))
        if withdrawn:
            when = approved + D(rng.randint(10, 40))
            if when <= self.today:
                family.steps.append(("withdraw", "approved", "withdrawn", when))
                family.status = "withdrawn"
            return
        booked = departs - D(rng.randint(10, 25))
        if booked > self.today or max(oriented, assured) > departs:
            return
        self.rows[Movement].append((Movement(
            case=family.case, kind=MovementKind.INTERNATIONAL,
            status=MovementStatus.COMPLETED if departs <= self.today else MovementStatus.BOOKED,
            origin="Moscow, Sheremetyevo (SVO)", origin_country="RU",
            destination=rng.choice(ARRIVAL[family.destination]), destination_country=family.destination,
            departs_at=datetime.datetime.combine(departs, datetime.time(9, 40), tzinfo=timezone.get_default_timezone()),
            carrier="SU 100" if family.destination == "US" else "EK 132", currency="USD",
            recorded_by=family.owner), family))
        family.steps.append(("book_travel", "approved", "travel_booked", booked))
        family.status = "travel_booked"
        if departs > self.today:
            return
        family.steps.append(("depart", "travel_booked", "departed", departs))
        family.status = "departed"
        arrived = departs + D(1)
        if arrived <= self.today:
            family.steps.append(("confirm_arrival", "departed", "arrived", arrived))
            family.status = "arrived"
        if arrived < self.today - D(CLOSE_AFTER_ARRIVAL[1]):
            family.steps.append(("close", "arrived", "closed", arrived + D(rng.randint(*CLOSE_AFTER_ARRIVAL))))
            family.status = "closed"

    # --- Writing -----------------------------------------------------------------------------------
    def run(self) -> None:
        self.trips = self._trips()
        families = self._families()
        for family in families:
            self._people(family)
        Person.objects.bulk_create([p for f in families for p in f.persons], batch_size=1000)
        ProgrammeRegistration.objects.bulk_create([
            ProgrammeRegistration(person=p, programme=RES, office=self.office, registered_by=f.owner)
            for f in families for p in f.persons], batch_size=1000)
        NameKey.objects.bulk_create([key for f in families for p in f.persons for key in people_index.key_rows(p, ())],
                                    batch_size=2000)
        self._cases(families)
        for family in families:
            self._story(family)
        self._write(families)

    def _cases(self, families: list[Family]) -> None:
        by_year: dict[int, list[Family]] = defaultdict(list)
        for family in families:
            by_year[family.opened.year].append(family)
        for year, group in by_year.items():
            sequence, _created = ReferenceSequence.objects.get_or_create(prefix=RES, year=year)
            first = sequence.last + 1
            ReferenceSequence.objects.filter(pk=sequence.pk).update(last=sequence.last + len(group))
            for number, family in enumerate(group):
                channel = {ReferralSource.EMBASSY: Channel.DIPLOMATIC, ReferralSource.NGO: Channel.NGO,
                           ReferralSource.FAMILY: Channel.SELF,
                           ReferralSource.UNHCR: Channel.INTERNATIONAL}.get(family.source, Channel.OTHER)
                referrer = {ReferralSource.UNHCR: self.unhcr,
                            ReferralSource.EMBASSY: self.embassies.get(family.destination)}.get(family.source)
                family.case = Case(reference=f"{RES}-{year}-{first + number:05d}", programme=RES, office=self.office,
                                   owner=family.owner, status="received", opened_on=family.opened, channel=channel,
                                   referring_organisation=referrer)
        Case.objects.bulk_create([f.case for f in families], batch_size=1000)
        CaseMember.objects.bulk_create([CaseMember(case=f.case, person=p, role=r) for f in families
                                        for p, r in zip(f.persons, f.roles, strict=True)], batch_size=2000)
        profiles = []
        for family in families:
            rng = family.rng
            programme = PROGRAMME[family.destination]
            programme = programme if isinstance(programme, str) else rng.choice(programme)
            if family.category == Category.SPONSORED and family.destination == "CA":
                programme = "ca_psr"
            relative = family.source == ReferralSource.FAMILY
            sponsor = rng.choice(self.agencies[family.destination]) if family.source == ReferralSource.NGO else None
            if sponsor is not None:  # the NGO that referred the case is its referring organisation too
                family.case.referring_organisation = sponsor
            profiles.append(ResettlementProfile(
                case=family.case, destination=family.destination, resettlement_programme=programme,
                category=family.category, referral_source=family.source,
                unhcr_reference=f"{rng.randint(100, 999)}-{rng.randint(10, 99)}C{rng.randint(10000, 99999)}"
                if family.source == ReferralSource.UNHCR else "",
                referring_organisation=sponsor,
                relative_name=f"{family.persons[0].family_name_latin} (relative)" if relative else "",
                relative_relationship=rng.choice(("brother", "sister", "son", "daughter", "parent"))
                if relative else "",
                relative_location=rng.choice(("Sacramento, CA", "Brooklyn, NY", "Spokane, WA", "Chicago, IL"))
                if relative else "",
                receiving_case_number=f"MS{rng.randint(100000, 999999)}", updated_by=family.owner))
        ResettlementProfile.objects.bulk_create(profiles, batch_size=1000)

    def _write(self, families: list[Family]) -> None:
        presentations = self.rows[Presentation]
        Presentation.objects.bulk_create([row for row, _p, _f in presentations], batch_size=1000)
        through = Presentation.members.through
        through.objects.bulk_create([through(presentation_id=row.pk, person_id=p.pk)
                                     for row, people, _f in presentations for p in people], batch_size=2000)
        seen = {(row.trip_id, family.case.pk) for row, _p, family in presentations if row.trip_id}
        seen_through = ProcessingTrip.cases_seen.through
        seen_through.objects.bulk_create([seen_through(processingtrip_id=t, case_id=c) for t, c in sorted(seen)],
                                         batch_size=2000)
        Clearance.objects.bulk_create(self.rows[Clearance], batch_size=2000)
        HealthAssessment.objects.bulk_create(self.rows[HealthAssessment], batch_size=2000)
        orientations = self.rows[Orientation]
        Orientation.objects.bulk_create([row for row, _p in orientations], batch_size=1000)
        o_through = Orientation.members.through
        o_through.objects.bulk_create([o_through(orientation_id=row.pk, person_id=p.pk)
                                       for row, people in orientations for p in people], batch_size=2000)
        Assurance.objects.bulk_create(self.rows[Assurance], batch_size=1000)
        journeys = self.rows[Movement]
        Movement.objects.bulk_create([row for row, _f in journeys], batch_size=1000)
        m_through = Movement.travellers.through
        m_through.objects.bulk_create([m_through(movement_id=row.pk, person_id=p.pk)
                                       for row, family in journeys for p in family.persons], batch_size=2000)
        changes, events = [], []
        zone = timezone.get_default_timezone()
        for family in families:
            size = len(family.persons)
            changes.append(StatusChange(case=family.case, action="open", to_status="received", on=family.opened,
                                        individuals=size, by=family.owner))
            events.append(CaseEvent(case=family.case, kind="opened", summary="Application received; case opened.",
                                    actor=family.owner, object_type="cases.case", object_id=str(family.case.pk),
                                    at=datetime.datetime.combine(family.opened, datetime.time(10), tzinfo=zone)))
            reason = ""
            if family.status in ("closed", "withdrawn"):
                reason = CLOSURE_REASON[family.steps[-1][1]]
                family.case.closed_on, family.case.closure_reason = family.steps[-1][3], reason
            for number, (action, source, target, on) in enumerate(family.steps):
                changes.append(StatusChange(case=family.case, action=action, from_status=source, to_status=target,
                                            on=on, individuals=size, by=family.owner))
                last = number == len(family.steps) - 1
                events.append(CaseEvent(case=family.case, kind="status", actor=family.owner,
                                        summary=self._status_line(action, source, target, on, reason if last else ""),
                                        object_type="cases.case", object_id=str(family.case.pk),
                                        at=datetime.datetime.combine(on, datetime.time(12), tzinfo=zone)))
            family.case.status = family.status
        events += self._checklist_lines()
        StatusChange.objects.bulk_create(changes, batch_size=2000)
        CaseEvent.objects.bulk_create(events, batch_size=2000)
        Case.objects.bulk_update([f.case for f in families], ["status", "closed_on", "closure_reason",
                                                              "referring_organisation"], batch_size=1000)
        record(Action.CREATE, actor=None, username="seed_demo", object_type="resettlement.demo",
               object_id=self.today.isoformat(), changes={
                   "cases": [None, str(len(families))], "trips": [None, str(len(self.trips))],
                   "presentations": [None, str(len(presentations))]})

    def _status_line(self, action: str, source: str, target: str, on: datetime.date, reason: str) -> str:
        """The line `cases.casework.transition` writes for the step (a demo note is not written)."""
        line = _("Status changed from %(old)s to %(new)s (%(action)s).") % {
            "old": RES_WORKFLOW.label(source), "new": RES_WORKFLOW.label(target),
            "action": RES_WORKFLOW.get(action).label}
        if on != self.today:
            line += " " + _("On %(date)s.") % {"date": formats.date_format(on, "DATE_FORMAT")}
        if reason:
            line += " " + _("Reason: %(reason)s.") % {"reason": RES_WORKFLOW.closure_label(reason)}
        return line

    def _checklist_lines(self) -> list[CaseEvent]:
        """The lines the services write for clearances, orientations and assurances, by the owner on the day."""
        zone, lines = timezone.get_default_timezone(), []

        def line(row, kind: str, day: datetime.date, summary: str) -> CaseEvent:
            return CaseEvent(case=row.case, kind="profile", summary=summary, actor=row.recorded_by,
                             object_type=kind, object_id=str(row.pk),
                             at=datetime.datetime.combine(day, datetime.time(11), tzinfo=zone))

        for row in self.rows[Clearance]:
            lines.append(line(row, "resettlement.clearance", row.obtained_on, _clearance_line(row, True)))
        for row, people in self.rows[Orientation]:
            lines.append(line(row, "resettlement.orientation", row.attended_on, _(
                "Cultural orientation attended on %(date)s in %(place)s: %(people)s.") % {
                "date": formats.date_format(row.attended_on, "DATE_FORMAT"), "place": row.place,
                "people": ", ".join(person.reference for person in people)}))
        for row in self.rows[Assurance]:
            lines.append(line(row, "resettlement.assurance", row.received_on, _(
                "Assurance from %(agency)s received on %(date)s.") % {
                "agency": row.agency.name, "date": formats.date_format(row.received_on, "DATE_FORMAT")}))
        return lines
