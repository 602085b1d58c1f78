"""The publication API: its permission matrix per endpoint and role, bad input for every write,
the whole path through HTTP, and list endpoints at a constant number of queries.

Publication requests are private: a person who may not view one (not the requester, not a
coordinator of the product's cooperative) gets 404; one who may view it but not act, 403;
anonymous requests 401. Releases are public.
"""

from types import SimpleNamespace

import pytest

from solutions.models import PublicationRequest, PublicationState, Release
from solutions.services.publication import approve_publication, request_publication
from sprints.models import Increment, IncrementState
from tests.permissions import (
    PRODUCT_ROLES,
    Case,
    assert_permission_matrix,
    people_for,
    request_as,
    statuses_for,
)
from tests.shared import share_per_module
from tests.solutions.factories import make_solution
from tests.sprints.flows import run_sprint

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROLES = PRODUCT_ROLES
statuses = statuses_for(ROLES)

PUBLIC = statuses(200, 200, 200, 200, 200, 200, 200)
OWN = statuses(401, 200, 200, 200, 200, 200, 200)
# A request: its requester (the product owner) and the cooperative's coordinators see it.
VIEW = statuses(401, 404, 404, 404, 404, 200, 200)
DECIDE = statuses(401, 404, 404, 404, 404, 403, 200)
WITHDRAW = statuses(401, 404, 404, 404, 404, 200, 403)


CASES = [
    Case("publication-requests: list", "get", lambda w: f"{API}/publication-requests/", OWN),
    Case(
        "publication-requests: create",
        "post",
        lambda w: f"{API}/publication-requests/",
        # An increment of a product one cannot see is, in a body, an id that does not exist.
        statuses(401, 400, 400, 403, 403, 201, 403),
        lambda w: {"increment": w.second.pk, "name": "Subsidiesysteem"},
    ),
    Case(
        "publication-requests: retrieve",
        "get",
        lambda w: f"{API}/publication-requests/{w.open.pk}/",
        VIEW,
    ),
    Case(
        "publication-requests: approve",
        "post",
        lambda w: f"{API}/publication-requests/{w.open.pk}/approve/",
        DECIDE,
    ),
    Case(
        "publication-requests: reject",
        "post",
        lambda w: f"{API}/publication-requests/{w.open.pk}/reject/",
        DECIDE,
        lambda w: {"reason": "Eerst de documentatie."},
    ),
    Case(
        "publication-requests: withdraw",
        "post",
        lambda w: f"{API}/publication-requests/{w.open.pk}/withdraw/",
        WITHDRAW,
    ),
    Case("releases: list", "get", lambda w: f"{API}/releases/", PUBLIC),
    Case(
        "releases: list of a solution",
        "get",
        lambda w: f"{API}/releases/?solution={w.solution.slug}",
        PUBLIC,
    ),
    Case("releases: retrieve", "get", lambda w: f"{API}/releases/{w.release.pk}/", PUBLIC),
]


@pytest.fixture
def world(
    request,
    accepted_increment,
    product,
    product_owner,
    developer,
    tester,
    coordinator,
    other_coordinator,
    outsider_person,
):
    """Increment 0.1.0 published as Subsidiesysteem 0.1.0; 0.2.0 requested; 0.3.0 accepted."""
    release = approve_publication(
        actor=coordinator,
        publication_request=request_publication(
            actor=product_owner, increment=accepted_increment, name="Subsidiesysteem"
        ),
    )
    increments = []
    for _ in range(2):
        sprint = run_sprint(
            product=product,
            owner=product_owner,
            developer=developer,
            testers=[tester],
            estimates=[2],
        )
        increments.append(sprint.increments.get())
    open_request = request_publication(actor=product_owner, increment=increments[0])
    return SimpleNamespace(
        release=release,
        solution=release.solution,
        open=open_request,
        second=increments[1],
        people=people_for(request, ROLES),
    )


# Every test here meets that world (those that need another are in
# test_publication_api_other_worlds.py): it is built once for the module and copied for each
# test (tests/shared.py); building it (three sprints run) took ~1 s of each test.
share_per_module(globals(), "world")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(world, case):
    assert_permission_matrix(world.people, [case], world)


def test_lists_show_only_what_the_person_may_see(world):
    def ids(role):
        response = request_as(world.people[role], "get", f"{API}/publication-requests/")
        return [r["id"] for r in response.json()["results"]]

    everything = list(
        PublicationRequest.objects.order_by("-requested_at").values_list("pk", flat=True)
    )
    assert ids("coordinator") == everything
    assert ids("product_owner") == everything
    for role in ("outsider", "other_coordinator", "tester", "developer"):
        assert ids(role) == [], role
    open_only = request_as(
        world.people["coordinator"], "get", f"{API}/publication-requests/?state=requested"
    ).json()
    assert [r["id"] for r in open_only["results"]] == [world.open.pk]


# --- the path through HTTP --------------------------------------------------------------------
def test_from_request_to_release_through_the_api(world, product_owner, coordinator):
    created = request_as(
        product_owner,
        "post",
        f"{API}/publication-requests/",
        {"increment": world.second.pk, "version": "1.0.0-rc.1"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "requested"
    assert body["solution"]["slug"] == world.solution.slug
    assert body["increment"]["id"] == world.second.pk
    assert body["requested_by"]["username"] == "eva"

    approved = request_as(
        coordinator, "post", f"{API}/publication-requests/{body['id']}/approve/"
    ).json()
    assert approved["state"] == "approved"
    assert approved["release"]["version"] == "1.0.0-rc.1"
    assert approved["decided_by"]["username"] == "carla"

    again = request_as(coordinator, "post", f"{API}/publication-requests/{body['id']}/approve/")
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "state"

    releases = request_as(None, "get", f"{API}/releases/?solution={world.solution.slug}").json()
    assert [r["version"] for r in releases["results"]] == ["1.0.0-rc.1", "0.1.0"]
    newest = releases["results"][0]
    assert newest["prerelease"] == "rc.1"
    assert newest["increment"] == {"id": world.second.pk, "version": "0.3.0", "product": "SUB"}
    assert newest["solution"] == {
        "id": world.solution.pk,
        "slug": world.solution.slug,
        "name": "Subsidiesysteem",
    }


def test_a_rejection_reaches_the_requester(world, product_owner, coordinator):
    response = request_as(
        coordinator,
        "post",
        f"{API}/publication-requests/{world.open.pk}/reject/",
        {"reason": "  Eerst de documentatie.  "},
    )
    assert response.status_code == 200
    seen = request_as(product_owner, "get", f"{API}/publication-requests/{world.open.pk}/").json()
    assert seen["state"] == "rejected"
    assert seen["reason"] == "Eerst de documentatie."


def test_withdrawing_through_the_api(world, product_owner):
    response = request_as(
        product_owner, "post", f"{API}/publication-requests/{world.open.pk}/withdraw/"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "increment"),
        ({"increment": "een"}, 400, "increment"),
        ({"increment": 999_999}, 400, "increment"),
        ({"increment": None}, 400, "increment"),
        ("not an object", 400, None),
        ({"increment": "SECOND", "version": "1.2"}, 400, "version"),
        ({"increment": "SECOND", "version": ""}, 400, "version"),
        ({"increment": "SECOND", "version": "x" * 101}, 400, "version"),
        ({"increment": "SECOND", "version": ["1.0.0"]}, 400, "version"),
        ({"increment": "SECOND", "version": "0.0.9"}, 409, "version"),
        ({"increment": "SECOND", "version": "0.1.0"}, 409, "version"),
        ({"increment": "SECOND", "solution": "bestaat-niet"}, 400, "solution"),
        ({"increment": "SECOND", "solution": "ELSEWHERE"}, 400, "solution"),
        ({"increment": "SECOND", "short_description": "x" * 151}, 400, "short_description"),
        ({"increment": "SECOND", "name": "x" * 201}, 400, "name"),
        ({"increment": "OPEN"}, 409, "increment"),
        ({"increment": "PUBLISHED"}, 409, "increment"),
        ({"increment": "SUBMITTED"}, 409, "increment"),
    ],
)
def test_bad_input_of_a_request_is_refused_naming_the_field(
    world, product_owner, dimpact, accepted_increment, body, status, field
):
    elsewhere = make_solution(cooperative=dimpact, name="Elders")
    submitted = Increment.objects.create(
        product=world.second.product, version="0.9.0", state=IncrementState.SUBMITTED
    )
    replace = {
        "SECOND": world.second.pk,
        "OPEN": world.open.increment_id,
        "PUBLISHED": accepted_increment.pk,
        "SUBMITTED": submitted.pk,
        "ELSEWHERE": elsewhere.slug,
    }
    if isinstance(body, dict):
        body = {k: replace.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = PublicationRequest.objects.count()
    response = request_as(product_owner, "post", f"{API}/publication-requests/", body)
    assert response.status_code == status, response.json()
    error = response.json()
    if field is not None:
        assert field in [e["field"] for e in error["errors"]], error
    assert PublicationRequest.objects.count() == before


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": 5 * ["x"]}])
def test_a_rejection_without_a_reason_is_refused(world, coordinator, body):
    response = request_as(
        coordinator, "post", f"{API}/publication-requests/{world.open.pk}/reject/", body
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"
    world.open.refresh_from_db()
    assert world.open.state == PublicationState.REQUESTED


def test_actions_on_a_decided_request_conflict(world, coordinator, product_owner):
    request_as(product_owner, "post", f"{API}/publication-requests/{world.open.pk}/withdraw/")
    for action, body in (("approve", None), ("reject", {"reason": "Nee"})):
        response = request_as(
            coordinator, "post", f"{API}/publication-requests/{world.open.pk}/{action}/", body
        )
        assert response.status_code == 409, action
    again = request_as(
        product_owner, "post", f"{API}/publication-requests/{world.open.pk}/withdraw/"
    )
    assert again.status_code == 409
    assert Release.objects.count() == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [("?solution=bestaat-niet", 400), ("?state=weg", 400)],
)
def test_bad_filters_are_refused(world, coordinator, query, status):
    endpoint = "releases" if "solution" in query else "publication-requests"
    response = request_as(coordinator, "get", f"{API}/{endpoint}/{query}")
    assert response.status_code == status
    assert response.json()["errors"][0]["field"] in ("solution", "state")


def test_unknown_ids_are_not_found(world, coordinator):
    assert request_as(coordinator, "get", f"{API}/publication-requests/999999/").status_code == 404
    assert request_as(None, "get", f"{API}/releases/999999/").status_code == 404


def test_an_administrator_has_only_the_powers_the_rules_give(world, admin):
    assert (
        request_as(admin, "get", f"{API}/publication-requests/{world.open.pk}/").status_code == 404
    )
    assert request_as(admin, "get", f"{API}/publication-requests/").json()["count"] == 0
