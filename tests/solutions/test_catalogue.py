"""The catalogue selector: filters, facets with counts, sorting, pages, bad input.

Facets are disjunctive (see solutions/selectors/catalogue.py): each facet is counted over the
list filtered by the search and by the *other* facets. The tests check that promise against
the list itself, value by value.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from deelbaar.errors import DomainError, NotFound
from solutions.models import Solution
from solutions.selectors.catalogue import FACETS, LISTED, LISTED_NAMED, catalogue, solution_detail
from tests.solutions.factories import make_solution

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(zob, dimpact, eindhoven, gemboxx):
    """Eight solutions over two cooperatives, three statuses, licences and developers."""
    now = timezone.now()
    specs = [
        # name, cooperative, status, categories, licence, developed_by, adoptions
        ("Subsidiesysteem", zob, "stable", ["grant-management"], "EUPL-1.2", eindhoven, 3),
        ("Subsidieloket", zob, "beta", ["grant-management", "communications"], "MIT", None, 1),
        ("Bezwaar en beroep", zob, "beta", ["workflow-management"], "EUPL-1.2", gemboxx, 0),
        ("GBA-modules", zob, "development", ["identity-management"], "EUPL-1.2", gemboxx, 0),
        ("Zaakgericht werken", dimpact, "stable", ["workflow-management"], "EUPL-1.2", None, 7),
        ("Digitaal loket", dimpact, "stable", ["communications"], "EUPL-1.2", None, 5),
        (
            "Medewerkersportaal",
            dimpact,
            "beta",
            ["hr", "communications"],
            "Apache-2.0",
            eindhoven,
            2,
        ),
        ("Inwonerscloud", zob, "concept", [], "EUPL-1.2", None, 0),
    ]
    made = {}
    for days, (name, cooperative, status, categories, licence, by, adopted) in enumerate(specs):
        made[name] = make_solution(
            cooperative=cooperative,
            name=name,
            development_status=status,
            categories=categories,
            licence=licence,
            developed_by=by,
            adoption_count=adopted,
            created_at=now - timedelta(days=len(specs) - days),
        )
    return made


def everything(query="", filters=None, sort=None) -> list[Solution]:
    return list(catalogue(query, filters, sort, page_size=100).page.object_list)


def values_of(solution, facet) -> set[str]:
    if facet == "status":
        return {solution.development_status}
    if facet == "category":
        return {c.category for c in solution.categories.all()}
    if facet == "licence":
        return {solution.licence}
    if facet == "cooperative":
        return {solution.cooperative.slug}
    return {solution.developed_by.slug} if solution.developed_by else set()


def assert_facets_agree(query, filters):
    """Every facet value's count is the length of the list with that value as the facet's
    only choice (the others as they are): the disjunctive promise, checked against the list."""
    result = catalogue(query, filters, page_size=100)
    listed = everything(query, filters)
    assert result.count == len(listed)
    for facet in FACETS:
        others = {name: values for name, values in filters.items() if name != facet}
        without_own = everything(query, others)
        for value in result.facets[facet]:
            expected = sum(value.value in values_of(s, facet) for s in without_own)
            assert value.count == expected, (facet, value)
            assert value.count == len(everything(query, {**others, facet: [value.value]}))
            assert value.selected == (value.value in filters.get(facet, ()))
        # No value of the list is missing from its facet.
        shown = {v.value for v in result.facets[facet]}
        for solution in without_own:
            assert values_of(solution, facet) <= shown, (facet, solution)
    return result


@pytest.mark.parametrize(
    "query, filters",
    [
        ("", {}),
        ("", {"status": ["beta"]}),
        ("", {"status": ["beta", "stable"], "cooperative": ["dimpact"]}),
        ("", {"category": ["communications"], "licence": ["EUPL-1.2"]}),
        ("", {"developed_by": ["eindhoven", "gemboxx"], "category": ["grant-management"]}),
        ("subsidie", {}),
        ("loket", {"cooperative": ["zuidoost-brabant"]}),
        ("", {"status": ["obsolete"]}),
    ],
)
def test_facet_counts_agree_with_the_filtered_list(library, query, filters):
    assert_facets_agree(query, filters)


def test_facet_counts_with_nothing_ticked_add_up_to_the_list(library):
    result = catalogue()
    assert result.count == 8
    for facet in ("status", "licence", "cooperative"):
        assert sum(v.count for v in result.facets[facet]) == 8, facet
    status = {v.value: v.count for v in result.facets["status"]}
    assert status == {"concept": 1, "development": 1, "beta": 3, "stable": 3}
    # Statuses in their life-cycle order; the others by count.
    assert [v.value for v in result.facets["status"]] == [
        "concept",
        "development",
        "beta",
        "stable",
    ]
    assert [v.value for v in result.facets["cooperative"]] == ["zuidoost-brabant", "dimpact"]
    categories = {v.value: v.count for v in result.facets["category"]}
    assert categories["communications"] == 3 and categories["grant-management"] == 2
    developers = {v.value: v.count for v in result.facets["developed_by"]}
    assert developers == {"eindhoven": 2, "gemboxx": 2}


def test_filters_combine_or_within_a_facet_and_within_facets_and(library):
    names = {s.name for s in everything("", {"status": ["beta", "stable"]})}
    assert names == {
        "Subsidiesysteem",
        "Subsidieloket",
        "Bezwaar en beroep",
        "Zaakgericht werken",
        "Digitaal loket",
        "Medewerkersportaal",
    }
    names = {s.name for s in everything("", {"status": ["beta"], "category": ["communications"]})}
    assert names == {"Subsidieloket", "Medewerkersportaal"}
    # Comma-separated is the same as repeated.
    assert {s.name for s in everything("", {"status": "beta,stable"})} == {
        s.name for s in everything("", {"status": ["beta", "stable"]})
    }


def test_a_ticked_value_without_results_stays_in_its_facet(library):
    result = catalogue("", {"status": ["obsolete"]})
    assert result.count == 0
    obsolete = [v for v in result.facets["status"] if v.value == "obsolete"]
    assert obsolete and obsolete[0].count == 0 and obsolete[0].selected


def test_sorting(library):
    assert [s.name for s in everything(sort="most_adopted")][:3] == [
        "Zaakgericht werken",
        "Digitaal loket",
        "Subsidiesysteem",
    ]
    assert everything(sort="newest")[0].name == "Inwonerscloud"
    assert [s.name for s in everything()] == sorted(s.name for s in library.values())
    assert catalogue().sort == "name" and catalogue("loket").sort == "relevance"
    # Relevance without a search is the name order.
    assert [s.name for s in everything(sort="relevance")] == [s.name for s in everything()]


def test_pages(library):
    first = catalogue(page=1, page_size=3)
    third = catalogue(page=3, page_size=3)
    assert first.count == 8 and first.page.paginator.num_pages == 3
    assert len(first.solutions) == 3 and len(third.solutions) == 2
    seen = [s.pk for n in (1, 2, 3) for s in catalogue(page=n, page_size=3).solutions]
    assert sorted(seen) == sorted(s.pk for s in library.values())
    assert catalogue(page_size=100).page.paginator.per_page == 100
    # One rule for every list: a page size over the maximum is refused, not quietly capped.
    with pytest.raises(DomainError) as refused:
        catalogue(page_size=1000)
    assert refused.value.field == "page_size"


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"sort": "cheapest"}, "sort"),
        ({"filters": {"status": ["finished"]}}, "status"),
        ({"filters": {"category": ["gardening"]}}, "category"),
        ({"filters": {"licence": ["<script>"]}}, "licence"),
        ({"filters": {"cooperative": ["atlantis"]}}, "cooperative"),
        ({"filters": {"cooperative": ["not a slug!"]}}, "cooperative"),
        ({"filters": {"developed_by": ["nobody"]}}, "developed_by"),
        ({"filters": {"colour": ["blue"]}}, "colour"),
        ({"filters": {"status": [f"s{n}" for n in range(60)]}}, "status"),
        ({"query": "x" * 201}, "q"),
        ({"page": "two"}, "page"),
        ({"page": 0}, "page"),
        ({"page_size": "-5"}, "page_size"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(library, arguments, field):
    with pytest.raises(DomainError) as refused:
        catalogue(
            arguments.get("query", ""),
            arguments.get("filters"),
            arguments.get("sort"),
            page=arguments.get("page", 1),
            page_size=arguments.get("page_size", 20),
        )
    assert refused.value.field == field
    assert refused.value.status_code == 400


def test_a_page_past_the_last_is_not_found(library):
    with pytest.raises(NotFound) as missing:
        catalogue(page=2)
    assert missing.value.field == "page"


def test_solution_detail(library, django_assert_num_queries):
    with django_assert_num_queries(2):
        solution = solution_detail(library["Subsidiesysteem"].slug)
        assert solution.cooperative.slug == "zuidoost-brabant"
        assert solution.developed_by.name == "Eindhoven"
        assert [c.category for c in solution.categories.all()] == ["grant-management"]
    with pytest.raises(NotFound):
        solution_detail("no-such-thing")


def test_the_listed_solutions_are_the_orm_s_objects(library, django_assert_num_queries):
    # The page's solutions are read with SQL written out (catalogue._listed): each must be
    # what the ORM reads for the fields a listing shows, with its categories in their order.
    listed = everything()
    assert len(listed) == len(library)
    for solution in listed:
        stored = Solution.objects.select_related("cooperative", "developed_by").get(pk=solution.pk)
        for name in LISTED:
            attname = Solution._meta.get_field(name).attname
            assert getattr(solution, attname) == getattr(stored, attname), name
        assert solution.created_at.tzinfo is not None
        for name in LISTED_NAMED:
            assert getattr(solution.cooperative, name) == getattr(stored.cooperative, name)
            if stored.developed_by is not None:
                assert getattr(solution.developed_by, name) == getattr(stored.developed_by, name)
        assert (solution.developed_by is None) == (stored.developed_by is None)
        with django_assert_num_queries(0):
            categories = [c.category for c in solution.categories.all()]
        assert categories == [c.category for c in stored.categories.all()]
    # A field a listing does not show is read on use, as QuerySet.only leaves it.
    expected = Solution.objects.get(pk=listed[0].pk).long_description_nl
    with django_assert_num_queries(1):
        assert listed[0].long_description_nl == expected
