"""Demo referrals and cases: made through the services from the hotline's consultations, once, and
tolerant of a directory or a log that is not there yet."""

import datetime
import io

import pytest
from django.utils import timezone

from waypoint.accounts import demo as accounts_demo
from waypoint.accounts.models import User
from waypoint.cases import demo
from waypoint.cases.models import Case, Channel, Referral, ReferralKind, ReferralStatus
from waypoint.consent.models import ConsentRecord
from waypoint.hotline.models import CallerType, Consultation, Outcome
from waypoint.partners import demo as partners_demo
from waypoint.partners.models import Organisation, Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory_and_users():
    """The demo directory and users, with the directory's services replaced by a few known ones (below)."""
    partners_demo.load(io.StringIO())
    accounts_demo.load(io.StringIO())
    Service.objects.all().delete()


def services_of_the_demo_ngos():
    angel = User.objects.get(username="partner").partner_organisation  # the demo partner user's NGO
    other = Organisation.objects.filter(organisation_type="ngo", is_active=True).exclude(pk=angel.pk).first()
    Service.objects.create(organization=angel, name="Crisis shelter for women", accepts_sexes=["F"], available=4)
    Service.objects.create(organization=angel, name="Legal counselling")
    Service.objects.create(organization=other, name="Psychological help")


def calls(count: int = 12):
    """Calls to ICC St Petersburg logged by the demo operator, with the outcomes the demo looks for."""
    operator = User.objects.get(username="operator")
    outcomes = [Outcome.REFERRED] * 8 + [Outcome.SITUATION_REPORTED, Outcome.ESCALATED, Outcome.ESCALATED,
                                         Outcome.INFORMED]
    for number in range(count):
        Consultation.objects.create(
            site=operator.office, operator=operator, started_at=timezone.now() - datetime.timedelta(days=number + 1),
            duration_minutes=10, caller_sex="MF"[number % 2], caller_age_band="25-34", caller_nationality="UZ",
            caller_type=CallerType.POSSIBLE_VICTIM, outcome=outcomes[number % len(outcomes)],
        )


def test_the_demo_makes_referrals_in_every_state_a_report_and_cases_once(directory_and_users):
    services_of_the_demo_ngos()
    calls()
    out = io.StringIO()

    demo.load(out)

    person_referrals = Referral.objects.filter(kind=ReferralKind.PERSON)
    assert person_referrals.count() == len(demo.STORIES)
    assert set(person_referrals.values_list("status", flat=True)) >= {
        ReferralStatus.SENT, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED, ReferralStatus.DECLINED}
    partner = User.objects.get(username="partner")
    assert person_referrals.filter(organisation=partner.partner_organisation,
                                   status=ReferralStatus.IN_PROGRESS).exists()
    assert person_referrals.filter(consent__isnull=False).count() == 1
    assert Referral.objects.filter(kind=ReferralKind.SITUATION, status=ReferralStatus.ACCEPTED).count() == 1
    cases = Case.objects.filter(channel=Channel.HOTLINE)
    assert cases.count() == 2
    assert set(cases.values_list("owner__username", flat=True)) == {"caseworker"}
    assert ConsentRecord.objects.count() == 3
    assert "5 referrals" in out.getvalue()

    before = (Referral.objects.count(), Case.objects.count(), ConsentRecord.objects.count())
    demo.load(io.StringIO())
    assert (Referral.objects.count(), Case.objects.count(), ConsentRecord.objects.count()) == before


def test_without_consultations_the_demo_says_so_and_makes_nothing(directory_and_users):
    out = io.StringIO()
    demo.load(out)

    assert "no consultations" in out.getvalue()
    assert not Referral.objects.exists()


def test_without_services_the_rest_is_made_and_referrals_come_at_the_next_run(directory_and_users):
    calls()
    first = io.StringIO()
    demo.load(first)

    assert "no NGO services" in first.getvalue()
    assert not Referral.objects.filter(kind=ReferralKind.PERSON).exists()
    assert Case.objects.count() == 2

    services_of_the_demo_ngos()
    demo.load(io.StringIO())
    assert Referral.objects.filter(kind=ReferralKind.PERSON).count() == len(demo.STORIES)
    assert Case.objects.count() == 2
