"""The adoption, review and reuse API: the permission matrix per endpoint and role, bad input
for every write, and list endpoints at a constant number of queries at two sizes.

Adoptions, reviews and figures are public to read; writing needs a login (401), and only a
person of the organisation at hand, entitled under the cooperative, may (403 otherwise).
"""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from solutions.models import Adoption, AdoptionState, Review
from tests.permissions import Case, assert_permission_matrix, people_for, request_as, statuses_for
from tests.shared import share_per_module
from tests.solutions.adoption_world import *  # noqa: F403
from tests.solutions.adoption_world import adopt, in_use
from tests.solutions.factories import make_release, make_solution

pytestmark = pytest.mark.django_db

API = "/api/v1"
# Role -> the fixture of that person.
ROLES = {
    "anonymous": None,
    "outsider": "outsider_person",
    "other_coordinator": "other_coordinator",
    "coordinator": "coordinator",
    "mgd_person": "mgd_person",
    "member": "member_person",
}
statuses = statuses_for(ROLES)

PUBLIC = statuses(200, 200, 200, 200, 200, 200)
# Only Eva, of Eindhoven (an active member), acts for Eindhoven.
EINDHOVEN_ONLY = statuses(401, 403, 403, 403, 403, 200)
EINDHOVEN_CREATES = statuses(401, 403, 403, 403, 403, 201)


CASES = [
    Case(
        "adoptions: list", "get", lambda w: f"{API}/solutions/{w.solution.slug}/adoptions/", PUBLIC
    ),
    Case(
        "adoptions: create for Eindhoven",
        "post",
        lambda w: f"{API}/solutions/{w.other.slug}/adoptions/",
        EINDHOVEN_CREATES,
        lambda w: {"organisation": w.eindhoven.pk, "remarks": "Voor subsidies"},
    ),
    Case("adoption: show", "get", lambda w: f"{API}/adoptions/{w.requested.pk}/", PUBLIC),
    Case(
        "adoption: take into use",
        "post",
        lambda w: f"{API}/adoptions/{w.requested.pk}/take-into-use/",
        EINDHOVEN_ONLY,
        lambda w: {},
    ),
    Case(
        "adoption: upgrade",
        "post",
        lambda w: f"{API}/adoptions/{w.running.pk}/upgrade/",
        EINDHOVEN_ONLY,
        lambda w: {"release": "1.1.0"},
    ),
    Case(
        "adoption: stop",
        "post",
        lambda w: f"{API}/adoptions/{w.running.pk}/stop/",
        EINDHOVEN_ONLY,
        lambda w: {"reason": "Vervangen"},
    ),
    Case("reviews: list", "get", lambda w: f"{API}/solutions/{w.solution.slug}/reviews/", PUBLIC),
    Case(
        "reviews: create for Eindhoven",
        "post",
        lambda w: f"{API}/solutions/{w.solution.slug}/reviews/",
        EINDHOVEN_CREATES,
        lambda w: {"organisation": w.eindhoven.pk, "score": 4, "pros": "Eenvoudig"},
    ),
    Case("reuse figures", "get", lambda w: f"{API}/cooperatives/{w.zob.slug}/reuse/", PUBLIC),
]


@pytest.fixture
def world(
    request,
    solution,
    zob,
    eindhoven,
    member_person,
    mgd_person,
    outsider_person,
    coordinator,
    other_coordinator,
):
    make_release(solution, "1.1.0")
    running = in_use(member_person, solution, release=solution.releases.get(version="1.0.0"))
    other = make_solution(cooperative=zob, name="Zaaksysteem", estimated_cost=80_000)
    make_release(other, "2.0.0")
    third = make_solution(cooperative=zob, name="Loket")
    make_release(third, "1.0.0")
    requested = adopt(member_person, third)
    return SimpleNamespace(
        solution=solution,
        other=other,
        third=third,
        zob=zob,
        eindhoven=eindhoven,
        running=running,
        requested=requested,
        people=people_for(request, ROLES),
    )


# Every test here meets that world, both pilots active (pilots_active): it is built once for
# the module and copied for each test (tests/shared.py). The refusals, which need Woerden's
# application too, are in test_adoption_api_refusals.py.
share_per_module(globals(), "eindhoven_membership", "mgd_membership", "world")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(world, case):
    assert_permission_matrix(world.people, [case], world)


def test_unknown_solutions_adoptions_and_cooperatives_answer_404(world, member_person):
    for method, url, body in [
        ("get", f"{API}/solutions/nergens/adoptions/", None),
        ("post", f"{API}/solutions/nergens/adoptions/", {"organisation": world.eindhoven.pk}),
        ("get", f"{API}/solutions/nergens/reviews/", None),
        ("get", f"{API}/adoptions/999999/", None),
        ("post", f"{API}/adoptions/999999/stop/", {}),
        ("get", f"{API}/cooperatives/nergens/reuse/", None),
    ]:
        response = request_as(member_person, method, url, body)
        assert response.status_code == 404, (url, response.content)
        assert response.json()["code"] == "not_found"


# --- Entitlement through the API ---------------------------------------------------------------


def test_a_represented_municipality_adopts_through_the_api(world, boxtel_person, boxtel):
    response = request_as(
        boxtel_person,
        "post",
        f"{API}/solutions/{world.other.slug}/adoptions/",
        {"organisation": boxtel.pk},
    )
    assert response.status_code == 201, response.content
    assert response.json()["organisation"]["slug"] == boxtel.slug
    assert response.json()["state"] == "requested"


def test_the_life_cycle_through_the_api(world, member_person):
    response = request_as(
        member_person, "post", f"{API}/adoptions/{world.requested.pk}/take-into-use/", {}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "in_use"
    assert response.json()["release"]["version"] == "1.0.0"
    world.third.refresh_from_db()
    assert world.third.adoption_count == 1
    response = request_as(
        member_person, "post", f"{API}/adoptions/{world.requested.pk}/stop/", {"reason": "Klaar"}
    )
    assert response.json()["state"] == "stopped"
    world.third.refresh_from_db()
    assert world.third.adoption_count == 0


def test_a_second_review_revises_the_first(world, member_person):
    url = f"{API}/solutions/{world.solution.slug}/reviews/"
    body = {"organisation": world.eindhoven.pk, "score": 3}
    assert request_as(member_person, "post", url, body).status_code == 201
    response = request_as(member_person, "post", url, {**body, "score": 5, "cons": "Traag"})
    assert response.status_code == 200
    assert response.json()["score"] == 5 and response.json()["cons"] == "Traag"
    assert Review.objects.count() == 1
    listed = request_as(None, "get", url).json()["results"]
    assert listed[0]["organisation"]["name"] == "Eindhoven"


def test_the_reuse_figures_answer(world):
    body = request_as(None, "get", f"{API}/cooperatives/{world.zob.slug}/reuse/").json()
    assert body["cooperative"] == world.zob.slug
    assert body["adoptions"] == 1
    assert body["inhabitants"] == 243_730
    assert body["cost_avoided"] == "0.00"
    subsidie = next(row for row in body["solutions"] if row["slug"] == world.solution.slug)
    assert subsidie["adoptions"] == 1 and subsidie["cost_avoided"] == "0.00"


# --- Bad input for every write -----------------------------------------------------------------
BAD_ADOPTIONS = [
    ({}, "organisation"),
    ({"organisation": "Eindhoven"}, "organisation"),
    ({"organisation": 999_999}, "organisation"),
    ({"organisation": None}, "organisation"),
    ({"organisation": "__EINDHOVEN__", "remarks": "x" * 2_001}, "remarks"),
    ({"organisation": "__EINDHOVEN__", "remarks": ["lijst"]}, "remarks"),
]


@pytest.mark.parametrize(("body", "field"), BAD_ADOPTIONS)
def test_bad_adoption_input(world, member_person, body, field):
    body = {k: world.eindhoven.pk if v == "__EINDHOVEN__" else v for k, v in body.items()}
    response = request_as(
        member_person, "post", f"{API}/solutions/{world.other.slug}/adoptions/", body
    )
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Adoption.objects.filter(solution=world.other).exists()


def test_adopting_twice_is_a_conflict(world, member_person):
    url = f"{API}/solutions/{world.third.slug}/adoptions/"
    response = request_as(member_person, "post", url, {"organisation": world.eindhoven.pk})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "organisation"
    assert Adoption.objects.filter(solution=world.third).count() == 1


@pytest.mark.parametrize(
    ("action", "body", "status", "field"),
    [
        ("take-into-use", {"release": "9.9.9"}, 400, "release"),
        ("take-into-use", {"release": 12}, 400, "release"),
        ("upgrade", {}, 400, "release"),
        ("upgrade", {"release": "1.0.0"}, 400, "release"),  # not newer than the one in use
        ("upgrade", {"release": "2.0.0"}, 400, "release"),  # another solution's release
        ("upgrade", {"release": ["1.1.0"]}, 400, "release"),
        ("stop", {"reason": "x" * 2_001}, 400, "reason"),
        ("stop", {"reason": {"a": 1}}, 400, "reason"),
    ],
)
def test_bad_transition_input(world, member_person, action, body, status, field):
    adoption = world.requested if action == "take-into-use" else world.running
    before = Adoption.objects.values().get(pk=adoption.pk)
    response = request_as(member_person, "post", f"{API}/adoptions/{adoption.pk}/{action}/", body)
    assert response.status_code == status, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Adoption.objects.values().get(pk=adoption.pk) == before


def test_transitions_out_of_turn_are_conflicts(world, member_person):
    for action, adoption, body in [
        ("take-into-use", world.running, {}),
        ("upgrade", world.requested, {"release": "1.0.0"}),
    ]:
        response = request_as(
            member_person, "post", f"{API}/adoptions/{adoption.pk}/{action}/", body
        )
        assert response.status_code == 409, response.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"score": 4}, "organisation"),
        ({"organisation": "__EINDHOVEN__"}, "score"),
        ({"organisation": "__EINDHOVEN__", "score": 0}, "score"),
        ({"organisation": "__EINDHOVEN__", "score": 6}, "score"),
        ({"organisation": "__EINDHOVEN__", "score": "goed"}, "score"),
        ({"organisation": "__EINDHOVEN__", "score": 4, "pros": "x" * 5_001}, "pros"),
        # A number where text is expected is refused, not read as its text.
        ({"organisation": "__EINDHOVEN__", "score": 4, "cons": 12345}, "cons"),
    ],
)
def test_bad_review_input(world, member_person, body, field):
    body = {k: world.eindhoven.pk if v == "__EINDHOVEN__" else v for k, v in body.items()}
    response = request_as(
        member_person, "post", f"{API}/solutions/{world.solution.slug}/reviews/", body
    )
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Review.objects.exists()


def test_a_review_without_the_solution_in_use_is_refused(world, member_person):
    response = request_as(
        member_person,
        "post",
        f"{API}/solutions/{world.third.slug}/reviews/",  # requested, not in use
        {"organisation": world.eindhoven.pk, "score": 4},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_in_use"


def test_a_bad_state_filter_is_refused(world):
    response = request_as(
        None, "get", f"{API}/solutions/{world.solution.slug}/adoptions/?state=gebruikt"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"
    ok = request_as(None, "get", f"{API}/solutions/{world.solution.slug}/adoptions/?state=in_use")
    assert [a["state"] for a in ok.json()["results"]] == ["in_use"]


# --- Queries -----------------------------------------------------------------------------------
def bulk_organisations(admin, count, start):
    from cooperative.models import Organisation, OrganisationKind

    Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrganisationKind.MUNICIPALITY,
                name=f"Gemeente {start + n}",
                slug=f"gemeente-{start + n}",
                cbs_code=f"GM{start + n:04d}",
                inhabitants=10_000,
            )
            for n in range(count)
        ]
    )
    return list(Organisation.objects.filter(slug__startswith="gemeente-"))


@pytest.mark.parametrize("size", [3, 60])
def test_list_endpoints_take_the_same_queries_at_any_size(
    world, admin, member_person, size, django_assert_max_num_queries
):
    from cooperative.models import Affiliation

    organisations = bulk_organisations(admin, size, 5_000)
    release = world.solution.releases.get(version="1.0.0")
    Adoption.objects.bulk_create(
        [
            Adoption(
                solution=world.solution,
                organisation=o,
                requested_by=member_person,
                state=AdoptionState.IN_USE,
                release=release,
                in_use_since=timezone.localdate(),
            )
            for o in organisations
        ]
    )
    Affiliation.objects.bulk_create(
        [Affiliation(user=member_person, organisation=o) for o in organisations]
    )
    Review.objects.bulk_create(
        [
            Review(solution=world.solution, organisation=o, author=member_person, score=4)
            for o in organisations
        ]
    )
    for n in range(size):
        make_solution(cooperative=world.zob, name=f"Extra {n}", estimated_cost=n)
    client = APIClient()
    for url in (
        f"{API}/solutions/{world.solution.slug}/adoptions/?page_size=100",
        f"{API}/solutions/{world.solution.slug}/reviews/?page_size=100",
        f"{API}/cooperatives/{world.zob.slug}/reuse/",
    ):
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200
