"""Free text about a person's choices is stored encrypted, like the rest of what identifies them: a
partner's reason for declining a referral and the note of a consent's withdrawal (security review of
issue 4). Key rotation finds them on its own."""

from django.db import connection
from django.utils import timezone

from tests.cases.conftest import CALLER
from waypoint.cases import services as case_services
from waypoint.cases.models import Referral
from waypoint.consent import services
from waypoint.consent.models import ConsentRecord, DataCategory
from waypoint.core import crypto
from waypoint.core.fields import encrypted_fields


def stored(model, pk, column: str) -> str:
    """The column as the database holds it, past the field's decryption."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def referral_to(users, consultation, shelter) -> Referral:
    return case_services.refer_from_consultation(
        users["hotline_operator"], consultation, service=shelter, reason="A bed tonight.",
        categories=[DataCategory.IDENTITY], new_person=CALLER, consent_kwargs={})


def test_a_withdrawal_note_is_stored_encrypted(users, consultation, shelter):
    consent = referral_to(users, consultation, shelter).consent

    services.withdraw(users["hotline_operator"], consent, "Her brother called: she fears the employer.")

    raw = stored(ConsentRecord, consent.pk, "withdrawal_note")
    assert raw.startswith(crypto.PREFIX)
    assert "employer" not in raw
    assert ConsentRecord.objects.get(pk=consent.pk).withdrawal_note == "Her brother called: she fears the employer."


def test_a_decline_reason_is_stored_encrypted(users, client_for, consultation, shelter):
    referral = referral_to(users, consultation, shelter)

    case_services.decline(users["partner_user"], referral, "She is pregnant; our shelter has no doctor.",
                          version=referral.version)

    raw = stored(Referral, referral.pk.hex, "decline_reason")
    assert raw.startswith(crypto.PREFIX)
    assert "pregnant" not in raw
    page = client_for(users["hotline_operator"]).get(f"/referrals/{referral.pk}/").content.decode()
    assert "She is pregnant; our shelter has no doctor." in page


def test_key_rotation_finds_both_fields(users, consultation, shelter):
    assert "decline_reason" in {field.name for field in encrypted_fields(Referral)}
    assert "withdrawal_note" in {field.name for field in encrypted_fields(ConsentRecord)}
    consent = referral_to(users, consultation, shelter).consent
    services.withdraw(users["hotline_operator"], consent, "By phone on " + timezone.localdate().isoformat())
    assert not crypto.needs_rotation(stored(ConsentRecord, consent.pk, "withdrawal_note"))
