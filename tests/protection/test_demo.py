"""The counter-trafficking demo: about 450 cases whose sources follow the seeds, loaded once, consistent with
the workflow, the centre's beds, the HTCDS rules and the consents that cover what referrals carried.

The demo is loaded once for the module (it takes a few seconds) inside a transaction rolled back at the end.
"""

import datetime
import io
import itertools
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from waypoint.accounts import demo as accounts_demo
from waypoint.accounts.models import User
from waypoint.audit.models import AuditEvent
from waypoint.cases import sharing
from waypoint.cases.models import (
    Case,
    CaseEvent,
    Channel,
    ReferenceSequence,
    Referral,
    ReferralDirection,
    ReferralStatus,
    ServiceDelivery,
    Task,
)
from waypoint.cases.references import REFERRAL_PREFIX, next_reference
from waypoint.consent.models import ConsentRecord, Purpose
from waypoint.consent.services import covering_records
from waypoint.partners import demo as partners_demo
from waypoint.people.models import NameKey, Person, ProgrammeRegistration
from waypoint.protection import demo, htcds
from waypoint.protection.models import CentreStay, Room, TraffickingProfile

CLOSED = (htcds.CaseStatus.CLOSED, htcds.CaseStatus.CLOSED_REFERRED)
OPEN_REFERRAL = (ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The directory, the demo users and the counter-trafficking demo, with what the load printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        partners_demo.load(io.StringIO())
        accounts_demo.load(io.StringIO())
        out = io.StringIO()
        demo.load(out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def cases(loaded, db):
    return Case.objects.filter(programme="CT")


def test_about_450_cases_over_three_years_from_the_seeds_sources(cases, loaded):
    today = timezone.localdate()
    assert 440 <= cases.count() <= 460
    assert min(cases.values_list("opened_on", flat=True)) >= datetime.date(today.year - 2, 1, 1)
    assert max(cases.values_list("opened_on", flat=True)) <= today
    years = {d.year for d in cases.values_list("opened_on", flat=True)}
    assert {today.year - 2, today.year - 1} <= years <= {today.year - 2, today.year - 1, today.year}
    counts = Counter(cases.values_list("channel", flat=True))
    for channel, share in demo.SOURCES:
        assert abs(100 * counts[channel] / cases.count() - share) <= 3, (channel, counts[channel])
    assert "Counter-trafficking: " in loaded
    assert "beds taken today" in loaded


def test_referring_organisations_are_of_the_channels_kind(cases):
    kinds = {
        Channel.MISSION_ABROAD: {"mission"}, Channel.LAW_ENFORCEMENT: {"law_enforcement"},
        Channel.JOINT_OPERATION: {"law_enforcement"}, Channel.DIPLOMATIC: {"diplomatic"}, Channel.NGO: {"ngo"},
        Channel.STATE_STRUCTURE: {"government", "social"}, Channel.OTHER: {"religious", "media"},
    }
    for case in cases.select_related("referring_organisation"):
        if case.channel in (Channel.HOTLINE, Channel.SELF):
            assert case.referring_organisation is None
        else:
            assert case.referring_organisation.organisation_type in kinds[case.channel], case.reference


def test_references_are_unique_and_the_sequences_continue_after_them(cases):
    for prefix, references in (("CT", cases.values_list("reference", flat=True)),
                               (REFERRAL_PREFIX, Referral.objects.values_list("reference", flat=True))):
        numbers = defaultdict(list)
        for reference in references:
            _prefix, year, number = reference.split("-")
            numbers[int(year)].append(int(number))
        for year, used in numbers.items():
            assert sorted(used) == list(range(1, len(used) + 1)), (prefix, year)  # unique, no gaps
            assert ReferenceSequence.objects.get(prefix=prefix, year=year).last == len(used)
            assert next_reference(prefix, year) == f"{prefix}-{year}-{len(used) + 1:05d}"


def test_principals_are_registered_indexed_people_of_the_programme(cases):
    principals = Person.objects.filter(case_memberships__case__in=cases, case_memberships__role="principal")
    assert principals.count() == cases.count()
    assert not principals.exclude(registrations__programme="CT").exists()
    assert NameKey.objects.filter(person__in=principals).values("person").distinct().count() == cases.count()
    citizenships = Counter(p.citizenships[0] for p in principals)
    assert citizenships["RU"] > 100
    assert {"UZ", "TJ", "KG", "MD", "VN", "NG"} <= set(citizenships)
    sexes = Counter(principals.values_list("sex", flat=True))
    assert sexes["F"] > 150
    assert sexes["M"] > 100
    assert any("minor" in case.vulnerabilities for case in cases)
    family = ProgrammeRegistration.objects.filter(person__case_memberships__role__in=("spouse", "child"))
    assert family.count() >= 10


def test_no_two_guests_in_one_bed_and_the_centre_is_mostly_full_today(cases):
    by_bed = defaultdict(list)
    for stay in CentreStay.objects.order_by("checked_in_on", "id"):
        by_bed[(stay.room_id, stay.bed)].append(stay)
    for stays in by_bed.values():
        for before, after in itertools.pairwise(stays):
            assert before.checked_out_on is not None, (before.pk, after.pk)  # only the last stay of a bed is open
            assert before.checked_out_on <= after.checked_in_on, (before.pk, after.pk)
    rooms = Room.objects.filter(office__code=demo.CENTRE)
    beds = sum(rooms.values_list("beds", flat=True))
    assert 10 <= rooms.count() <= 14
    for stay in CentreStay.objects.select_related("room"):
        assert 1 <= stay.bed <= stay.room.beds
    occupied = CentreStay.objects.filter(checked_out_on__isnull=True).count()
    assert 0.6 <= occupied / beds <= 0.8


def test_cases_follow_the_workflow(cases):
    today = timezone.localdate()
    closed = cases.filter(status__in=CLOSED)
    assert closed.exists()
    assert not closed.filter(closure_reason="").exists()
    assert set(cases.values_list("status", flat=True)) == {s.value for s in htcds.CaseStatus}
    assert not CentreStay.objects.filter(checked_out_on__isnull=True, case__status__in=(
        *CLOSED, htcds.CaseStatus.FOLLOW_UP)).exists()
    assert not Referral.objects.filter(direction=ReferralDirection.OUTBOUND, status__in=OPEN_REFERRAL,
                                       case__status=htcds.CaseStatus.CLOSED).exists()
    for case in cases.filter(status=htcds.CaseStatus.CLOSED_REFERRED):
        assert case.referrals.filter(status__in=(ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
                                                 ReferralStatus.COMPLETED)).exists()
    for case in cases.filter(status__in=(htcds.CaseStatus.ACTIVE, htcds.CaseStatus.FOLLOW_UP)):
        assert covering_records(case.principal, None, Purpose.ASSISTANCE, today).exists(), case.reference
    assert not CaseEvent.objects.filter(at__gt=timezone.now()).exists()
    assert not ServiceDelivery.objects.filter(status="delivered", delivered_on__gt=today).exists()


def test_every_profile_follows_the_htcds_rules(cases):
    profiles = TraffickingProfile.objects.filter(case__in=cases)
    assert profiles.count() == cases.count()
    labour = {htcds.TypeOfExploitation.FORCED_LABOUR, htcds.TypeOfExploitation.CHILD_LABOUR}
    for profile in profiles:
        types = set(profile.exploitation_types)
        assert types
        assert types <= set(htcds.TypeOfExploitation.values)
        if profile.forced_labour_industry:
            assert types & labour, profile.case_id
        if profile.sexual_exploitation_type:
            assert htcds.TypeOfExploitation.SEXUAL in types, profile.case_id
        assert set(profile.control_methods) <= set(htcds.MethodOfControl.values)
        assert set(profile.recruitment_methods) <= set(htcds.MethodOfRecruitment.values)
        assert profile.events.filter(event_type=htcds.EventType.EXPLOITATION).count() == 1
    assert profiles.exclude(forced_labour_industry="").exists()
    assert profiles.exclude(sexual_exploitation_type="").exists()


def test_every_referral_that_carried_personal_data_had_a_covering_consent_when_sent(cases):
    checked = 0
    for referral in Referral.objects.filter(direction=ReferralDirection.OUTBOUND, sent_at__isnull=False).select_related(
            "consent", "organisation"):
        categories = sharing.shared_categories(sharing.loads(referral.shared))
        if not categories:
            continue
        consent, sent = referral.consent, referral.sent_at
        assert consent is not None, referral.reference
        assert consent.purpose == Purpose.REFERRAL
        assert consent.person_id == referral.person_id
        assert consent.recipient_organisation_id == referral.organisation_id or (
            consent.recipient_organisation_id is None
            and consent.recipient_type == referral.organisation.organisation_type)
        assert set(categories) <= set(consent.data_categories), referral.reference
        assert consent.given_on <= timezone.localdate(sent)
        assert consent.expires_on is None or consent.expires_on >= timezone.localdate(sent)
        assert consent.withdrawn_at is None or consent.withdrawn_at > sent
        checked += 1
    assert checked > 300
    consents = ConsentRecord.objects.filter(person__case_memberships__case__in=cases)
    assert consents.filter(withdrawn_at__isnull=False).count() >= 3
    assert consents.filter(expires_on__lt=timezone.localdate()).count() >= 3


def test_referrals_in_every_state_and_the_partners_inbox(cases):
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(ReferralStatus.values)
    today = timezone.localdate()
    assert Referral.objects.filter(status=ReferralStatus.SENT, due_on__lt=today).count() >= 3  # overdue
    partner = User.objects.get(username="partner")
    inbox = Referral.objects.filter(organisation=partner.partner_organisation).exclude(status=ReferralStatus.DRAFT)
    assert {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED,
            ReferralStatus.DECLINED, ReferralStatus.CANCELLED} <= set(inbox.values_list("status", flat=True))
    inbound = inbox.filter(direction=ReferralDirection.INBOUND)
    assert inbound.filter(status=ReferralStatus.SENT, case__isnull=True).count() == 1  # waiting for the office
    opened = inbound.filter(status=ReferralStatus.ACCEPTED)
    assert opened.exists()
    for referral in opened:
        assert Case.objects.get(referral_received=referral) == referral.case


def test_the_demo_case_worker_has_a_live_caseload(cases):
    caseworker = User.objects.get(username="caseworker")
    mine = cases.filter(owner=caseworker).exclude(status__in=CLOSED)
    assert 20 <= mine.count() <= 30
    today = timezone.localdate()
    tasks = Task.objects.filter(assigned_to=caseworker, done_at__isnull=True)
    assert tasks.filter(due_on__lt=today).exists()
    assert tasks.filter(due_on__gte=today).exists()
    for username, _first, _last in demo.WORKERS:
        worker = User.objects.get(username=username)
        assert worker.office.code == demo.CENTRE
        assert worker.programmes == ["CT"]
        assert cases.filter(owner=worker).exists()


def test_the_newest_cases_were_opened_through_the_services_and_the_load_is_audited(cases):
    newest = cases.order_by("-opened_on", "-reference")[: demo.SERVICE_CASES]
    audited = set(AuditEvent.objects.filter(object_type="cases.case").values_list("object_id", flat=True))
    assert {str(case.pk) for case in newest} <= audited
    assert AuditEvent.objects.filter(object_type="protection.demo").count() == 1


def test_loading_twice_adds_nothing(cases):
    models = (Case, Person, Referral, ConsentRecord, CaseEvent, ServiceDelivery, CentreStay, Room, User, AuditEvent)
    before = [model.objects.count() for model in models]
    out = io.StringIO()
    demo.load(out)
    assert [model.objects.count() for model in models] == before
    assert "already loaded" in out.getvalue()
