"""Records elsewhere that refer to a person (cases, referrals), shown on the person page.

The registry does not know the apps that point at it: each registers a provider here, usually in its
`AppConfig.ready()`. A provider is called with the user and the person and must return only what that
user may see (build it on `policy.scope`), because this page shows whatever comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from waypoint.accounts.models import User

    from .models import Person


@dataclass(frozen=True)
class Related:
    """One line of the "Cases" section: what it is, where it opens, and a short detail (status, date).

    An `action` is a link to do something (record a consent), not a record: the page shows actions as
    buttons under the list, and "nothing refers to this person" still holds when only actions came back."""

    label: str
    url: str
    detail: str = ""
    action: bool = False


Provider = Callable[["User", "Person"], Iterable[Related]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (once); returns it, so that it can be used as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    """Remove a provider (tests, and apps that are switched off)."""
    if provider in _providers:
        _providers.remove(provider)


def related_to(user: User, person: Person) -> list[Related]:
    """Everything the registered providers let this user see about this person, in registration order
    (records and actions; see `records` and `actions`)."""
    found: list[Related] = []
    for provider in _providers:
        found.extend(provider(user, person))
    return found


def records(found: list[Related]) -> list[Related]:
    return [item for item in found if not item.action]


def actions(found: list[Related]) -> list[Related]:
    return [item for item in found if item.action]
