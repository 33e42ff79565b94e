"""Sections of the case page, contributed by the apps that own them.

The case page (`cases:detail`) shows the core (status, members, timeline) and then every panel
registered for the case's programme, in `order`. A programme app registers its own panels in
`AppConfig.ready()`: the core never imports a programme. A panel's `context(request, case)` returns
the template's context, or None to leave the panel out (nothing to show to this user).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .models import Case


@dataclass(frozen=True)
class Panel:
    key: str  # the section's HTML id
    template: str
    context: Callable[[HttpRequest, Case], dict[str, Any] | None]
    order: int = 100
    programmes: tuple[str, ...] = ()  # empty: every programme


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def panels_for(case: Case) -> list[Panel]:
    return sorted((p for p in _PANELS.values() if not p.programmes or case.programme in p.programmes),
                  key=lambda p: (p.order, p.key))


def render_panels(request: HttpRequest, case: Case) -> list[SafeString]:
    """Each panel rendered with its context; panels whose context is None are left out."""
    rendered = []
    for panel in panels_for(case):
        context = panel.context(request, case)
        if context is None:
            continue
        rendered.append(render_to_string(panel.template, {"case": case, "panel": panel, **context}, request=request))
    return rendered
