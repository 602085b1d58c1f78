"""The catalogue in the API: /api/v1/solutions (search, facets, sort, pages), one solution, and
similar solutions. All public, read-only; bad input answers 400 naming the parameter."""

import pytest
from rest_framework import serializers as drf
from rest_framework.test import APIClient

from people.services.tokens import issue_token
from solutions.api.serializers.catalogue import SolutionSerializer, SolutionSummarySerializer
from solutions.selectors import catalogue
from tests.solutions.factories import make_solution

pytestmark = pytest.mark.django_db

API = "/api/v1/solutions"


@pytest.fixture
def library(zob, dimpact, eindhoven, solution):
    return {
        "subsidiesysteem": solution,
        "loket": make_solution(
            cooperative=zob,
            name="Subsidieloket",
            development_status="beta",
            categories=["grant-management", "communications"],
            licence="MIT",
            short_description_nl="Inwoners vragen een subsidie online aan.",
        ),
        "zaak": make_solution(
            cooperative=dimpact,
            name="Zaakgericht werken",
            development_status="stable",
            categories=["workflow-management"],
            adoption_count=4,
        ),
    }


@pytest.fixture
def anonymous():
    return APIClient()


def errors_of(response) -> dict:
    body = response.json()
    return {e["field"]: e["code"] for e in body["errors"]}


def test_anyone_may_list_the_catalogue_with_its_facets(anonymous, library):
    response = anonymous.get(f"{API}/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["sort"] == "name" and body["query"] == ""
    assert [r["name"] for r in body["results"]] == [
        "Subsidieloket",
        "Subsidiesysteem",
        "Zaakgericht werken",
    ]
    first = body["results"][1]
    assert first["cooperative"] == {"slug": "zuidoost-brabant", "name": zob_name()}
    assert first["developed_by"]["name"] == "Eindhoven"
    assert first["categories"] == ["grant-management"]
    assert first["url"] == f"/solutions/{library['subsidiesysteem'].slug}/"
    assert set(body["facets"]) == {"status", "category", "licence", "cooperative", "developed_by"}
    cooperatives = {f["value"]: f["count"] for f in body["facets"]["cooperative"]}
    assert cooperatives == {"zuidoost-brabant": 2, "dimpact": 1}


def zob_name():
    return "ICT Samenwerking Zuidoost-Brabant"


def test_search_filters_sort_and_pages(anonymous, library):
    body = anonymous.get(f"{API}/", {"q": "subsidie"}).json()
    assert body["sort"] == "relevance"
    assert {r["name"] for r in body["results"]} == {"Subsidieloket", "Subsidiesysteem"}

    body = anonymous.get(f"{API}/?status=beta&status=stable").json()
    assert {r["name"] for r in body["results"]} == {"Subsidieloket", "Zaakgericht werken"}
    status = {f["value"]: (f["count"], f["selected"]) for f in body["facets"]["status"]}
    assert status["beta"] == (1, True) and status["development"] == (1, False)

    body = anonymous.get(f"{API}/", {"cooperative": "dimpact", "sort": "most_adopted"}).json()
    assert [r["name"] for r in body["results"]] == ["Zaakgericht werken"]

    body = anonymous.get(f"{API}/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["previous"] is None
    assert "page=2" in body["next"]
    second = anonymous.get(body["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["previous"] is not None and "page=" not in second["previous"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sort": "cheapest"}, "sort"),
        ({"status": "finished"}, "status"),
        ({"category": "gardening"}, "category"),
        ({"licence": "<b>"}, "licence"),
        ({"cooperative": "atlantis"}, "cooperative"),
        ({"developed_by": "nobody"}, "developed_by"),
        ({"q": "x" * 201}, "q"),
        ({"page": "two"}, "page"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_input_answers_400_naming_the_parameter(anonymous, library, params, field):
    response = anonymous.get(f"{API}/", params)
    assert response.status_code == 400, response.content
    assert field in errors_of(response)
    assert response.json()["detail"]


def test_a_page_past_the_last_is_404(anonymous, library):
    response = anonymous.get(f"{API}/", {"page": 9})
    assert response.status_code == 404
    assert "page" in errors_of(response)


def test_one_solution_in_full(anonymous, library):
    solution = library["subsidiesysteem"]
    response = anonymous.get(f"{API}/{solution.slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Subsidiesysteem" and body["estimated_cost"] == "250000.00"
    assert body["features_nl"] == ["Aanvragen indienen", "Besluiten vastleggen"]
    assert body["long_description_nl"].startswith("Subsidiesysteem is gebouwd")
    assert anonymous.get(f"{API}/no-such-solution/").status_code == 404


def test_the_catalogue_is_read_only(anonymous, library, member_person):
    client = APIClient()
    token = issue_token(actor=member_person, user=member_person, name="t")[1]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    slug = library["subsidiesysteem"].slug
    for method, path in (
        ("post", f"{API}/"),
        ("put", f"{API}/{slug}/"),
        ("patch", f"{API}/{slug}/"),
        ("delete", f"{API}/{slug}/"),
    ):
        assert getattr(client, method)(path, {}).status_code == 405, (method, path)
    # A logged-in person sees the same catalogue.
    assert client.get(f"{API}/").json()["count"] == 3


def test_similar_solutions(anonymous, library):
    response = anonymous.get(
        f"{API}/similar/",
        {"title": "Subsidies", "description": "Inwoners vragen subsidies online aan."},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and results[0]["solution"]["name"] in {"Subsidieloket", "Subsidiesysteem"}
    assert {r["solution"]["name"] for r in results} >= {"Subsidieloket", "Subsidiesysteem"}
    assert "Zaakgericht werken" not in {r["solution"]["name"] for r in results}
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    one = anonymous.get(f"{API}/similar/", {"title": "Subsidie", "limit": 1}).json()
    assert len(one["results"]) == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Subsidie", "description": "x" * 10_001}, "description"),
        ({"title": "Subsidie", "limit": "0"}, "limit"),
        ({"title": "Subsidie", "limit": "many"}, "limit"),
    ],
)
def test_similar_refuses_bad_input(anonymous, library, params, field):
    response = anonymous.get(f"{API}/similar/", params)
    assert response.status_code == 400
    assert field in errors_of(response)


def test_the_schema_describes_the_catalogue():
    """The catalogue's own routes, so another capability's schema cannot hide a fault here."""
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    from solutions.api import catalogue

    patterns = [path("api/v1/", include((catalogue.urlpatterns, "api"), namespace="api"))]
    paths = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)["paths"]
    parameters = {p["name"] for p in paths["/api/v1/solutions/"]["get"]["parameters"]}
    expected = {"q", "sort", "status", "category", "licence", "cooperative", "developed_by"}
    assert expected <= parameters
    assert "/api/v1/solutions/similar/" in paths and "/api/v1/solutions/{slug}/" in paths
    similar = {p["name"] for p in paths["/api/v1/solutions/similar/"]["get"]["parameters"]}
    assert similar == {"title", "description", "limit"}


def test_a_listed_solution_is_what_drf_s_walk_over_the_fields_makes_of_it(library):
    # SolutionSummarySerializer builds its answer directly; it must stay DRF's, key for key,
    # for a solution with a developer and one without, as the catalogue lists them.
    listed = catalogue.catalogue().solutions
    assert {s.developed_by is None for s in listed} == {True, False}
    for solution in listed:
        walked = dict(drf.ModelSerializer.to_representation(SolutionSummarySerializer(), solution))
        direct = SolutionSummarySerializer(solution).data
        assert direct == walked and list(direct) == list(walked)
    # The full serializer keeps the walk, with its own fields besides.
    full = SolutionSerializer(library["loket"]).data
    assert {k: full[k] for k in SolutionSummarySerializer(library["loket"]).data} == dict(
        SolutionSummarySerializer(library["loket"]).data
    )
