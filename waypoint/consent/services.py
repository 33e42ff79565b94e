"""Recording and withdrawing consent, and the one question every sharing path asks: `may_share`.

A consent record says: this person agreed that these categories of their data may be used for this
purpose by this recipient (a named organisation, every organisation of a type, or the office itself),
from `given_on` until `expires_on` (inclusive) or until it is withdrawn. Withdrawal takes effect at
once: a withdrawn record never covers anything again, whatever date is asked about.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import Person

from .models import ConsentRecord, DataCategory, HowGiven, Purpose

# Purposes whose recipient is another organisation (named, or any of a type), and those of the office itself.
PURPOSES_WITH_RECIPIENT = frozenset({Purpose.REFERRAL, Purpose.LAW_ENFORCEMENT})
PURPOSES_OF_THE_OFFICE = frozenset({Purpose.ASSISTANCE, Purpose.STATISTICS})
FORM_TYPES = {b"%PDF": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
FORM_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class SharingDecision:
    """The answer of `may_share`: allowed or not, the record that covers (or comes closest), what is
    missing, and a sentence for the user."""

    allowed: bool
    consent: ConsentRecord | None = None
    missing: tuple[str, ...] = field(default_factory=tuple)
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def category_label(code: str) -> str:
    return str(dict(DataCategory.choices).get(code, code))


def recipient_label(recipient: Organisation | None) -> str:
    return recipient.name if recipient is not None else _("the office")


def _valid_on(on: datetime.date) -> Q:
    return Q(withdrawn_at__isnull=True, given_on__lte=on) & (Q(expires_on__isnull=True) | Q(expires_on__gte=on))


def _covers_recipient(recipient: Organisation | None) -> Q:
    """A record names the organisation, or its type (and no organisation), or, for the office itself,
    neither."""
    if recipient is None:
        return Q(recipient_organisation__isnull=True, recipient_type="")
    return Q(recipient_organisation=recipient) | Q(
        recipient_organisation__isnull=True, recipient_type=recipient.organisation_type
    )


def covering_records(person: Person, recipient: Organisation | None, purpose: str, on: datetime.date | None = None):
    """The person's records valid on the date for this purpose and recipient, newest first."""
    on = on or timezone.localdate()
    return (
        ConsentRecord.objects.filter(person=person, purpose=purpose)
        .filter(_valid_on(on))
        .filter(_covers_recipient(recipient))
        .order_by("-given_on", "-id")
    )


def may_share(
    person: Person,
    recipient: Organisation | None,
    purpose: str,
    categories: Iterable[str],
    on: datetime.date | None = None,
) -> SharingDecision:
    """May these categories of the person's data go to this recipient for this purpose, on this date?

    One record must cover every requested category: consents given for different recipients are never
    combined. When none does, the decision names the record that comes closest and what it lacks.
    """
    wanted = tuple(dict.fromkeys(categories))
    unknown = [code for code in wanted if code not in DataCategory.values]
    if unknown:
        raise ValueError(f"Unknown data categories: {', '.join(unknown)}")
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown purpose: {purpose}")
    if person is None or person.pk is None:
        return SharingDecision(False, None, wanted, _("Personal data can be shared only about a registered person."))
    best: ConsentRecord | None = None
    best_missing: tuple[str, ...] = wanted
    for consent in covering_records(person, recipient, purpose, on):
        missing = tuple(code for code in wanted if code not in (consent.data_categories or []))
        if not missing:
            return SharingDecision(True, consent, (), _("Covered by the consent given on %(date)s.") % {
                "date": consent.given_on.isoformat()})
        if best is None or len(missing) < len(best_missing):
            best, best_missing = consent, missing
    purpose_label = str(dict(Purpose.choices)[purpose])
    if best is None:
        reason = _(
            "The person has not consented to “%(purpose)s” with %(recipient)s (or that consent expired or was "
            "withdrawn)."
        ) % {"purpose": purpose_label, "recipient": recipient_label(recipient)}
    else:
        reason = _("The person's consent for %(recipient)s does not cover: %(categories)s.") % {
            "recipient": recipient_label(recipient),
            "categories": ", ".join(category_label(code) for code in best_missing),
        }
    return SharingDecision(False, best, best_missing, reason)


# --- Recording and withdrawing ----------------------------------------------------------------
# The signed forms written inside the innermost `forms_removed_on_failure` block (None: outside any).
_forms_written: ContextVar[list[str] | None] = ContextVar("consent_forms_written", default=None)


def _delete_forms(names: Iterable[str]) -> None:
    storage = ConsentRecord._meta.get_field("form").storage
    for name in names:
        storage.delete(name)


@contextmanager
def forms_removed_on_failure() -> Iterator[None]:
    """Wrap a service's `transaction.atomic()`: if it fails, the signed forms `add_consent` wrote inside
    are deleted. A file is not part of the transaction, and a scanned consent form whose record rolled
    back would stay on disk with no record pointing to it (a person's signature nobody can find or erase).
    """
    names: list[str] = []
    outer = _forms_written.get()
    token = _forms_written.set(names)
    try:
        yield
    except BaseException:
        _delete_forms(names)
        raise
    finally:
        _forms_written.reset(token)
    if outer is not None:  # an enclosing block may still fail: it deletes them then
        outer.extend(names)


def check_form(upload: UploadedFile) -> str:
    """The signed form's real type from its first bytes (PDF, JPEG or PNG); raises ValidationError."""
    if upload.size > FORM_MAX_BYTES:
        raise ValidationError({"form": _("The signed form is larger than 10 MB.")})
    head = upload.read(8)
    upload.seek(0)
    for magic, extension in FORM_TYPES.items():
        if head.startswith(magic):
            return extension
    raise ValidationError({"form": _("The signed form must be a PDF, JPEG or PNG file.")})


def validate_consent(
    *,
    purpose: str,
    recipient_organisation: Organisation | None,
    recipient_type: str,
    data_categories: Iterable[str],
    how_given: str,
    witness: str,
    given_on: datetime.date | None,
    expires_on: datetime.date | None,
) -> None:
    """Every rule a consent record must follow, with each error on the field it concerns."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    categories = list(data_categories or [])
    if purpose not in Purpose.values:
        add("purpose", _("Choose what the consent is for."))
    if not categories:
        add("data_categories", _("Choose at least one kind of data the consent covers."))
    unknown = [str(code) for code in categories if code not in DataCategory.values]
    if unknown:
        add("data_categories", _("Unknown kind of data: %(codes)s.") % {"codes": ", ".join(unknown)})
    if how_given not in HowGiven.values:
        add("how_given", _("Say how the consent was given."))
    if how_given == HowGiven.ORAL and not (witness or "").strip():
        add("witness", _("Oral consent needs the name of the witness who heard it."))
    if how_given == HowGiven.GUARDIAN and not (witness or "").strip():
        add("witness", _("Give the name of the guardian or legal representative who consented."))
    if recipient_type and recipient_type not in OrganisationType.values:
        add("recipient_type", _("Unknown type of organisation."))
    if recipient_organisation is not None and recipient_type:
        add("recipient_type", _("Name one organisation or a type of organisation, not both."))
    if purpose in PURPOSES_WITH_RECIPIENT and recipient_organisation is None and not recipient_type:
        add("recipient_organisation", _("Name the organisation, or the type of organisation, the data may go to."))
    if purpose in PURPOSES_OF_THE_OFFICE and (recipient_organisation is not None or recipient_type):
        add("recipient_organisation", _("This consent is for the office itself: leave the recipient empty."))
    if given_on is None:
        add("given_on", _("Give the date the consent was given."))
    elif given_on > timezone.localdate():
        add("given_on", _("The consent cannot be dated in the future."))
    if expires_on is not None and given_on is not None and expires_on <= given_on:
        add("expires_on", _("The consent must expire after the date it was given."))
    if errors:
        raise ValidationError(errors)


def record_consent(
    user: User,
    person: Person,
    *,
    purpose: str,
    recipient_organisation: Organisation | None = None,
    recipient_type: str = "",
    data_categories: Iterable[str],
    how_given: str,
    witness: str = "",
    given_on: datetime.date,
    expires_on: datetime.date | None = None,
    form: UploadedFile | None = None,
    request=None,
) -> ConsentRecord:
    """Record a person's consent; only staff who may change the person's record do this."""
    person = policy.get_for(user, Person, "change", pk=person.pk, request=request)  # outside: denial stays audited
    with forms_removed_on_failure(), transaction.atomic():
        return add_consent(
            user, person, purpose=purpose, recipient_organisation=recipient_organisation,
            recipient_type=recipient_type, data_categories=data_categories, how_given=how_given, witness=witness,
            given_on=given_on, expires_on=expires_on, form=form, request=request,
        )


def add_consent(
    user: User,
    person: Person,
    *,
    purpose: str,
    recipient_organisation: Organisation | None = None,
    recipient_type: str = "",
    data_categories: Iterable[str],
    how_given: str,
    witness: str = "",
    given_on: datetime.date,
    expires_on: datetime.date | None = None,
    form: UploadedFile | None = None,
    request=None,
) -> ConsentRecord:
    """The write itself, for services that checked access and hold a transaction (a referral, an escalation).

    Callers wrap their transaction in `forms_removed_on_failure`, so that a form written here is deleted
    when the transaction rolls back later."""
    categories = list(dict.fromkeys(data_categories or []))
    validate_consent(
        purpose=purpose, recipient_organisation=recipient_organisation, recipient_type=recipient_type,
        data_categories=categories, how_given=how_given, witness=witness, given_on=given_on, expires_on=expires_on,
    )
    consent = ConsentRecord(
        person=person, purpose=purpose, recipient_organisation=recipient_organisation,
        recipient_type=recipient_type or "", data_categories=categories, how_given=how_given,
        witness=(witness or "").strip(), given_on=given_on, expires_on=expires_on, recorded_by=user,
    )
    if form is not None:
        extension = check_form(form)
        # Written last, once everything is valid; the name is random (see `form_path`).
        consent.form.save(f"form.{extension}", form, save=False)
        written = _forms_written.get()
        if written is not None:
            written.append(consent.form.name)
    consent.save()
    record(
        Action.CREATE, consent, actor=user, request=request,
        changes={
            "person": [None, str(person.pk)],
            "purpose": [None, purpose],
            "recipient": [None, str(recipient_organisation.pk) if recipient_organisation
                          else (recipient_type or "office")],
            "data_categories": [None, ", ".join(sorted(categories))],
            "how_given": [None, how_given],
            "given_on": [None, given_on.isoformat()],
            "expires_on": [None, expires_on.isoformat() if expires_on else None],
            "form": [None, "uploaded" if form is not None else None],
        },
    )
    return consent


def withdraw(user: User, consent: ConsentRecord, note: str = "", *, request=None) -> ConsentRecord:
    """Withdraw a consent now. From this moment `may_share` no longer counts it."""
    consent = policy.get_for(user, ConsentRecord, "change", pk=consent.pk, request=request)
    with transaction.atomic():
        current = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
        if current.withdrawn_at is not None:
            raise ValidationError({"consent": _("This consent was already withdrawn on %(date)s.") % {
                "date": timezone.localtime(current.withdrawn_at).date().isoformat()}})
        current.withdrawn_at = timezone.now()
        current.withdrawal_note = (note or "").strip()
        current.save(update_fields=["withdrawn_at", "withdrawal_note"])
        record(
            Action.UPDATE, current, actor=user, request=request,
            changes={"withdrawn_at": [None, current.withdrawn_at.isoformat()], "withdrawal_note": None},
        )
    return current
