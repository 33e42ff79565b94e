"""A consultation at the hotline operator's site, partner services of NGO X (the partner user's
organisation) and NGO Y, and an authority: what the referral tests work on."""

import datetime

import pytest
from django.utils import timezone

from waypoint.hotline.models import CallerType, Consultation, Outcome
from waypoint.partners.models import Organisation, OrganisationType, Service


@pytest.fixture
def shelter(ngo_x):
    """A shelter for women at the partner user's NGO, with free beds."""
    return Service.objects.create(organization=ngo_x, name="Crisis shelter for women", accepts_sexes=["F"],
                                  capacity=12, available=3)


@pytest.fixture
def legal_aid(ngo_y):
    return Service.objects.create(organization=ngo_y, name="Legal aid")


@pytest.fixture
def police(db):
    return Organisation.objects.create(name="Anti-trafficking police unit",
                                       organisation_type=OrganisationType.LAW_ENFORCEMENT)


@pytest.fixture
def make_consultation(users, office):
    def make(**fields) -> Consultation:
        values = {
            "site": office, "operator": users["hotline_operator"],
            "started_at": timezone.now() - datetime.timedelta(minutes=20), "duration_minutes": 12,
            "caller_sex": "F", "caller_age_band": "25-34", "caller_nationality": "UZ", "caller_language": "uz",
            "caller_type": CallerType.POSSIBLE_VICTIM, "outcome": Outcome.INFORMED,
        }
        values.update(fields)
        return Consultation.objects.create(**values)

    return make


@pytest.fixture
def consultation(make_consultation):
    """A woman of 25 to 34 from Uzbekistan, speaking Uzbek, logged by the operator at their own site."""
    return make_consultation()


CALLER = {"family_name": "Каримова", "given_name": "Дилноза", "sex": "F", "birth_date": datetime.date(1996, 5, 2),
          "citizenships": ["UZ"], "phone": "+7 921 555 01 02"}
