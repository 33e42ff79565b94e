"""Recording and withdrawing consent: validated field by field, audited, only by staff who may change the
person; withdrawal takes effect at once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.consent import services
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.partners.models import OrganisationType
from waypoint.people.models import Person, ProgrammeRegistration

TODAY = timezone.localdate()


@pytest.fixture
def person(db):
    person = Person.objects.create(given_name="Dilnoza", family_name="Karimova")
    ProgrammeRegistration.objects.create(person=person, programme=Programme.COUNTER_TRAFFICKING)
    return person


def valid(**overrides):
    data = {
        "purpose": Purpose.REFERRAL, "recipient_type": OrganisationType.NGO,
        "data_categories": [DataCategory.IDENTITY, DataCategory.CONTACTS], "how_given": HowGiven.WRITTEN,
        "given_on": TODAY,
    }
    data.update(overrides)
    return data


def test_a_case_worker_records_a_consent_and_it_is_audited(users, person):
    worker = users["case_worker"]

    consent = services.record_consent(worker, person, **valid())

    assert consent.recorded_by == worker
    assert consent.data_categories == [DataCategory.IDENTITY, DataCategory.CONTACTS]
    event = AuditEvent.objects.filter(action=Action.CREATE, object_type="consent.consentrecord").get()
    assert event.object_id == str(consent.pk)
    assert event.actor_id == worker.pk
    assert event.changes["person"] == [None, str(person.pk)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"data_categories": []}, "data_categories", id="no-category"),
        pytest.param({"data_categories": ["shoe_size"]}, "data_categories", id="unknown-category"),
        pytest.param({"how_given": HowGiven.ORAL}, "witness", id="oral-without-witness"),
        pytest.param({"how_given": HowGiven.GUARDIAN, "witness": "  "}, "witness", id="guardian-without-name"),
        pytest.param({"expires_on": TODAY}, "expires_on", id="expires-on-the-day-given"),
        pytest.param({"expires_on": TODAY - datetime.timedelta(days=3)}, "expires_on", id="expires-before-given"),
        pytest.param({"given_on": TODAY + datetime.timedelta(days=1)}, "given_on", id="given-in-the-future"),
        pytest.param({"recipient_type": ""}, "recipient_organisation", id="referral-without-recipient"),
        pytest.param({"purpose": Purpose.ASSISTANCE}, "recipient_organisation", id="assistance-with-recipient"),
        pytest.param({"recipient_type": "pirates"}, "recipient_type", id="unknown-type"),
        pytest.param({"purpose": "everything"}, "purpose", id="unknown-purpose"),
    ],
)
def test_an_invalid_consent_names_the_field_and_saves_nothing(users, person, overrides, field):
    with pytest.raises(ValidationError) as error:
        services.record_consent(users["case_worker"], person, **valid(**overrides))

    assert field in error.value.message_dict
    assert not ConsentRecord.objects.exists()
    assert not AuditEvent.objects.filter(object_type="consent.consentrecord").exists()


def test_oral_consent_with_a_witness_is_accepted(users, person):
    consent = services.record_consent(
        users["case_worker"], person, **valid(how_given=HowGiven.ORAL, witness="Olga Ivanova"))
    assert consent.witness == "Olga Ivanova"


def test_a_signed_form_must_really_be_a_pdf_or_an_image(users, person, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("consent.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.record_consent(users["case_worker"], person, **valid(form=fake))
    assert "form" in error.value.message_dict

    real = SimpleUploadedFile("Karimova consent.pdf", b"%PDF-1.4\n%...", content_type="application/pdf")
    consent = services.record_consent(users["case_worker"], person, **valid(form=real))
    assert consent.form.name.startswith("consent/forms/")
    assert "Karimova" not in consent.form.name


@pytest.mark.parametrize("persona", ["case_worker_b", "partner_user", "me_officer", "data_protection_officer"])
def test_only_staff_who_may_change_the_person_record_consent(users, person, persona):
    with pytest.raises(Http404):
        services.record_consent(users[persona], person, **valid())

    assert not ConsentRecord.objects.exists()
    denial = AuditEvent.objects.get(action=Action.DENY)
    assert (denial.actor_id, denial.object_type) == (users[persona].pk, "people.person")


def test_withdrawal_takes_effect_at_once_and_is_audited(users, person, ngo_x):
    worker = users["case_worker"]
    consent = services.record_consent(worker, person, **valid())
    assert services.may_share(person, ngo_x, Purpose.REFERRAL, [DataCategory.IDENTITY])

    services.withdraw(worker, consent, "The person called to withdraw.")

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_note == "The person called to withdraw."
    assert not services.may_share(person, ngo_x, Purpose.REFERRAL, [DataCategory.IDENTITY])
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="consent.consentrecord",
                                     object_id=str(consent.pk)).exists()


def test_a_consent_is_withdrawn_only_once(users, person):
    consent = services.record_consent(users["case_worker"], person, **valid())
    services.withdraw(users["case_worker"], consent, "")

    with pytest.raises(ValidationError) as error:
        services.withdraw(users["case_worker"], consent, "again")
    assert "consent" in error.value.message_dict


def test_nobody_else_withdraws_a_consent(users, person):
    consent = services.record_consent(users["case_worker"], person, **valid())

    for persona in ("case_worker_b", "partner_user", "data_protection_officer", "hotline_operator"):
        with pytest.raises(Http404):
            services.withdraw(users[persona], consent, "not mine")

    consent.refresh_from_db()
    assert consent.withdrawn_at is None
