# ruff: noqa: S311
"""The resettlement demo's families and what happens to them (`demo.py` writes it all in bulk): the processing
trips, families drawn from the seeds' groups day by day, their members, and each family's dated steps up to today,
from prescreening to arrival and closing, with its clearances, orientation and assurance on the way."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from waypoint.accounts.models import Programme, User
from waypoint.cases.models import (
    Case,
    MemberRole,
    Movement,
    MovementKind,
    MovementStatus,
)
from waypoint.health.models import AssessmentStatus, AssessmentType, HealthAssessment
from waypoint.health.models import Clearance as Medical
from waypoint.people.models import BirthDatePrecision, Person
from waypoint.people.populations import POPULATIONS, family_for
from waypoint.people.transliteration import icao_latin

from . import trips
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
)

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


class Stories:
    """What happens to the families (mixed into `demo.Loader`, which holds `rng`, `today`, `owners`, `trips`...)."""

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
