"""The API's answer to refused data, one shape for every endpoint: 422 with {detail, errors: {field: [...]}}.

Services raise Django's ValidationError; every router turns it into this answer here, so that a client reads
the errors of a person, an organisation or a consultation the same way (and the same way as a malformed
request, see `api.py`).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from ninja import Status


def invalid(error: ValidationError, detail: str | None = None) -> Status:
    """A Django ValidationError as the API's 422: every message under the field it is about (errors about no
    one field under "__all__")."""
    if hasattr(error, "error_dict"):
        errors = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    else:
        errors = {NON_FIELD_ERRORS: [str(m) for m in error.messages]}
    if detail is None:
        detail = _("The data are not valid: see the errors for each field.")
    return Status(422, {"detail": detail, "errors": errors})
