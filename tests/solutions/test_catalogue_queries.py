"""The catalogue's list, search and facets take the same number of queries at 20 and at 2,000
solutions: through the selector, the API and the page, with and without a search and filters.

The solutions are made in bulk (bulk_create: on PostgreSQL the trigger fills their search
vectors all the same), spread over two cooperatives, statuses, licences and developers.
"""

import pytest
from rest_framework.test import APIClient

from solutions.models import Solution, SolutionCategory
from solutions.selectors.catalogue import catalogue

pytestmark = pytest.mark.django_db

SIZES = [20, 2_000]
STATUSES = ["concept", "development", "beta", "stable"]
LICENCES = ["EUPL-1.2", "MIT", "Apache-2.0"]
CATEGORIES = ["grant-management", "communications", "workflow-management", "hr"]
WORDS = ["subsidie", "loket", "zaak", "portaal", "vergunning", "afval", "parkeren", "zorg"]
# count + page + the page's categories + 5 facets + 2 filter look-ups (cooperative, developer)
QUERIES = 10


def bulk_library(count, cooperatives, developers):
    solutions = [
        Solution(
            cooperative=cooperatives[n % len(cooperatives)],
            developed_by=developers[n % len(developers)] if n % 4 else None,
            name=f"{WORDS[n % len(WORDS)].capitalize()} {n}",
            slug=f"bulk-{n}",
            short_description_nl=f"Een {WORDS[(n + 1) % len(WORDS)]}oplossing voor gemeenten.",
            long_description_nl=f"Gebouwd in sprints; ook voor {WORDS[(n + 2) % len(WORDS)]}.",
            features_nl=[f"{WORDS[(n + 3) % len(WORDS)]} regelen"],
            development_status=STATUSES[n % len(STATUSES)],
            licence=LICENCES[n % len(LICENCES)],
            adoption_count=n % 7,
        )
        for n in range(count)
    ]
    Solution.objects.bulk_create(solutions, batch_size=500)
    made = list(Solution.objects.filter(slug__startswith="bulk-").values_list("pk", flat=True))
    SolutionCategory.objects.bulk_create(
        [
            SolutionCategory(solution_id=pk, category=CATEGORIES[(pk + k) % len(CATEGORIES)])
            for pk in made
            for k in range(1 + pk % 2)
        ],
        batch_size=1_000,
    )


@pytest.fixture
def library(request, zob, dimpact, eindhoven, gemboxx, mgd):
    bulk_library(request.param, [zob, dimpact], [eindhoven, gemboxx, mgd])
    return request.param


FILTERED = {
    "status": ["beta", "stable"],
    "category": ["communications"],
    "licence": ["EUPL-1.2", "MIT"],
    "cooperative": ["zuidoost-brabant"],
    "developed_by": ["eindhoven", "gemboxx"],
}


@pytest.mark.parametrize("library", SIZES, indirect=True)
@pytest.mark.parametrize(
    "query, filters, sort",
    [
        ("", {}, None),
        ("subsidie", {}, None),
        ("loket zorg", FILTERED, "most_adopted"),
        ("", FILTERED, "newest"),
    ],
)
def test_the_selector_takes_the_same_queries_at_any_size(
    library, query, filters, sort, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUERIES):
        result = catalogue(query, filters, sort, page_size=50)
        solutions = result.solutions
        shown = [
            (s.cooperative.name, s.developed_by and s.developed_by.name, list(s.categories.all()))
            for s in solutions
        ]
    if library == 2_000 and not filters:
        assert result.count > 50 and len(shown) == 50


@pytest.mark.parametrize("library", SIZES, indirect=True)
@pytest.mark.parametrize(
    "params",
    [
        "",
        "?q=subsidie",
        "?q=portaal&status=beta&status=stable&category=communications&licence=MIT"
        "&cooperative=dimpact&developed_by=gemboxx&sort=newest&page_size=100",
    ],
)
def test_the_api_takes_the_same_queries_at_any_size(library, params, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES):
        response = APIClient().get(f"/api/v1/solutions/{params}")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("library", SIZES, indirect=True)
@pytest.mark.parametrize(
    "params",
    ["", "?q=subsidie", "?q=zaak&status=beta&category=hr&cooperative=zuidoost-brabant&page=1"],
)
def test_the_page_takes_the_same_queries_at_any_size(
    library, client, params, django_assert_max_num_queries
):
    # The page adds the session and the navigation's look-ups, which do not grow either.
    with django_assert_max_num_queries(QUERIES + 2):
        response = client.get(f"/solutions/{params}")
    assert response.status_code == 200
    with django_assert_max_num_queries(QUERIES + 2):
        response = client.get(f"/solutions/{params}", headers={"HX-Request": "true"})
    assert response.status_code == 200
