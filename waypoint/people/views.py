"""Pages of the people registry: search, registration with the duplicate warning, the person page and its
small forms, editing with conflict detection, and the photo.

Every person comes through `policy.get_for` (a forbidden record answers 404 and the denial is audited);
every write goes through `services`, which validates, indexes and audits in one transaction.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record

from . import codes, explain, lookup, related, services
from .forms import (
    AliasForm,
    AliasFormSet,
    DocumentForm,
    EditForm,
    PhotoForm,
    ProgrammeForm,
    RegisterForm,
    SearchForm,
    programme_choices,
)
from .matching import SAME_PERSON_THRESHOLD
from .models import BirthDatePrecision, IdentityDocument, Person, PersonAlias

PHOTO_CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
_ALIAS_ERROR = re.compile(r"^alias-(\d+)-(\w+)$")


# --- Presentation -------------------------------------------------------------------------------
@dataclass
class Row:
    """A found person as the lists show it: score in percent and the matcher's reasons in words."""

    person: Person
    percent: int
    likely: bool
    reasons: list[tuple[str, str]]

    @property
    def citizenships(self) -> str:
        return ", ".join(codes.country_name(code) for code in self.person.citizenships or [])

    @property
    def birth(self) -> str:
        return birth_text(self.person)


def row(candidate: lookup.Candidate) -> Row:
    reasons = [
        (explain.describe(r), "for" if r.weight > 0 else "against" if r.weight < 0 else "neutral")
        for r in candidate.reasons
    ]
    return Row(candidate.person, round(candidate.score * 100), candidate.score >= SAME_PERSON_THRESHOLD, reasons)


def birth_text(person: Person) -> str:
    """The date of birth as precise as it is known, and no more."""
    if not person.birth_date:
        return ""
    if person.birth_date_precision == BirthDatePrecision.EXACT:
        return person.birth_date.isoformat()
    if person.birth_date_precision == BirthDatePrecision.ESTIMATED:
        return _("about %(year)d (estimated)") % {"year": person.birth_date.year}
    return str(person.birth_date.year)


def display_value(person: Person, name: str) -> str:
    """A saved value in words, for the conflict message."""
    value = getattr(person, name)
    if name in ("sex", "birth_date_precision"):
        value = getattr(person, f"get_{name}_display")()
    elif name == "citizenships":
        value = ", ".join(codes.country_name(code) for code in value or [])
    elif name == "languages":
        value = ", ".join(codes.language_name(code) for code in value or [])
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    return "—" if value in (None, "") else str(value)


def apply_errors(form: BaseForm, error: ValidationError, alias_forms: Sequence[BaseForm] = ()) -> None:
    """Put a service's ValidationError on the fields it names (aliases as "alias-<n>-<field>")."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages_ in error.message_dict.items():
        target, name = form, key
        match = _ALIAS_ERROR.match(key)
        if match and int(match.group(1)) <= len(alias_forms):
            target, name = alias_forms[int(match.group(1)) - 1], match.group(2)
        cleaned = getattr(form, "cleaned_data", {})
        if name == "birth_date" and cleaned.get("birth_date_precision") == BirthDatePrecision.YEAR:
            name = "birth_year"
        target.add_error(name if name in target.fields else None, messages_)


# --- Search -------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """One box for a name in any script, a record number or a document number.

    The query is sent by POST: a name must not end up in an address, a server log or the history.
    """
    policy.require(request.user, policy.VIEW_PEOPLE, request=request)
    form = SearchForm(request.POST if request.method == "POST" else None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = [row(candidate) for candidate in lookup.search(request.user, query)] if query else []
    if query:
        # Which records a search showed, by number only: the query itself is personal data.
        shown = ", ".join(str(result.person.pk) for result in results)
        record(Action.VIEW, actor=request.user, object_type="people.search", changes={"shown": [shown]},
               request=request)
    return render(
        request, "people/search.html",
        {
            "form": form, "query": query, "results": results,
            "may_merge": policy.may(request.user, policy.MERGE_PEOPLE),
            "may_import": policy.may(request.user, policy.IMPORT_PEOPLE),
        },
    )


# --- Registration -------------------------------------------------------------------------------
def _candidates(request: HttpRequest, form: RegisterForm) -> tuple[list[Row], list[lookup.HiddenMatch]]:
    match_record = form.match_record()
    if not (match_record["family"] or match_record["given"]):
        return [], []
    visible, hidden = lookup.duplicate_candidates(request.user, match_record)
    return [row(candidate) for candidate in visible], hidden


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Register a person; a likely duplicate must be acknowledged before a new record is made."""
    policy.require(request.user, policy.VIEW_PEOPLE, request=request)
    if not request.user.programmes:
        return render(request, "people/register.html", {"no_programme": True})
    data = request.POST if request.method == "POST" else None
    form = RegisterForm(data, user=request.user)
    aliases = AliasFormSet(data, prefix="alias")
    visible, hidden = [], []
    if data is not None:
        form_valid, aliases_valid = form.is_valid(), aliases.is_valid()  # both, so that all errors show
        valid = form_valid and aliases_valid
        visible, hidden = _candidates(request, form)
        likely = hidden or any(candidate.likely for candidate in visible)
        if valid and likely and not form.cleaned_data["confirm_new"]:
            form.add_error("confirm_new", _(
                "This person may already be registered (see the possible matches). Open the existing record, "
                "or tick this box if you checked and this is a different person."
            ))
        elif valid:
            person = _save_registration(request, form, aliases)
            if person is not None:
                messages.success(request, _("%(reference)s is registered.") % {"reference": person.reference})
                return redirect("people:detail", pk=person.pk)
    return render(request, "people/register.html", {
        "form": form, "aliases": aliases, "visible": visible, "hidden": hidden, "checked": data is not None,
    })


def _save_registration(request: HttpRequest, form: RegisterForm, aliases: AliasFormSet) -> Person | None:
    filled = [alias for alias in aliases if alias.has_changed()]
    try:
        return services.register(
            request.user, form.person_data(), programme=form.cleaned_data["programme"],
            aliases=[alias.alias_data() for alias in filled], request=request,
        )
    except ValidationError as error:
        apply_errors(form, error, filled)
        return None


@login_required
@require_POST
def register_candidates(request: HttpRequest) -> HttpResponse:
    """The duplicate warning, refreshed by htmx while the registration form is typed."""
    policy.require(request.user, policy.VIEW_PEOPLE, request=request)
    form = RegisterForm(request.POST, user=request.user)
    form.is_valid()
    visible, hidden = _candidates(request, form)
    return render(request, "people/_candidates.html", {"visible": visible, "hidden": hidden, "checked": True})


# --- The person page ----------------------------------------------------------------------------
def _editable(request: HttpRequest, pk: int) -> Person:
    person = policy.get_for(request.user, Person, "change", pk=pk, request=request)
    if person.merged_into_id:
        raise Http404  # a merged-away record is read-only: its survivor carries the data
    return person


def _merge_url(request: HttpRequest, person: Person) -> str:
    if person.merged_into_id or not policy.may(request.user, policy.MERGE_PEOPLE):
        return ""
    try:
        return reverse("people:merge_start", args=[person.pk])
    except NoReverseMatch:
        return ""


def _documents(person: Person) -> list[IdentityDocument]:
    documents = list(person.documents.all())
    for document in documents:
        document.country_label = codes.country_name(document.issuing_country)
    return documents


def render_detail(request: HttpRequest, person: Person, **forms: BaseForm) -> HttpResponse:
    """The person page, with any bound form that failed; every rendering is an audited view."""
    user = request.user
    record(Action.VIEW, person, actor=user, request=request)
    registrations = list(person.registrations.select_related("office").order_by("registered_at"))
    missing = [code for code in user.programmes or [] if code not in {r.programme for r in registrations}]
    may_change = not person.merged_into_id and policy.can(user, "change", person)
    context = {
        "person": person,
        "birth": birth_text(person),
        "citizenships": [codes.country_name(code) for code in person.citizenships or []],
        "languages": [codes.language_name(code) for code in person.languages or []],
        "aliases": person.aliases.all(),
        "documents": _documents(person),
        "registrations": registrations,
        "related": related.records(found := related.related_to(user, person)),
        "related_actions": related.actions(found),
        "may_change": may_change,
        "merge_url": _merge_url(request, person),
        "alias_form": forms.get("alias_form") or AliasForm(prefix="alias"),
        "document_form": forms.get("document_form") or DocumentForm(prefix="document"),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "programme_form": (
            forms.get("programme_form") or (ProgrammeForm(choices=programme_choices(missing)) if missing else None)
        ),
    }
    return render(request, "people/detail.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = policy.get_for(request.user, Person.objects.select_related("merged_into"), "view", pk=pk, request=request)
    return render_detail(request, person)


def _back(person: Person, anchor: str) -> HttpResponse:
    return redirect(reverse("people:detail", args=[person.pk]) + f"#{anchor}")


@login_required
@require_POST
def alias_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable(request, pk)
    form = AliasForm(request.POST, prefix="alias")
    if form.is_valid():
        try:
            services.add_alias(request.user, person, form.alias_data(), request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The other name is added."))
            return _back(person, "names")
    return render_detail(request, person, alias_form=form)


@login_required
@require_POST
def alias_remove(request: HttpRequest, pk: int, alias_pk: int) -> HttpResponse:
    person = _editable(request, pk)
    alias = policy.get_for(request.user, PersonAlias.objects.filter(person=person), "delete", pk=alias_pk,
                           request=request)
    services.remove_alias(request.user, alias, request=request)
    messages.success(request, _("The other name is removed."))
    return _back(person, "names")


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable(request, pk)
    form = DocumentForm(request.POST, prefix="document")
    if form.is_valid():
        try:
            services.add_document(request.user, person, form.document_data(), request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The document is added."))
            return _back(person, "documents")
    return render_detail(request, person, document_form=form)


@login_required
@require_POST
def document_remove(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    person = _editable(request, pk)
    document = policy.get_for(request.user, IdentityDocument.objects.filter(person=person), "delete",
                              pk=document_pk, request=request)
    services.remove_document(request.user, document, request=request)
    messages.success(request, _("The document is removed."))
    return _back(person, "documents")


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.set_photo(request.user, person, form.cleaned_data["photo"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The photo is saved."))
            return _back(person, "photo")
    return render_detail(request, person, photo_form=form)


@login_required
@require_POST
def photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable(request, pk)
    services.set_photo(request.user, person, None, request=request)
    messages.success(request, _("The photo is removed."))
    return _back(person, "photo")


@login_required
@require_POST
def programme_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a person known to another of the user's programmes (its staff will see the record)."""
    person = _editable(request, pk)
    registered = set(person.registrations.values_list("programme", flat=True))
    choices = programme_choices([code for code in request.user.programmes or [] if code not in registered])
    form = ProgrammeForm(request.POST, choices=choices)
    if form.is_valid():
        services.add_to_programme(request.user, person, form.cleaned_data["programme"], request=request)
        messages.success(request, _("The person is registered in your programme."))
        return _back(person, "programmes")
    return render_detail(request, person, programme_form=form)


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo, only through the policy: files are never served from a public folder.

    Read whole (at most 5 MB) rather than streamed, so no file handle outlives the request.
    """
    person = policy.get_for(request.user, Person, "view", pk=pk, request=request)
    extension = person.photo.name.rsplit(".", 1)[-1].lower() if person.photo else ""
    if extension not in PHOTO_CONTENT_TYPES:
        raise Http404
    try:
        with person.photo.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(content, content_type=PHOTO_CONTENT_TYPES[extension])
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Editing ------------------------------------------------------------------------------------
def _differences(saved: Person, data: dict) -> list[tuple[str, str]]:
    """(label, saved value) of each field where the saved record differs from what the user submitted."""
    mine = copy.copy(saved)
    for name, value in data.items():
        setattr(mine, name, value)
    services.fill_latin(mine)
    with contextlib.suppress(ValidationError):  # invalid input cannot have been saved: nothing to compare
        mine.clean()
    return [
        (capfirst(Person._meta.get_field(name).verbose_name), display_value(saved, name))
        for name in services.PERSON_FIELDS
        if name != "latin_is_custom" and getattr(mine, name) != getattr(saved, name)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a person; if someone else saved meanwhile, nothing is written and both versions are shown."""
    person = _editable(request, pk)
    reference, name = person.reference, str(person)
    form = EditForm(request.POST or None, instance=person)
    conflict: list[tuple[str, str]] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update(request.user, person, form.person_data(), version=form.cleaned_data["version"],
                            request=request)
        except services.ConflictError:
            saved = _editable(request, pk)
            conflict = _differences(saved, form.person_data())
            reference, name = saved.reference, str(saved)
            data = request.POST.copy()
            data["version"] = str(saved.version)  # saving again, knowingly, keeps the user's version
            form = EditForm(data, instance=saved)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("people:detail", pk=pk)
    return render(request, "people/edit.html", {
        "form": form, "pk": pk, "reference": reference, "name": name, "conflict": conflict,
    })
