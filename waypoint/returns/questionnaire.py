"""The profiling questionnaire: answers per case and the category derived from them.

The rule (docs/returns.md): every answered single-choice question whose chosen option points to a category
gives that category one vote. The category with the most votes is the person's; a tie goes to the tied category
named by the earliest question (lowest order) among those that voted. No vote: no category (not determined).

Submitting the questionnaire replaces the case's answers as a whole, on the version the form was opened at.
Every active required question must be answered: otherwise nothing is saved and each missing question is named
on its own field (the question's code).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import timeline
from waypoint.cases.casework import refused
from waypoint.cases.locking import ConflictError, locked_current
from waypoint.cases.models import Case

from .models import Answer, Category, Question, QuestionKind, QuestionOption, ReturnProfile

TEXT_MAX = 2000
NUMBER_MAX = Decimal("9999999999.99")
YES, NO = "yes", "no"


def active_questions() -> list[Question]:
    return list(Question.objects.filter(active=True).prefetch_related("options").order_by("order", "id"))


def derive_category(chosen: list[tuple[Question, QuestionOption]]) -> str:
    """The documented rule: most votes; a tie goes to the earliest question's category among the tied."""
    votes = [(question.order, question.pk, option.category) for question, option in chosen if option.category]
    if not votes:
        return ""
    counts = Counter(category for _order, _pk, category in votes)
    best = max(counts.values())
    tied = {category for category, count in counts.items() if count == best}
    return next(category for _order, _pk, category in sorted(votes) if category in tied)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse(question: Question, value: Any, options: dict[str, QuestionOption]) -> tuple[dict[str, Any], str]:
    """The answer's columns, or an error message naming the question."""
    if question.kind == QuestionKind.CHOICE:
        option = options.get(str(value).strip())
        if option is None:
            return {}, _("“%(question)s”: choose one of the answers offered.") % {"question": question.text}
        return {"option": option}, ""
    if question.kind == QuestionKind.YES_NO:
        text = {True: YES, False: NO}.get(value) if isinstance(value, bool) else str(value).strip().lower()
        if text not in (YES, NO):
            return {}, _("“%(question)s”: answer yes or no.") % {"question": question.text}
        return {"text": text}, ""
    if question.kind == QuestionKind.NUMBER:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) > NUMBER_MAX:
            return {}, _("“%(question)s”: give a number, e.g. 14.") % {"question": question.text}
        return {"number": number.quantize(Decimal("0.01"))}, ""
    text = str(value).strip()
    if len(text) > TEXT_MAX:
        return {}, _("“%(question)s”: the answer is longer than %(max)d characters.") % {
            "question": question.text, "max": TEXT_MAX}
    return {"text": text}, ""


def validate(answers: dict[str, Any]) -> tuple[list[tuple[Question, dict[str, Any]]], dict[str, list[str]]]:
    """The answers to save (question, columns) and the errors by question code: missing required answers, values
    of the wrong kind, and codes that are no active question."""
    questions = active_questions()
    known = {question.code for question in questions}
    errors: dict[str, list[str]] = {}
    rows = []
    for code in answers:
        if code not in known:
            errors[code] = [_("There is no active question with the code “%(code)s”.") % {"code": code}]
    for question in questions:
        value = answers.get(question.code)
        if _blank(value):
            if question.required:
                errors[question.code] = [_("Answer the question “%(question)s”: it is required.") % {
                    "question": question.text}]
            continue
        columns, problem = _parse(question, value, {option.code: option for option in question.options.all()})
        if problem:
            errors[question.code] = [problem]
        else:
            rows.append((question, columns))
    return rows, errors


def answer_text(answer: Answer) -> str:
    if answer.option_id:
        return answer.option.text
    if answer.number is not None:
        return f"{answer.number.normalize():f}"
    if answer.question.kind == QuestionKind.YES_NO:
        return _("yes") if answer.text == YES else _("no")
    return answer.text


def missing_required(case: Case) -> list[Question]:
    """Active required questions the case has no answer to (the guard before counselling)."""
    answered = set(case.return_answers.values_list("question_id", flat=True))
    return [q for q in Question.objects.filter(active=True, required=True).order_by("order", "id")
            if q.pk not in answered]


def record_answers(user: User, case: Case, answers: dict[str, Any], *, version: int, request=None) -> ReturnProfile:
    """Save the whole questionnaire (replacing earlier answers) and the derived category; version 0 for the first
    time. ValidationError names each refused question; ConflictError when someone saved meanwhile."""
    case = policy.get_for(user, Case.objects.filter(programme=Programme.RETURN), "change", pk=case.pk,
                          request=request)
    if case.is_closed:
        raise ValidationError(_("Case %(reference)s is closed: reopen it before recording anything new.")
                              % {"reference": case.reference})
    rows, errors = validate(answers)
    if errors:
        refused(user, case, "questionnaire", sorted(f"question:{code}" for code in errors), request=request)
        raise ValidationError(errors)
    try:
        return _save(user, case, rows, version, request)
    except ConflictError:
        refused(user, case, "questionnaire", ["stale_version"], request=request)
        raise


def _save(user: User, case: Case, rows: list[tuple[Question, dict[str, Any]]], version: int,
          request) -> ReturnProfile:
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        existing = ReturnProfile.objects.filter(case=case).values_list("pk", flat=True).first()
        if existing is None:
            if version is None or int(version) != 0:
                raise ConflictError(ReturnProfile(case=case, version=0, answered_on=timezone.localdate()))
            profile = ReturnProfile(case=case, version=0)
            before = ""
        else:
            profile = locked_current(ReturnProfile.objects.all(), existing, version)
            before = profile.category
        category = derive_category([(question, columns["option"]) for question, columns in rows
                                    if "option" in columns])
        case.return_answers.all().delete()
        Answer.objects.bulk_create([Answer(case=case, question=question, **columns) for question, columns in rows])
        profile.category, profile.answered_on, profile.updated_by = category, timezone.localdate(), user
        profile.version += 1
        profile.save()
        record(Action.CREATE if existing is None else Action.UPDATE, profile, actor=user, request=request, changes={
            "case": [None, case.reference], "category": [before or None, category or None],
            "answers": [None, str(len(rows))]})
        label = dict(Category.choices).get(category) if category else _("not determined")
        timeline.log(case, timeline.PROFILE, _("Profiling questionnaire answered (%(count)d answers); category: "
                                               "%(category)s.") % {"count": len(rows), "category": label},
                     actor=user, obj=profile)
    return profile
