"""An escalation submitted twice makes one case, one consent and one person; a failed escalation leaves no
signed consent form on disk (the security review of issue 4)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import CALLER
from waypoint.cases import services
from waypoint.cases.models import Case
from waypoint.consent.models import ConsentRecord, DataCategory
from waypoint.people.models import Person

PDF = b"%PDF-1.4\n% signed consent form\n"


@pytest.fixture
def stale(users, consultation, monkeypatch):
    """The second of two submits: its checks ran on the consultation as it was before the first one saved."""
    before = services._consultation(users["hotline_operator"], consultation)
    monkeypatch.setattr(services, "_consultation", lambda user, consultation, request=None: before)
    return before


def escalate(users, consultation, **consent):
    return services.escalate_consultation(
        users["hotline_operator"], consultation, owner=users["case_worker"],
        consent={"how_given": "oral", **consent}, new_person=CALLER)


def test_a_double_submit_makes_one_case_one_consent_one_person(users, consultation, stale):
    first = escalate(users, consultation)

    with pytest.raises(ValidationError) as refused:
        escalate(users, stale)

    assert refused.value.message_dict["__all__"] == [f"This consultation was already escalated to {first.reference}."]
    assert first.reference.startswith("CT-")
    assert Case.objects.count() == 1
    assert ConsentRecord.objects.count() == 1
    assert Person.objects.count() == 1


def test_a_person_linked_meanwhile_is_not_registered_again_by_a_referral(users, consultation, shelter, stale):
    services.refer_from_consultation(
        users["hotline_operator"], consultation, service=shelter, reason="A bed.",
        categories=[DataCategory.IDENTITY], new_person=CALLER, consent_kwargs={})

    with pytest.raises(ValidationError) as refused:
        services.refer_from_consultation(
            users["hotline_operator"], stale, service=shelter, reason="A bed.",
            categories=[DataCategory.IDENTITY], new_person=CALLER, consent_kwargs={})

    assert "person" in refused.value.message_dict
    assert Person.objects.count() == 1
    assert ConsentRecord.objects.count() == 1


def forms_on_disk(root) -> list:
    folder = root / "consent" / "forms"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_failed_escalation_leaves_no_consent_form_on_disk(users, consultation, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path

    def fail(case, by):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr(services.notifications, "case_assigned", fail)
    upload = SimpleUploadedFile("Karimova consent.pdf", PDF, content_type="application/pdf")

    with pytest.raises(RuntimeError):
        escalate(users, consultation, how_given="written", form=upload)

    assert not Case.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert forms_on_disk(tmp_path) == []


def test_a_successful_escalation_keeps_its_consent_form(users, consultation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("Karimova consent.pdf", PDF, content_type="application/pdf")

    escalate(users, consultation, how_given="written", form=upload)

    consent = ConsentRecord.objects.get()
    assert forms_on_disk(tmp_path) == [tmp_path / consent.form.name]
    assert (tmp_path / consent.form.name).read_bytes() == PDF
