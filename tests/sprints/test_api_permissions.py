"""Who may do what through the sprints API: the exact status per endpoint, action and role.

A product a person may not view does not exist for them (404, for it and everything in it);
one they may view but not act on answers 403; anonymous requests answer 401. Each case runs
every role in a savepoint that is rolled back, so each role meets the same world.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils.timezone import localdate

from sprints import services as sprint_services
from sprints.models import TeamRole, Verdict
from tests.permissions import (
    PRODUCT_ROLES,
    Case,
    assert_permission_matrix,
    people_for,
    request_as,
    statuses_for,
)
from tests.shared import share_per_module

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROLES = PRODUCT_ROLES
statuses = statuses_for(ROLES)

# Reading: everyone who may view the product; outsiders and other cooperatives do not see it.
VIEW = statuses(401, 404, 404, 200, 200, 200, 200)
# Lists of one's own: every logged-in person.
OWN = statuses(401, 200, 200, 200, 200, 200, 200)
# Steering the product: its product owner only.
OWNER = statuses(401, 404, 404, 403, 403, 200, 403)
# Building it: the product owner and the developers.
BUILDERS = statuses(401, 404, 404, 403, 200, 200, 403)


def _next_sprint(w):
    """Close sprint 1 and plan sprint 2, which may then be started."""
    sprint_services.finish_sprint(actor=w.product_owner, sprint=w.sprint)
    sprint_services.close_sprint(actor=w.product_owner, sprint=w.sprint)
    planned = sprint_services.plan_sprint(
        actor=w.product_owner, product=w.product, start=localdate()
    )
    return f"{API}/sprints/{planned.pk}/start/"


CASES = [
    Case("products: list", "get", lambda w: f"{API}/products/", OWN),
    Case(
        "products: create",
        "post",
        lambda w: f"{API}/products/",
        # Creating needs acting for the pilot (its people) or coordinating the cooperative;
        # the tester works for Eindhoven, the developer for the supplier.
        statuses(401, 403, 403, 201, 403, 201, 201),
        lambda w: {
            "cooperative": w.product.cooperative.slug,
            "owner": w.product.owner_id,
            "name": "Inwonerscloud",
            "key": "INW",
        },
    ),
    Case("products: retrieve", "get", lambda w: f"{API}/products/{w.product.pk}/", VIEW),
    Case("products: velocity", "get", lambda w: f"{API}/products/{w.product.pk}/velocity/", VIEW),
    Case("backlog: list", "get", lambda w: f"{API}/products/{w.product.pk}/backlog/", VIEW),
    Case(
        "backlog: create",
        "post",
        lambda w: f"{API}/products/{w.product.pk}/backlog/",
        statuses(401, 404, 404, 403, 201, 201, 403),
        lambda w: {"title": "Nieuw verhaal"},
    ),
    Case(
        "backlog: move",
        "post",
        lambda w: f"{API}/products/{w.product.pk}/backlog/move/",
        OWNER,
        lambda w: {"item": w.ready.pk, "to": "top"},
    ),
    Case("items: retrieve", "get", lambda w: f"{API}/items/{w.ready.pk}/", VIEW),
    Case(
        "items: edit",
        "patch",
        lambda w: f"{API}/items/{w.ready.pk}/",
        BUILDERS,
        lambda w: {"title": "Scherper verwoord"},
        headers=lambda w: {"If-Match": f'"{w.ready.version}"'},
    ),
    Case(
        "items: status",
        "post",
        lambda w: f"{API}/items/{w.todo.pk}/status/",
        BUILDERS,
        lambda w: {"status": "in_progress"},
    ),
    Case("sprints: list", "get", lambda w: f"{API}/products/{w.product.pk}/sprints/", VIEW),
    Case(
        "sprints: plan",
        "post",
        lambda w: f"{API}/products/{w.product.pk}/sprints/",
        statuses(401, 404, 404, 403, 403, 201, 403),
        lambda w: {"start": str(localdate() + timedelta(days=14))},
    ),
    Case("sprint: retrieve with board", "get", lambda w: f"{API}/sprints/{w.sprint.pk}/", VIEW),
    Case("sprint: burndown", "get", lambda w: f"{API}/sprints/{w.sprint.pk}/burndown/", VIEW),
    Case(
        "sprint: commit",
        "post",
        lambda w: f"{API}/sprints/{w.sprint.pk}/commit/",
        OWNER,
        lambda w: {"items": [w.ready.pk]},
    ),
    Case("sprint: start", "post", _next_sprint, OWNER),
    Case("sprint: finish", "post", lambda w: f"{API}/sprints/{w.sprint.pk}/finish/", OWNER),
    Case("sprint: close", "post", lambda w: f"{API}/sprints/{w.sprint.pk}/close/", OWNER),
    Case("increments: list", "get", lambda w: f"{API}/increments/?product={w.product.pk}", VIEW),
    Case(
        "increments: create",
        "post",
        lambda w: f"{API}/increments/",
        # A product one cannot see is, in a body, an id that does not exist: 400 naming it.
        statuses(401, 400, 400, 403, 201, 201, 403),
        lambda w: {"product": w.product.pk, "version": "0.3.0", "items": [w.done.pk]},
    ),
    Case("increments: retrieve", "get", lambda w: f"{API}/increments/{w.draft.pk}/", VIEW),
    Case(
        "increments: submit",
        "post",
        lambda w: f"{API}/increments/{w.draft.pk}/submit/",
        BUILDERS,
        lambda w: {"deadline": str(localdate() + timedelta(days=3))},
    ),
    Case("verdicts: list", "get", lambda w: f"{API}/increments/{w.submitted.pk}/verdicts/", VIEW),
    Case(
        "verdicts: give",
        "post",
        lambda w: f"{API}/increments/{w.submitted.pk}/verdicts/",
        # Segregation of duties: who builds or steers the product does not accept it.
        statuses(401, 404, 404, 201, 403, 403, 403),
        lambda w: {"item": w.done.pk, "accepted": True},
    ),
    Case("me: inbox", "get", lambda w: f"{API}/me/inbox/", OWN),
]


@pytest.fixture
def world(
    request,
    product,
    product_owner,
    developer,
    tester,
    second_tester,
    coordinator,
    other_coordinator,
    outsider_person,
    active_sprint,
    make_item,
):
    """Sprint 1 active with one item done and one to do; two items ready in the backlog; a
    draft increment and one submitted to `tester` only."""
    done, todo = active_sprint.items.order_by("position")
    done = sprint_services.set_item_status(actor=developer, item=done, status="done")
    draft = sprint_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[done]
    )
    submitted = sprint_services.create_increment(
        actor=developer, product=product, version="0.2.0", items=[done]
    )
    sprint_services.submit_increment(
        actor=product_owner,
        increment=submitted,
        deadline=localdate() + timedelta(days=3),
        testers=[tester],
    )
    return SimpleNamespace(
        product=product,
        sprint=active_sprint,
        done=done,
        todo=todo,
        ready=make_item("Klaar voor de sprint"),
        other=make_item("Ook klaar"),
        draft=draft,
        submitted=submitted,
        product_owner=product_owner,
        people=people_for(request, ROLES),
    )


# Every test here meets that world: it is built once for the module and copied for each test
# (tests/shared.py); building it took ~2 s of each test.
share_per_module(globals(), "world")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(world, case):
    assert_permission_matrix(world.people, [case], world)


def test_a_tester_not_asked_for_this_increment_cannot_give_verdicts(world, second_tester):
    response = request_as(
        second_tester,
        "post",
        f"{API}/increments/{world.submitted.pk}/verdicts/",
        {"item": world.done.pk, "accepted": True},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You were not asked for verdicts on this increment."
    assert not Verdict.objects.exists()


@pytest.mark.parametrize("second_role", [TeamRole.DEVELOPER, TeamRole.PRODUCT_OWNER])
def test_a_tester_who_also_builds_or_owns_the_product_cannot_give_verdicts(
    world, tester, product_owner, second_role
):
    sprint_services.add_team_member(
        actor=product_owner, product=world.product, user=tester, role=second_role
    )
    response = request_as(
        tester,
        "post",
        f"{API}/increments/{world.submitted.pk}/verdicts/",
        {"item": world.done.pk, "accepted": True},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Verdict.objects.exists()
    # Nor can they be asked.
    submit = request_as(
        product_owner,
        "post",
        f"{API}/increments/{world.draft.pk}/submit/",
        {"deadline": str(localdate()), "testers": [tester.pk]},
    )
    assert submit.status_code == 400
    assert submit.json()["errors"][0]["field"] == "testers"


def test_an_administrator_has_only_the_powers_the_rules_give(world, admin):
    """A superuser passes every `has_perm`; the API asks the rules, which know no superuser."""
    assert request_as(admin, "get", f"{API}/products/{world.product.pk}/").status_code == 404
    assert request_as(admin, "get", f"{API}/products/").json()["count"] == 0
    verdict = request_as(
        admin,
        "post",
        f"{API}/increments/{world.submitted.pk}/verdicts/",
        {"item": world.done.pk, "accepted": True},
    )
    assert verdict.status_code == 404


def test_lists_show_only_what_the_person_may_see(world, outsider_person, coordinator, tester):
    def keys(person):
        return [p["key"] for p in request_as(person, "get", f"{API}/products/").json()["results"]]

    assert keys(outsider_person) == []
    assert keys(coordinator) == ["SUB"]
    assert keys(tester) == ["SUB"]
    inbox = request_as(tester, "get", f"{API}/me/inbox/").json()
    assert [entry["item"]["reference"] for entry in inbox["results"]] == ["SUB-1"]
    assert request_as(outsider_person, "get", f"{API}/me/inbox/").json()["count"] == 0
