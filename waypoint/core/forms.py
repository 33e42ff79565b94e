"""Helpers shared by the forms of every app."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import QueryDict


def apply_errors(forms_: BaseForm | Sequence[BaseForm], error: ValidationError) -> None:
    """Put a service's ValidationError on the form that has the field it names; an error of no field (or one not
    tied to fields at all) goes above the first form. A page made of several forms passes them all."""
    forms_ = [forms_] if isinstance(forms_, BaseForm) else list(forms_)
    if not hasattr(error, "error_dict"):
        forms_[0].add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = next((form for form in forms_ if name in form.fields), None)
        if target is None:
            forms_[0].add_error(None, messages)
        else:
            target.add_error(name, messages)


def at_saved_version(form_class: type[BaseForm], data: QueryDict, version: int, **kwargs) -> BaseForm:
    """The input of a stale form again, bound at the version saved now (and validated, so that it shows its
    errors): shown beside the conflict message, it saves once the user has checked it against what was saved."""
    posted = data.copy()
    posted["version"] = str(version)
    form = form_class(posted, **kwargs)
    form.is_valid()
    return form
