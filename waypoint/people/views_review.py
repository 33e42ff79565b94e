"""Programme managers' review pages: possible duplicates found by the scan, merging two records, undoing.

Every page needs the MERGE_PEOPLE capability (404 and audited otherwise) and works only on what the
policy puts in the manager's scope. A pair of which the manager sees only one side shows that side and,
for the other, only which programme knows it and whom to ask: never a name, reference or date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record

from . import codes, explain, lookup, merging
from .duplicates import compare_people
from .matching import Match, Reason
from .models import BirthDatePrecision, DuplicatePair, Person, PersonAlias, PersonMerge, ReviewStatus

PAGE_SIZE = 20


# --- Presentation -------------------------------------------------------------------------------
def person_url(pk: int) -> str:
    """The person page (the registry's route; its path as a fallback while that module is absent)."""
    try:
        return reverse("people:detail", args=[pk])
    except NoReverseMatch:
        return f"/people/{pk}/"


def birth_text(person: Person) -> str:
    """The date of birth as precise as it is known, and no more."""
    if not person.birth_date:
        return ""
    if person.birth_date_precision == BirthDatePrecision.EXACT:
        return person.birth_date.isoformat()
    if person.birth_date_precision == BirthDatePrecision.ESTIMATED:
        return _("about %(year)d (estimated)") % {"year": person.birth_date.year}
    return str(person.birth_date.year)


def reason_rows(reasons: list[Reason]) -> list[tuple[str, str]]:
    """(text, "for" | "against" | "neutral") for the list of reasons."""
    return [
        (explain.describe(r), "for" if r.weight > 0 else "against" if r.weight < 0 else "neutral") for r in reasons
    ]


def stored_reasons(pair: DuplicatePair) -> list[Reason]:
    return [
        Reason(str(item.get("field", "")), str(item.get("code", "")), float(item.get("weight", 0)))
        for item in pair.reasons or []
        if isinstance(item, dict)
    ]


@dataclass
class Card:
    """One side of a comparison: the facts a manager needs to tell two records apart."""

    person: Person

    @property
    def url(self) -> str:
        return person_url(self.person.pk)

    @property
    def birth(self) -> str:
        return birth_text(self.person)

    @property
    def citizenships(self) -> str:
        return ", ".join(codes.country_name(code) for code in self.person.citizenships or [])

    @property
    def other_names(self) -> list[str]:
        return [str(alias) for alias in self.person.aliases.all()]

    @property
    def programmes(self) -> str:
        return ", ".join(sorted({r.get_programme_display() for r in self.person.registrations.all()}))


@dataclass
class Side:
    """A side of a pair: the card when the manager may see the person, else only whom to ask."""

    card: Card | None = None
    hidden: list[lookup.HiddenMatch] = field(default_factory=list)


@dataclass
class PairRow:
    pair: DuplicatePair
    left: Side
    right: Side
    reasons: list[tuple[str, str]]

    @property
    def percent(self) -> int:
        return round(self.pair.score * 100)

    @property
    def both_visible(self) -> bool:
        return self.left.card is not None and self.right.card is not None


def _people_for_cards(user, ids) -> dict[int, Person]:
    """The persons among `ids` the user may change, with what the cards show, in few queries."""
    aliases = PersonAlias.objects.only("person_id", "given_name", "family_name", "patronymic")
    people = (
        policy.visible_people(user, "change")
        .filter(pk__in=ids)
        .annotate(document_count=Count("documents", distinct=True))
        .prefetch_related(Prefetch("aliases", queryset=aliases), "registrations")
    )
    return {person.pk: person for person in people}


def _audit_views(request: HttpRequest, people) -> None:
    """Each record shown on a review page is a view of that person's data (one commit for the page)."""
    with transaction.atomic():
        for person in people:
            record(Action.VIEW, person, actor=request.user, request=request)


# --- Forms ----------------------------------------------------------------------------------------
class OtherRecordForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Reference of the other record"), max_length=20,
        help_text=gettext_lazy("As on its page, for example P-0000042."),
    )

    def clean_reference(self) -> int:
        found = lookup.REFERENCE.match(self.cleaned_data["reference"])
        if not found:
            raise ValidationError(_("Enter a record reference such as P-0000042."), code="invalid")
        return int(found.group(1))


class MergeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why are these the same person?"), max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Kept with the merge, for whoever reviews it later (for example: same passport number). "
            "Do not write personal details here."
        ),
    )


# --- Pages ----------------------------------------------------------------------------------------
@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Open pairs of the manager's programmes, best score first."""
    user = request.user
    policy.require(user, policy.MERGE_PEOPLE, request=request)
    pairs = policy.scope(
        user,
        DuplicatePair.objects.filter(
            status=ReviewStatus.OPEN, first__merged_into__isnull=True, second__merged_into__isnull=True
        ),
    ).order_by("-score", "id")
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    ids = {pk for pair in shown for pk in (pair.first_id, pair.second_id)}
    people = _people_for_cards(user, ids)
    rows = []
    for pair in shown:
        sides = []
        for pk in (pair.first_id, pair.second_id):
            person = people.get(pk)
            sides.append(Side(card=Card(person)) if person else Side(hidden=lookup.hidden_matches([pk])))
        rows.append(PairRow(pair, sides[0], sides[1], reason_rows(stored_reasons(pair))))
    page.object_list = rows
    _audit_views(request, people.values())
    return render(request, "people/review/duplicates.html", {"page": page})


@login_required
@require_POST
def duplicate_not_same(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the two records are different people: the scan will not propose them again."""
    user = request.user
    policy.require(user, policy.MERGE_PEOPLE, request=request)
    pair = policy.get_for(user, DuplicatePair, "change", pk=pk, request=request)
    mine = policy.visible_people(user, "change").filter(pk__in=[pair.first_id, pair.second_id]).count()
    if mine != 2:
        # Deciding needs both records in view: whoever sees only one side asks the other programme.
        policy.record_denial(user, "people.duplicatepair", str(pk), request)
        messages.error(request, _("You can decide only on pairs whose two records you can see."))
        return redirect("people:duplicates")
    if pair.status == ReviewStatus.OPEN:
        pair.status, pair.reviewed_by, pair.reviewed_at = ReviewStatus.NOT_SAME, user, timezone.now()
        pair.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        record(
            Action.UPDATE, pair, actor=user, request=request,
            changes={"status": [ReviewStatus.OPEN.value, ReviewStatus.NOT_SAME.value]},
        )
        messages.success(request, _("Marked as different people: this pair will not be proposed again."))
    return redirect("people:duplicates")


@login_required
@require_GET
def merge_start(request: HttpRequest, pk: int) -> HttpResponse:
    """From a person's page: which other record is the same person?"""
    user = request.user
    policy.require(user, policy.MERGE_PEOPLE, request=request)
    person = policy.get_for(user, Person, "change", pk=pk, request=request)
    form = OtherRecordForm(request.GET or None)
    if person.merged_into_id:
        messages.error(request, _("This record has already been merged into another one."))
        return redirect(person_url(person.pk))
    if form.is_bound and form.is_valid():
        other_pk = form.cleaned_data["reference"]
        other = policy.visible_people(user, "change").filter(pk=other_pk).first()
        if other is None:
            policy.record_denial(user, "people.person", str(other_pk), request)
            form.add_error("reference", _("No record with this reference in your programmes."))
        elif other.pk == person.pk:
            form.add_error("reference", _("That is this record: enter the other one."))
        elif other.merged_into_id:
            form.add_error("reference", _("That record has already been merged into another one."))
        else:
            return redirect("people:merge_confirm", survivor=person.pk, absorbed=other.pk)
    return render(
        request, "people/review/merge_start.html", {"person": person, "card": Card(person), "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge_confirm(request: HttpRequest, survivor: int, absorbed: int) -> HttpResponse:
    """Both records side by side, the matcher's opinion, and the merge itself (with a reason)."""
    user = request.user
    policy.require(user, policy.MERGE_PEOPLE, request=request)
    for pk in (survivor, absorbed):
        policy.get_for(user, Person, "change", pk=pk, request=request)
    people = _people_for_cards(user, [survivor, absorbed])
    keeper, other = people[survivor], people[absorbed]
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merge = merging.merge(user, keeper, other, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(absorbed)s was merged into %(survivor)s. The merge can be undone from the list of merges.")
                % {"absorbed": other.reference, "survivor": keeper.reference},
            )
            return redirect(person_url(merge.survivor_id))
    match: Match = compare_people(keeper, other) if survivor != absorbed else Match(1.0)
    if request.method == "GET":
        _audit_views(request, (keeper, other))
    context = {
        "survivor": Card(keeper),
        "absorbed": Card(other),
        "form": form,
        "percent": round(match.score * 100),
        "likely": match.same_person,
        "reasons": reason_rows(match.reasons),
        "blocked": survivor == absorbed or bool(keeper.merged_into_id or other.merged_into_id),
        "swap_url": reverse("people:merge_confirm", kwargs={"survivor": absorbed, "absorbed": survivor}),
    }
    return render(request, "people/review/merge_confirm.html", context)


@login_required
@require_GET
def merge_list(request: HttpRequest) -> HttpResponse:
    """Merges of records of the manager's programmes, newest first, with an undo for each."""
    user = request.user
    policy.require(user, policy.MERGE_PEOPLE, request=request)
    merges = policy.scope(user, PersonMerge.objects.select_related("merged_by", "undone_by")).order_by(
        "-merged_at", "-id"
    )
    page = Paginator(merges, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    ids = {pk for merge in shown for pk in (merge.survivor_id, merge.absorbed_id)}
    visible = {
        person.pk: person
        for person in policy.visible_people(user).filter(pk__in=ids).only(
            "id", "given_name", "family_name", "patronymic", "merged_into_id"
        )
    }
    undoable = set(
        policy.scope(user, PersonMerge.objects.filter(pk__in=[m.pk for m in shown], undone_at__isnull=True), "change")
        .values_list("pk", flat=True)
    )
    page.object_list = [
        {
            "merge": merge,
            "survivor": visible.get(merge.survivor_id),
            "absorbed": visible.get(merge.absorbed_id),
            "survivor_url": person_url(merge.survivor_id),
            "absorbed_url": person_url(merge.absorbed_id),
            "undoable": merge.pk in undoable,
        }
        for merge in shown
    ]
    return render(request, "people/review/merges.html", {"page": page})


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    policy.require(user, policy.MERGE_PEOPLE, request=request)
    merge = policy.get_for(user, PersonMerge, "change", pk=pk, request=request)
    try:
        merging.unmerge(user, merge, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The merge is undone: %(absorbed)s is a record of its own again.")
            % {"absorbed": merge.absorbed.reference},
        )
    return redirect("people:merges")
