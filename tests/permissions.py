"""Shared scaffolding for API permission matrices: who gets which status for each request.

A module names its roles once (role -> fixture, None for anonymous), writes its cases as
`Case(name, method, url, expected, body)` with `url` and `body` functions of the module's world,
and calls `assert_permission_matrix`. Every role's request runs in a savepoint that is rolled
back, so each role meets the same world; all mismatches of a case are reported together, each
with its role, method, url, expected and actual status, so one run shows the whole broken row.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[Any], str]  # world -> path
    expected: Mapping[str, int]  # role -> status
    body: Callable[[Any], Any] | None = None  # world -> payload
    headers: Callable[[Any], dict] | None = None  # world -> request headers (If-Match)

    def __str__(self):
        return self.name


# The people of a product and its cooperative (fixtures of tests/sprints/conftest.py, which the
# solutions tests reuse), role -> fixture; None is anonymous.
PRODUCT_ROLES = {
    "anonymous": None,
    "outsider": "outsider_person",
    "other_coordinator": "other_coordinator",
    "tester": "tester",
    "developer": "developer",
    "product_owner": "product_owner",
    "coordinator": "coordinator",
}


def statuses_for(roles: Mapping[str, str | None]) -> Callable[..., dict]:
    """`statuses(401, 200, ...)`: the statuses in the order the roles are named, one for each."""

    def statuses(*codes: int) -> dict:
        return dict(zip(roles, codes, strict=True))

    return statuses


def people_for(request: pytest.FixtureRequest, roles: Mapping[str, str | None]) -> dict:
    """Role -> user, from the fixtures the roles name; None (anonymous) stays None."""
    return {
        role: None if fixture is None else request.getfixturevalue(fixture)
        for role, fixture in roles.items()
    }


def request_as(person, method, url, body=None, headers=None):
    """A JSON request as `person` (None: anonymous), asking for English messages."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if person is not None:
        client.force_authenticate(person)
    return getattr(client, method)(url, body, format="json", headers=headers)


def _envelope_problem(response) -> str | None:
    """What is wrong with a refusal's body, if anything: every error answers in our envelope."""
    try:
        error = response.json()
    except (TypeError, ValueError):
        return f"not JSON: {response.content[:200]!r}"
    if not (
        isinstance(error, dict)
        and error.get("status") == response.status_code
        and error.get("errors")
    ):
        return f"not the error envelope: {error!r}"
    return None


def assert_permission_matrix(
    people: Mapping[str, Any], cases, world=None, state: Callable[[], Any] | None = None
) -> None:
    """Run each case as every person and fail once, listing every role that got another status
    than expected (or a refusal without the error envelope). With `state` (a snapshot of what
    the requests may write), a refusal must leave it as it was and an allowed write change it."""
    mismatches = []
    for case in cases:
        if set(case.expected) != set(people):
            raise AssertionError(
                f"{case}: expected statuses for {sorted(case.expected)}, "
                f"but the people are {sorted(people)}"
            )
        # The url and body are made once, outside the savepoints: making them may change the
        # world (e.g. plan a sprint), and every role must meet that same world.
        url = case.url(world)
        body = case.body(world) if case.body else None
        headers = case.headers(world) if case.headers else None
        for role, person in people.items():
            expected = case.expected[role]
            with transaction.atomic():
                before = state() if state else None
                response = request_as(person, case.method, url, body, headers)
                after = state() if state else None
                transaction.set_rollback(True)
            where = f"{case} | {role}: {case.method.upper()} {url}"
            got = response.status_code
            if got != expected:
                mismatches.append(f"{where}: expected {expected}, got {got}")
            if got >= 400 and (problem := _envelope_problem(response)):
                mismatches.append(f"{where}: {got} {problem}")
            if state and got >= 400 and after != before:
                mismatches.append(f"{where}: {got}, but the refused request changed something")
            if state and got < 400 and case.method != "get" and after == before:
                mismatches.append(f"{where}: {got}, but the allowed change was not written")
    if mismatches:
        pytest.fail(
            f"{len(mismatches)} permission mismatch(es):\n" + "\n".join(mismatches),
            pytrace=False,
        )
