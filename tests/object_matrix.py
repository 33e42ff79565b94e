"""Checks shared by the programmes' access matrices (`OBJECT_MATRIX` in tests/<app>/test_access.py, in the shape of
tests/accounts/test_policy.py): that `policy.scope` and `policy.can` give exactly the rows a table allows, and that
the matrix covers every rule the app registers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tests.accounts.test_policy import ACTIONS, ALL, NONE, PERSONAS
from waypoint.accounts import policy


def matrix_mismatches(users: Mapping, model, table: Mapping, expected_rows: Callable) -> dict:
    """For every persona and action, what scope and can give beyond or short of `expected_rows(kind, model, user)`
    (empty when they agree). Every kind but NONE must find rows in the world, and a partial one must leave some
    rows out, so that the comparison can fail."""
    every_row = set(model._default_manager.all())
    wrong = {}
    for persona in PERSONAS:
        user = users[persona]
        for index, action in enumerate(ACTIONS):
            kind = table[persona][index]
            expected = expected_rows(kind, model, user)
            if kind != NONE:
                assert expected, f"{persona} {action}: the world must hold rows for this persona"
            if kind not in (ALL, NONE):
                assert expected != every_row, f"{persona} {action}: other people's rows must exist"
            scoped = set(policy.scope(user, model._default_manager.all(), action))
            allowed = {obj for obj in every_row if policy.can(user, action, obj)}
            if scoped != expected:
                wrong[f"{persona}: scope {action} ({kind})"] = {"extra": scoped - expected,
                                                               "missing": expected - scoped}
            if allowed != expected:
                wrong[f"{persona}: can {action} ({kind})"] = {"extra": allowed - expected,
                                                             "missing": expected - allowed}
    return wrong


def assert_matrix_covers_the_app(app_label: str, matrix: Mapping) -> None:
    """The matrix names every rule registered for the app's models, each for every persona."""
    registered = {label for label in policy._RULES if label.startswith(f"{app_label}.")}
    assert registered == set(matrix)
    for label, (model, table) in matrix.items():
        assert model._meta.label_lower == label
        assert list(table) == PERSONAS
