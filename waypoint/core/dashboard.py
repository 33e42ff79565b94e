"""Widgets of the landing dashboard, contributed by the apps that own the figures.

The dashboard (`core:dashboard`) shows who is signed in and then every registered widget, in `order`.
An app registers its widgets in `AppConfig.ready()` (core never imports an app's models): a widget is a
template and a `context(request)` function that returns the template's context, or None when the widget is
not for this user (another role, another programme, nothing they may see). Context functions count only
through `accounts.policy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Widget:
    key: str  # the section's HTML id
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


_WIDGETS: dict[str, Widget] = {}


def register(widget: Widget) -> None:
    """Add (or replace, by key) a widget."""
    _WIDGETS[widget.key] = widget


def widgets() -> list[Widget]:
    return sorted(_WIDGETS.values(), key=lambda widget: (widget.order, widget.key))


def render_widgets(request: HttpRequest) -> list[SafeString]:
    """Each widget for this user rendered; widgets whose context is None are left out."""
    rendered = []
    for widget in widgets():
        context = widget.context(request)
        if context is None:
            continue
        rendered.append(render_to_string(widget.template, {"widget": widget, **context}, request=request))
    return rendered
