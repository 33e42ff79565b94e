"""A model used only by the tests of encrypted fields and key rotation."""

from django.db import models

from waypoint.core.fields import BlindIndexField, EncryptedTextField


class Secret(models.Model):
    note = EncryptedTextField(blank=True)
    document_number = EncryptedTextField(blank=True)
    document_number_index = BlindIndexField(source="document_number", purpose="test-document")

    class Meta:
        app_label = "crypto_app"
