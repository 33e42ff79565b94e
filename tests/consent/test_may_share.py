"""`may_share`: the one question every sharing path asks, pinned as a table of cases.

Each case gives the person's consent records (as they stand on the day asked about) and a question
(recipient, purpose, categories); the table says whether sharing is allowed and what is missing.
"""

import datetime

import pytest
from django.utils import timezone

from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.consent.services import may_share
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import Person

TODAY = datetime.date(2026, 3, 16)
IDENTITY, CONTACTS, HEALTH, SITUATION = (
    DataCategory.IDENTITY, DataCategory.CONTACTS, DataCategory.HEALTH, DataCategory.SITUATION,
)


@pytest.fixture
def world(db):
    person = Person.objects.create(given_name="Dilnoza", family_name="Karimova")
    other = Person.objects.create(given_name="Aziz", family_name="Karimov")
    return {
        "person": person,
        "other": other,
        "shelter": Organisation.objects.create(name="Shelter NGO", organisation_type=OrganisationType.NGO),
        "legal": Organisation.objects.create(name="Legal aid NGO", organisation_type=OrganisationType.NGO),
        "clinic": Organisation.objects.create(name="City clinic", organisation_type=OrganisationType.HEALTH),
        "police": Organisation.objects.create(name="Police unit", organisation_type=OrganisationType.LAW_ENFORCEMENT),
    }


def consent(world, *, person="person", purpose=Purpose.REFERRAL, to="shelter", type_="", categories=(IDENTITY,),
            given=TODAY - datetime.timedelta(days=10), expires=None, withdrawn=False):
    return ConsentRecord.objects.create(
        person=world[person], purpose=purpose, recipient_organisation=world[to] if to else None,
        recipient_type=type_, data_categories=list(categories), how_given=HowGiven.WRITTEN,
        given_on=given, expires_on=expires,
        withdrawn_at=timezone.now() if withdrawn else None,
    )


D = datetime.timedelta
# id, records (keyword sets for `consent`), question (recipient key or None, purpose, categories), allowed, missing
CASES = [
    ("no-consent-at-all", [], ("shelter", Purpose.REFERRAL, [IDENTITY]), False, [IDENTITY]),
    ("named-organisation-covers", [{}], ("shelter", Purpose.REFERRAL, [IDENTITY]), True, []),
    ("another-organisation", [{}], ("legal", Purpose.REFERRAL, [IDENTITY]), False, [IDENTITY]),
    ("type-wide-consent-covers-every-ngo", [{"to": None, "type_": OrganisationType.NGO}],
     ("legal", Purpose.REFERRAL, [IDENTITY]), True, []),
    ("type-wide-consent-not-another-type", [{"to": None, "type_": OrganisationType.NGO}],
     ("clinic", Purpose.REFERRAL, [IDENTITY]), False, [IDENTITY]),
    ("missing-category", [{"categories": (IDENTITY,)}], ("shelter", Purpose.REFERRAL, [IDENTITY, CONTACTS]),
     False, [CONTACTS]),
    ("every-category-covered", [{"categories": (IDENTITY, CONTACTS, HEALTH)}],
     ("shelter", Purpose.REFERRAL, [IDENTITY, CONTACTS]), True, []),
    ("two-records-are-not-combined", [{"categories": (IDENTITY,)}, {"categories": (CONTACTS,), "given": TODAY - D(40)}],
     ("shelter", Purpose.REFERRAL, [IDENTITY, CONTACTS]), False, [CONTACTS]),
    ("withdrawn-takes-effect-at-once", [{"withdrawn": True}], ("shelter", Purpose.REFERRAL, [IDENTITY]), False,
     [IDENTITY]),
    ("withdrawn-one-valid-other", [{"withdrawn": True}, {"to": None, "type_": OrganisationType.NGO}],
     ("shelter", Purpose.REFERRAL, [IDENTITY]), True, []),
    ("expired-yesterday", [{"expires": TODAY - D(days=1)}], ("shelter", Purpose.REFERRAL, [IDENTITY]), False,
     [IDENTITY]),
    ("expires-today-still-valid", [{"expires": TODAY}], ("shelter", Purpose.REFERRAL, [IDENTITY]), True, []),
    ("given-after-the-date-asked", [{"given": TODAY + D(days=1)}], ("shelter", Purpose.REFERRAL, [IDENTITY]), False,
     [IDENTITY]),
    ("other-purpose", [{"purpose": Purpose.LAW_ENFORCEMENT}], ("shelter", Purpose.REFERRAL, [IDENTITY]), False,
     [IDENTITY]),
    ("law-enforcement-by-type", [{"purpose": Purpose.LAW_ENFORCEMENT, "to": None,
                                  "type_": OrganisationType.LAW_ENFORCEMENT}],
     ("police", Purpose.LAW_ENFORCEMENT, [IDENTITY]), True, []),
    ("referral-consent-is-not-law-enforcement", [{"to": "police"}], ("police", Purpose.LAW_ENFORCEMENT, [IDENTITY]),
     False, [IDENTITY]),
    ("assistance-by-the-office", [{"purpose": Purpose.ASSISTANCE, "to": None, "categories": (IDENTITY, HEALTH)}],
     (None, Purpose.ASSISTANCE, [HEALTH]), True, []),
    ("assistance-is-not-a-referral", [{"purpose": Purpose.ASSISTANCE, "to": None}],
     ("shelter", Purpose.REFERRAL, [IDENTITY]), False, [IDENTITY]),
    ("a-referral-consent-does-not-cover-the-office", [{}], (None, Purpose.ASSISTANCE, [IDENTITY]), False, [IDENTITY]),
    ("another-persons-consent", [{"person": "other"}], ("shelter", Purpose.REFERRAL, [IDENTITY]), False, [IDENTITY]),
    ("the-closest-record-is-reported", [{"categories": (SITUATION,)}, {"categories": (IDENTITY, SITUATION)}],
     ("shelter", Purpose.REFERRAL, [IDENTITY, CONTACTS, SITUATION]), False, [CONTACTS]),
]


@pytest.mark.parametrize(("records", "question", "allowed", "missing"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_may_share(world, records, question, allowed, missing):
    created = [consent(world, **kwargs) for kwargs in records]
    recipient, purpose, categories = question

    decision = may_share(world["person"], world[recipient] if recipient else None, purpose, categories, on=TODAY)

    assert decision.allowed is allowed
    assert bool(decision) is allowed
    assert list(decision.missing) == missing
    assert decision.reason
    if allowed:
        assert decision.consent in created
        assert decision.consent.person == world["person"]


def test_withdrawing_blocks_the_very_next_question(world):
    record = consent(world)
    assert may_share(world["person"], world["shelter"], Purpose.REFERRAL, [IDENTITY])

    ConsentRecord.objects.filter(pk=record.pk).update(withdrawn_at=timezone.now())

    decision = may_share(world["person"], world["shelter"], Purpose.REFERRAL, [IDENTITY])
    assert not decision.allowed
    assert "Shelter NGO" in decision.reason


def test_the_reason_names_the_missing_data(world):
    consent(world, categories=(IDENTITY,))

    decision = may_share(world["person"], world["shelter"], Purpose.REFERRAL, [IDENTITY, HEALTH], on=TODAY)

    assert decision.reason == "The person's consent for Shelter NGO does not cover: Health."


def test_an_unknown_category_is_a_programming_error(world):
    with pytest.raises(ValueError, match="Unknown data categories"):
        may_share(world["person"], world["shelter"], Purpose.REFERRAL, ["shoe_size"])


def test_an_unregistered_person_is_never_covered(world):
    decision = may_share(Person(given_name="Nobody"), world["shelter"], Purpose.REFERRAL, [IDENTITY])
    assert not decision.allowed
