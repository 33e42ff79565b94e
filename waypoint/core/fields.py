"""Model fields for sensitive text: stored encrypted, read back as plain `str`."""

from __future__ import annotations

from django.core import checks
from django.db import models
from django.db.models.lookups import IsNull

from . import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted. It cannot be searched: pair it with a BlindIndexField for
    exact look-up. The audit trail records that it changed, never its value."""

    sensitive = True

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        # Comparing ciphertexts is meaningless (each encryption is randomised).
        return IsNull if lookup_name == "isnull" else None


class BlindIndexField(models.CharField):
    """A keyed hash of another field's normalised value, kept in step on every save."""

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs):
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        for key in ("max_length", "editable", "blank", "db_index"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.source or not self.purpose:
            errors.append(checks.Error("BlindIndexField needs source= and purpose=.", obj=self))
        return errors

    def index_of(self, value: str) -> str:
        return crypto.blind_index(value, purpose=self.purpose) if value else ""

    def pre_save(self, model_instance, add):
        value = self.index_of(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]


def blind_index_fields(model) -> list[BlindIndexField]:
    return [f for f in model._meta.get_fields() if isinstance(f, BlindIndexField)]
