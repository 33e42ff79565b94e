"""Finding persons: duplicate candidates while registering, and the one-box search.

Both run in two steps: the matching index (`NameKey`) gives a bounded set of candidate ids, then the
scorer (`matching.compare`, the same one `pair_score` exposes) ranks them against every name form of each
candidate. Selective keys are tried first; broad keys (one name word) only when they are needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from waypoint.accounts import policy
from waypoint.accounts.models import Role, User
from waypoint.core.crypto import blind_index

from .index import BROAD_KINDS, KINDS, person_records, query_keys
from .matching import SAME_PERSON_THRESHOLD, Match, Reason, compare
from .models import IdentityDocument, NameKey, Person, PersonAlias, ProgrammeRegistration
from .validation import normalise_document_number

CANDIDATE_LIMIT = 200  # ids fetched per tier: bounds the scoring work whatever the registry's size
# Key kinds tried in turn until a candidate reaches the threshold: family + given name; family + birth year
# (a typo in the given name); then single name words (a typo in the family name, or a single name). At a
# million persons a birth-year key matches hundreds: trying it only when needed keeps most look-ups small.
TIERS = (frozenset({KINDS["f"]}), frozenset({KINDS["y"], KINDS["p"]}), BROAD_KINDS)
REFERENCE = re.compile(r"^\s*P-?0*(\d{1,12})\s*$", re.IGNORECASE)
_SCORING_FIELDS = (
    "id", "given_name", "family_name", "patronymic", "given_name_latin", "family_name_latin",
    "patronymic_latin", "sex", "birth_date", "birth_date_precision", "citizenships", "merged_into_id",
)


@dataclass
class Candidate:
    person: Person
    match: Match

    @property
    def score(self) -> float:
        return self.match.score

    @property
    def reasons(self) -> list[Reason]:
        return self.match.reasons


@dataclass
class HiddenMatch:
    """A likely match the user may not see: only the programme and whom to ask, never the person."""

    programme: str
    programme_label: str
    managers: list[User] = field(default_factory=list)


def _best_match(record: Mapping[str, object], person: Person) -> Match:
    best: Match | None = None
    citizenship = str(record.get("citizenship") or "")
    for form in person_records(person, getattr(person, "scoring_aliases", None)):
        if citizenship and citizenship in (person.citizenships or []):
            form["citizenship"] = citizenship
        match = compare(record, form)
        if best is None or match.score > best.score:
            best = match
    return best or Match(0.0)


def _scoring_queryset(queryset: QuerySet[Person]) -> QuerySet[Person]:
    aliases = PersonAlias.objects.only("person_id", "given_name", "family_name", "patronymic")
    # A plain list (to_attr): a prefetched manager per candidate costs as much as scoring the candidate.
    return queryset.only(*_SCORING_FIELDS).prefetch_related(
        Prefetch("aliases", queryset=aliases, to_attr="scoring_aliases")
    )


def _ids_for(keys: Iterable[int], within: QuerySet[Person] | None, limit: int) -> list[int]:
    """Persons sharing the most keys first: when more than `limit` share one, the closest are kept."""
    keys = list(keys)
    if not keys:
        return []
    shared = (
        NameKey.objects.filter(key__in=keys).values("person_id").annotate(shared=Count("*"))  # index only
        .order_by("-shared", "person_id").values_list("person_id", flat=True)
    )  # fmt: skip
    if within is None:
        return list(shared[:limit])
    ids = list(shared[: limit * 4])
    allowed = set(within.filter(pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk in allowed][:limit]


def rank(record: Mapping[str, object], people: Iterable[Person]) -> list[Candidate]:
    """Score each person against the record, best first; records merged away are left out."""
    candidates = [Candidate(p, _best_match(record, p)) for p in people if p.merged_into_id is None]
    candidates.sort(key=lambda c: (-c.score, c.person.family_name, c.person.given_name, c.person.pk))
    return candidates


def _candidates(record: Mapping[str, object], within: QuerySet[Person] | None, exclude: int | None) -> list[Candidate]:
    keys = query_keys(record)
    ranked: list[Candidate] = []
    seen: set[int] = set()
    for kinds in TIERS:
        ids = [pk for pk in _ids_for([k for k, kind in keys.items() if kind in kinds], within, CANDIDATE_LIMIT)
               if pk not in seen]  # fmt: skip
        seen.update(ids)
        if ids:
            ranked = sorted(
                ranked + rank(record, _scoring_queryset(Person.objects.filter(pk__in=ids))),
                key=lambda c: (-c.score, c.person.family_name, c.person.given_name, c.person.pk),
            )
        if ranked and ranked[0].score >= SAME_PERSON_THRESHOLD:
            break  # convincing: the next tiers would only add weaker candidates
    return [c for c in ranked if c.person.pk != exclude]


def duplicate_candidates(
    user: User, record: Mapping[str, object], *, limit: int = 5, minimum: float = 0.2, exclude: int | None = None,
) -> tuple[list[Candidate], list[HiddenMatch]]:
    """Closest existing persons for a registration being typed.

    Returns the candidates the user may see (best first, at most `limit`, scoring at least `minimum`)
    and, for likely matches (at or above the threshold) the user may not see, only the programmes
    that know them and those programmes' managers.
    """
    ranked = [c for c in _candidates(record, None, exclude) if c.score >= minimum]
    if not ranked:
        return [], []
    visible_ids = set(
        policy.visible_people(user).filter(pk__in=[c.person.pk for c in ranked]).values_list("pk", flat=True)
    )
    visible = [c for c in ranked if c.person.pk in visible_ids][:limit]
    hidden_ids = [c.person.pk for c in ranked if c.person.pk not in visible_ids and c.score >= SAME_PERSON_THRESHOLD]
    return visible, hidden_matches(hidden_ids)


def hidden_matches(person_ids: list[int]) -> list[HiddenMatch]:
    if not person_ids:
        return []
    programmes = sorted(
        set(ProgrammeRegistration.objects.filter(person_id__in=person_ids).values_list("programme", flat=True))
    )
    managers = list(
        User.objects.filter(role=Role.PROGRAMME_MANAGER, is_active=True).order_by("last_name", "first_name")
    )
    labels = dict(ProgrammeRegistration._meta.get_field("programme").choices)
    return [
        HiddenMatch(
            programme=code,
            programme_label=str(labels.get(code, code)),
            managers=[m for m in managers if code in (m.programmes or [])],
        )
        for code in programmes
    ]


def search(user: User, text: str, *, limit: int = 20) -> list[Candidate]:
    """One box: a record reference (P-0000042), a document number (exact), or a name in any spelling.

    Names are read as "family given patronymic" and also in the other order; results are limited to
    the people the user may see and ranked by the matcher.
    """
    text = (text or "").strip()
    if not text:
        return []
    visible = policy.visible_people(user)
    found: dict[int, Candidate] = {}
    reference = REFERENCE.match(text)
    if reference:
        for person in _scoring_queryset(visible.filter(pk=int(reference.group(1)))):
            found[person.pk] = Candidate(person, Match(1.0, [Reason("reference", "same", 0.0)]))
    number = normalise_document_number(text)
    if any(ch.isdigit() for ch in number) and len(number) >= 4:
        index = blind_index(number, purpose="identity-document-number")
        owners = IdentityDocument.objects.filter(number_index=index).values("person_id")
        for person in _scoring_queryset(visible.filter(pk__in=owners)):
            found.setdefault(person.pk, Candidate(person, Match(1.0, [Reason("document", "same", 0.0)])))
    words = [w for w in re.split(r"[\s,]+", text) if w and not any(ch.isdigit() for ch in w)]
    if words:
        record = {"family": words[0], "given": " ".join(words[1:2]), "patronymic": " ".join(words[2:])}
        for candidate in _candidates(record, visible, None):
            found.setdefault(candidate.person.pk, candidate)
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.person.family_name, c.person.given_name))
    return [c for c in ranked if c.person.merged_into_id is None][:limit]
