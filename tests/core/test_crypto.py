"""Sensitive text is encrypted at rest, found again by blind index, and survives key rotation."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from tests.crypto_app.models import Secret
from waypoint.audit.models import AuditEvent
from waypoint.core import crypto

REPO_ROOT = Path(__file__).resolve().parents[2]
NAME = "Юлия Ковальчук"
FULL_WIDTH_NUMBER = "\uff21\uff22\uff11\uff12\uff13\uff14\uff15\uff16"  # "AB123456" typed in full width


def stored(pk: int) -> dict[str, str]:
    """The columns exactly as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT note, document_number, document_number_index FROM crypto_app_secret WHERE id = %s",
            [pk],
        )
        note, number, index = cursor.fetchone()
    return {"note": note, "document_number": number, "document_number_index": index}


def index_of(value: str) -> str:
    return Secret._meta.get_field("document_number_index").index_of(value)


def with_number(value: str):
    return Secret.objects.filter(document_number_index=index_of(value))


@pytest.fixture
def keys(settings):
    """Switch keys through `settings`; the cached keyring is dropped on every switch and at the end."""
    original = (list(settings.FIELD_ENCRYPTION_KEYS), settings.BLIND_INDEX_KEY)

    def use(*, encryption: list[str] | None = None, blind: str | None = None) -> None:
        if encryption is not None:
            settings.FIELD_ENCRYPTION_KEYS = encryption
        if blind is not None:
            settings.BLIND_INDEX_KEY = blind
        crypto.keyring.cache_clear()

    yield use
    settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY = original
    crypto.keyring.cache_clear()


@pytest.mark.django_db
def test_the_column_holds_ciphertext_not_the_plaintext():
    secret = Secret.objects.create(note="Survivor of trafficking, shelter in Tver", document_number="AB123456")

    raw = stored(secret.pk)

    for column, plaintext in [("note", "Survivor of trafficking"), ("document_number", "AB123456")]:
        assert raw[column].startswith("fernet:")
        assert plaintext not in raw[column]
        assert plaintext.lower() not in raw[column].lower()
    assert "AB123456" not in raw["document_number_index"]


@pytest.mark.django_db
def test_two_encryptions_of_the_same_text_differ():
    first = Secret.objects.create(note=NAME)
    second = Secret.objects.create(note=NAME)

    assert stored(first.pk)["note"] != stored(second.pk)["note"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", [NAME, "Ünïcödé ✓ 中文 😀", "a" * 5000, "line one\nline two"])
def test_values_read_back_exactly_as_written(text):
    secret = Secret.objects.create(note=text)

    assert Secret.objects.get(pk=secret.pk).note == text
    assert crypto.decrypt(stored(secret.pk)["note"]) == text


@pytest.mark.django_db
def test_empty_text_stays_empty_and_is_not_indexed():
    secret = Secret.objects.create(note="", document_number="")

    assert stored(secret.pk) == {"note": "", "document_number": "", "document_number_index": ""}
    assert Secret.objects.get(pk=secret.pk).note == ""


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["ab 123-456", "AB123456", "ab123456", " AB-123 456 ", FULL_WIDTH_NUMBER])
def test_a_document_number_is_found_whatever_its_case_spaces_dashes_or_width(typed):
    secret = Secret.objects.create(document_number="AB123456")

    assert list(with_number(typed)) == [secret]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["AB123457", "AB12345", "BA123456", "AB1234567"])
def test_a_different_document_number_does_not_match(typed):
    Secret.objects.create(document_number="AB123456")

    assert not with_number(typed).exists()


def test_blind_indexes_of_different_purposes_differ():
    assert crypto.blind_index("AB123456", purpose="passport") != crypto.blind_index(
        "AB123456", purpose="test-document"
    )


@pytest.mark.django_db
def test_the_blind_index_follows_a_changed_value():
    secret = Secret.objects.create(document_number="AB123456")
    secret.document_number = "CD 999"
    secret.save()

    assert list(with_number("cd999")) == [secret]
    assert not with_number("AB123456").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        {"note": NAME},
        {"note__exact": NAME},
        {"note__iexact": NAME},
        {"note__contains": "Юлия"},
        {"note__icontains": "юлия"},
        {"note__startswith": "Ю"},
        {"note__in": [NAME]},
        {"document_number": "AB123456"},
        {"document_number__icontains": "ab"},
    ],
    ids=lambda lookup: next(iter(lookup)),
)
def test_filtering_on_an_encrypted_field_is_refused(lookup):
    Secret.objects.create(note=NAME, document_number="AB123456")

    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(Secret.objects.filter(**lookup))
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(Secret.objects.exclude(**lookup))


@pytest.mark.django_db
def test_filtering_on_whether_an_encrypted_field_is_null_is_allowed():
    Secret.objects.create(note=NAME)

    assert Secret.objects.filter(note__isnull=False).count() == 1
    assert Secret.objects.filter(note__isnull=True).count() == 0


@pytest.mark.django_db
def test_rotate_keys_reencrypts_every_row_so_the_old_key_can_be_removed(keys, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    texts = [NAME, "second note", "third note", ""]
    secrets = [Secret.objects.create(note=text, document_number=f"X{n}") for n, text in enumerate(texts)]
    before = {secret.pk: stored(secret.pk) for secret in secrets}
    keys(encryption=[new, old])
    assert all(crypto.needs_rotation(before[secret.pk]["note"]) for secret in secrets[:3])

    call_command("rotate_keys", batch_size=3, stdout=StringIO())

    for secret in secrets[:3]:
        after = stored(secret.pk)
        assert after["note"] != before[secret.pk]["note"]
        assert after["note"].startswith("fernet:")
        assert Fernet(new).decrypt(after["note"].removeprefix("fernet:").encode()).decode() == secret.note
        with pytest.raises(InvalidToken):
            Fernet(old).decrypt(after["note"].removeprefix("fernet:").encode())
        assert not crypto.needs_rotation(after["document_number"])
    assert stored(secrets[3].pk)["note"] == ""
    keys(encryption=[new])
    assert [Secret.objects.get(pk=secret.pk).note for secret in secrets] == texts
    assert [Secret.objects.get(pk=secret.pk).document_number for secret in secrets] == ["X0", "X1", "X2", "X3"]
    rotation = AuditEvent.objects.get(object_type="core.encryption_keys")
    assert rotation.changes == {"rows": [None, "4"]}


@pytest.mark.django_db
def test_without_rotation_removing_the_old_key_makes_values_unreadable(keys, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    secret = Secret.objects.create(note=NAME)

    keys(encryption=[Fernet.generate_key().decode()])

    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        Secret.objects.get(pk=secret.pk)
    keys(encryption=[old])
    assert Secret.objects.get(pk=secret.pk).note == NAME


@pytest.mark.django_db
def test_rotate_keys_recomputes_blind_indexes_under_a_new_blind_index_key(keys):
    secret = Secret.objects.create(document_number="AB123456")
    old_index = stored(secret.pk)["document_number_index"]

    keys(blind="a-brand-new-blind-index-key-0123456789-abcdef")
    assert not with_number("ab 123-456").exists()

    call_command("rotate_keys", stdout=StringIO())

    assert stored(secret.pk)["document_number_index"] not in ("", old_index)
    assert list(with_number("ab 123-456")) == [secret]
    assert not with_number("AB123457").exists()


@pytest.mark.parametrize(
    ("encryption", "blind", "message"),
    [
        ([], None, "FIELD_ENCRYPTION_KEYS is not set"),
        (["not-a-fernet-key"], None, "not a Fernet key"),
        ([Fernet.generate_key().decode(), "ключ"], None, "not a Fernet key"),
        ([Fernet.generate_key().decode()[:-4]], None, "not a Fernet key"),
        (None, "short", "BLIND_INDEX_KEY must be set"),
        (None, "", "BLIND_INDEX_KEY must be set"),
    ],
    ids=["no-keys", "non-key", "non-ascii-key", "truncated-key", "short-blind-key", "empty-blind-key"],
)
def test_keyring_refuses_unusable_configuration_with_a_clear_message(keys, encryption, blind, message):
    keys(encryption=encryption, blind=blind)

    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.keyring()


def manage_check(tmp_path, **overrides) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="waypoint.config.settings",
        WAYPOINT_ENV_FILE="/nonexistent",
        SECRET_KEY="subprocess-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BLIND_INDEX_KEY="subprocess-blind-index-key-0123456789abcdef",
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        PYTHONPATH=str(REPO_ROOT),
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_application_refuses_to_start_without_encryption_keys(tmp_path):
    result = manage_check(tmp_path, FIELD_ENCRYPTION_KEYS="")

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_the_application_starts_with_valid_keys(tmp_path):
    result = manage_check(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
