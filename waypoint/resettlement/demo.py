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

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts.models import Office, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    Channel,
    Movement,
    ReferenceSequence,
    StatusChange,
)
from waypoint.health.models import HealthAssessment
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people import index as people_index
from waypoint.people.models import NameKey, Person, ProgrammeRegistration

from . import report
from .demo_story import (
    AGENCY_BY_DEST,
    CLOSURE_REASON,
    EMBASSY_BY_DEST,
    OWNERS,
    PROGRAMME,
    RES,
    SEED,
    WARM_UP_DAYS,
    D,
    Family,
    Stories,
)
from .models import (
    Assurance,
    Category,
    Clearance,
    Orientation,
    Presentation,
    ProcessingTrip,
    ReferralSource,
    ResettlementProfile,
)
from .services import _clearance_line
from .workflow import RES_WORKFLOW


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


class Loader(Stories):
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
