"""Case workflows: the statuses a programme's case goes through and the steps between them.

A programme app registers its workflow in `AppConfig.ready()` (`register(Programme.X, Workflow(...))`);
the case core never imports a programme. A programme without one gets `DEFAULT`: open and closed.
A transition may carry guards: functions that look at the case and return the reasons it may not be
taken now (an empty list: it may). `cases.casework.transition` runs them under a row lock and audits
each step, taken or refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Case

Guard = Callable[["Case"], list[str]]


@dataclass(frozen=True)
class State:
    code: str
    label: Promise
    closed: bool = False  # a closed state sets `closed_on` and takes a closure reason


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: tuple[str, ...]
    target: str
    guards: tuple[Guard, ...] = ()
    needs_note: bool = False  # the user must say why (reopening, putting on hold)
    # The user says on which day it happened (an interview, a departure): programme statistics count by that day.
    dated: bool = False
    # For a closing step, the codes of the workflow's closure reasons it may give (empty: any of them): a
    # withdrawal is not closed as "completed".
    closure_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workflow:
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...]
    closure_reasons: tuple[tuple[str, Promise], ...] = ()
    # The kinds of support a goal of the case plan may name (CT: the HTCDS support plan types); empty: none.
    plan_types: tuple[tuple[str, Promise], ...] = ()
    by_code: dict[str, State] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_code", {state.code: state for state in self.states})
        codes = set(self.by_code)
        reasons = {code for code, _label in self.closure_reasons}
        for transition in self.transitions:
            unknown = (set(transition.sources) | {transition.target}) - codes
            if unknown:
                raise ValueError(f"Transition {transition.action!r} names unknown states: {sorted(unknown)}")
            if set(transition.closure_reasons) - reasons:
                raise ValueError(f"Transition {transition.action!r} names unknown closure reasons")
        if self.initial not in codes:
            raise ValueError(f"Unknown initial state {self.initial!r}")

    def label(self, code: str) -> str:
        state = self.by_code.get(code)
        return str(state.label) if state else code

    def is_closed(self, code: str) -> bool:
        state = self.by_code.get(code)
        return bool(state and state.closed)

    def available(self, status: str) -> list[Transition]:
        return [t for t in self.transitions if status in t.sources]

    def get(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    def reasons_for(self, step: Transition) -> tuple[tuple[str, Promise], ...]:
        """The closure reasons a closing step may give."""
        if not step.closure_reasons:
            return self.closure_reasons
        return tuple((code, label) for code, label in self.closure_reasons if code in step.closure_reasons)

    def closure_label(self, code: str) -> str:
        return str(dict(self.closure_reasons).get(code, code))

    def plan_type_label(self, code: str) -> str:
        return str(dict(self.plan_types).get(code, code))

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(state.code, str(state.label)) for state in self.states]

    def open_states(self) -> list[str]:
        return [state.code for state in self.states if not state.closed]

    def closed_states(self) -> list[str]:
        return [state.code for state in self.states if state.closed]


DEFAULT = Workflow(
    states=(State("open", _("Open")), State("closed", _("Closed"), closed=True)),
    initial="open",
    transitions=(
        Transition("close", _("Close the case"), ("open",), "closed"),
        Transition("reopen", _("Reopen the case"), ("closed",), "open", needs_note=True),
    ),
    closure_reasons=(("completed", _("Assistance completed")), ("other", _("Other"))),
)

_WORKFLOWS: dict[str, Workflow] = {}


def register(programme: str, workflow: Workflow) -> None:
    _WORKFLOWS[programme] = workflow


def workflow_for(programme: str) -> Workflow:
    return _WORKFLOWS.get(programme, DEFAULT)


def all_status_choices(programmes: Sequence[str]) -> list[tuple[str, str]]:
    """Every status of these programmes' workflows, once each (for a list filter)."""
    seen: dict[str, str] = {}
    for programme in programmes:
        for code, label in workflow_for(programme).choices:
            seen.setdefault(code, label)
    return list(seen.items())
