"""The case's plan: goals (with a type of support) and tasks (with a due date and someone to do them).

Written like the rest of case work (see `casework`): access first, then one transaction with the audit event and
the timeline line; edits carry their form's version and a stale one is refused and audited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record

from . import timeline
from .casework import _case_to_change, _short, display_name, owner_choices, refused
from .locking import ConflictError, bump, locked_current
from .models import Case, Goal, GoalStatus, Task
from .workflow import workflow_for

TITLE_MAX = 500


def _title_errors(title: str, field: str = "title") -> dict[str, list[str]]:
    if not title:
        return {field: [_("Write what it is.")]}
    if len(title) > TITLE_MAX:
        return {field: [_("Keep it shorter (at most %(count)d characters).") % {"count": TITLE_MAX}]}
    return {}


def _goal_errors(case: Case, title: str, plan_type: str, status: str) -> dict[str, list[str]]:
    errors = _title_errors(title)
    types = dict(workflow_for(case.programme).plan_types)
    if plan_type and plan_type not in types:
        errors["plan_type"] = [_("Choose a type of support from the list.")]
    if status not in GoalStatus.values:
        errors["status"] = [_("Unknown status.")]
    return errors


def add_goal(user: User, case: Case, *, title: str, plan_type: str = "", target_on: datetime.date | None = None,
             request=None) -> Goal:
    case = _case_to_change(user, case, request)
    title, plan_type = (title or "").strip(), plan_type or ""
    errors = _goal_errors(case, title, plan_type, GoalStatus.OPEN)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        goal = Goal.objects.create(case=case, title=title, plan_type=plan_type, target_on=target_on, created_by=user)
        record(Action.CREATE, goal, actor=user, request=request, changes={
            "case": [None, str(case.pk)], "title": None, "plan_type": [None, plan_type or None],
            "target_on": [None, target_on.isoformat() if target_on else None]})
        timeline.log(case, timeline.PLAN, _("Goal added: %(title)s.") % {"title": _short(title)}, actor=user, obj=goal)
    return goal


def edit_goal(user: User, goal: Goal, *, version: int, title: str, plan_type: str, status: str,
              target_on: datetime.date | None, request=None) -> Goal:
    """Save the goal form opened at `version`; achieving a goal dates it, reopening it clears the date."""
    goal = policy.get_for(user, Goal.objects.select_related("case"), "change", pk=goal.pk, request=request)
    title, plan_type = (title or "").strip(), plan_type or ""
    try:
        with transaction.atomic():
            current = locked_current(Goal.objects.select_related("case"), goal.pk, version)
            errors = _goal_errors(current.case, title, plan_type, status)
            if errors:
                raise ValidationError(errors)
            fields = ("title", "plan_type", "status", "target_on", "achieved_on")
            before = {name: getattr(current, name) for name in fields}
            old_status = current.status
            current.title, current.plan_type, current.status, current.target_on = title, plan_type, status, target_on
            if status == GoalStatus.ACHIEVED and old_status != GoalStatus.ACHIEVED:
                current.achieved_on = timezone.localdate()
            elif status != GoalStatus.ACHIEVED:
                current.achieved_on = None
            changes = changed_fields(before, {name: getattr(current, name) for name in fields}, sensitive=("title",))
            if not changes:
                return current
            bump(current, list(fields))
            record(Action.UPDATE, current, actor=user, request=request, changes=changes)
            if status != old_status:
                line = {GoalStatus.ACHIEVED: _("Goal achieved: %(title)s."),
                        GoalStatus.DROPPED: _("Goal dropped: %(title)s."),
                        GoalStatus.OPEN: _("Goal reopened: %(title)s.")}[status]
            else:
                line = _("Goal edited: %(title)s.")
            timeline.log(current.case, timeline.PLAN, line % {"title": _short(title)}, actor=user, obj=current)
            return current
    except ConflictError:
        refused(user, goal, "edit", ["stale_version"], request=request)
        raise


def add_task(user: User, case: Case, *, title: str, due_on: datetime.date | None = None,
             assigned_to: User | None = None, goal: Goal | None = None, request=None) -> Task:
    """A step of the plan with a due date, for a member of the programme's staff, under a goal or not."""
    case = _case_to_change(user, case, request)
    title = (title or "").strip()
    errors = _title_errors(title)
    if assigned_to is not None and not owner_choices(case.programme).filter(pk=assigned_to.pk).exists():
        errors["assigned_to"] = [_("Only staff of this programme can be given a task of its cases.")]
    if goal is not None and goal.case_id != case.pk:
        errors["goal"] = [_("Choose a goal of this case.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        task = Task.objects.create(case=case, goal=goal, title=title, due_on=due_on, assigned_to=assigned_to,
                                   created_by=user)
        record(Action.CREATE, task, actor=user, request=request, changes={
            "case": [None, str(case.pk)], "title": None, "goal": [None, str(goal.pk) if goal else None],
            "due_on": [None, due_on.isoformat() if due_on else None],
            "assigned_to": [None, str(assigned_to.pk) if assigned_to else None]})
        details = []
        if due_on:
            details.append(_("due %(date)s") % {"date": due_on.isoformat()})
        if assigned_to:
            details.append(_("for %(name)s") % {"name": display_name(assigned_to)})
        line = _("Task added: %(title)s.") % {"title": _short(title)}
        if details:
            line = _("Task added: %(title)s (%(details)s).") % {"title": _short(title), "details": ", ".join(details)}
        timeline.log(case, timeline.PLAN, line, actor=user, obj=task)
    return task


def set_task_done(user: User, task: Task, *, version: int, done: bool, request=None) -> Task:
    """Mark a task done (dated, by whom) or not done after all."""
    task = policy.get_for(user, Task.objects.select_related("case"), "change", pk=task.pk, request=request)
    try:
        with transaction.atomic():
            current = locked_current(Task.objects.select_related("case"), task.pk, version)
            if bool(current.done_at) == done:
                return current
            current.done_at, current.done_by = (timezone.now(), user) if done else (None, None)
            bump(current, ["done_at", "done_by"])
            record(Action.UPDATE, current, actor=user, request=request,
                   changes={"done": ["no", "yes"] if done else ["yes", "no"]})
            line = _("Task done: %(title)s.") if done else _("Task not done after all: %(title)s.")
            timeline.log(current.case, timeline.PLAN, line % {"title": _short(current.title)}, actor=user, obj=current)
            return current
    except ConflictError:
        refused(user, task, "done" if done else "undone", ["stale_version"], request=request)
        raise
