"""The catalogue keeps its total and facet counts in the cache, under the library's token that
the database sets anew with every change (migration 0009): the counts follow every kind of
change at once, whoever makes it (a service, a queryset update, a bulk insert), a change rolled
back leaves nothing behind, and a listing whose counts are kept costs one statement fewer."""

import pytest
from django.db import connection, transaction

from cooperative.models import Organisation
from solutions.models import Solution, SolutionCategory
from solutions.selectors.catalogue import catalogue
from tests.conftest import clear_cache
from tests.solutions.factories import make_solution

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(zob, dimpact, eindhoven, gemboxx):
    specs = [
        ("Subsidiesysteem", zob, "stable", ["grant-management"], "EUPL-1.2", eindhoven),
        ("Subsidieloket", zob, "beta", ["grant-management", "communications"], "MIT", None),
        ("Bezwaar en beroep", zob, "beta", ["workflow-management"], "EUPL-1.2", gemboxx),
        ("Zaakgericht werken", dimpact, "stable", ["workflow-management"], "EUPL-1.2", None),
    ]
    return {
        name: make_solution(
            cooperative=cooperative,
            name=name,
            development_status=status,
            categories=categories,
            licence=licence,
            developed_by=by,
        )
        for name, cooperative, status, categories, licence, by in specs
    }


def counts(query="", filters=None):
    result = catalogue(query, filters)
    return result.count, {
        name: {value.value: (value.label, value.count) for value in values}
        for name, values in result.facets.items()
    }


def test_the_counts_follow_every_change(library, zob, eindhoven):
    listings = [("", None), ("", {"status": ["beta"]}), ("subsidie", None)]
    for query, filters in listings:
        counts(query, filters)  # kept now
    total, facets = counts()
    assert total == 4 and facets["status"]["beta"][1] == 2

    # A new solution, through the ORM as the services make them.
    made = make_solution(
        cooperative=zob, name="Subsidieportaal", development_status="beta", developed_by=eindhoven
    )
    total, facets = counts()
    assert total == 5 and facets["status"]["beta"][1] == 3
    assert counts("subsidie")[0] == 3
    assert counts("", {"status": ["beta"]})[0] == 3

    # A queryset update, which no model signal sees.
    Solution.objects.filter(pk=made.pk).update(development_status="obsolete")
    total, facets = counts()
    assert facets["status"]["beta"][1] == 2 and facets["status"]["obsolete"][1] == 1
    assert counts("", {"status": ["beta"]})[0] == 2

    # A category added in bulk.
    SolutionCategory.objects.bulk_create([SolutionCategory(solution=made, category="hr")])
    assert counts()[1]["category"]["hr"][1] == 1

    # The developer renamed: the facet shows the new name.
    Organisation.objects.filter(pk=eindhoven.pk).update(name="Gemeente Eindhoven")
    assert counts()[1]["developed_by"][eindhoven.slug][0] == "Gemeente Eindhoven"

    # A solution gone.
    library["Subsidieloket"].delete()
    total, facets = counts()
    assert total == 4 and counts("subsidie")[0] == 2


def test_a_change_rolled_back_leaves_no_counts_behind(library, zob):
    assert counts()[0] == 4
    with pytest.raises(RuntimeError), transaction.atomic():
        make_solution(cooperative=zob, name="Subsidieportaal")
        assert counts()[0] == 5
        raise RuntimeError("undone")
    assert counts()[0] == 4


def test_kept_counts_spare_the_pass_over_the_library(library, zob, django_assert_num_queries):
    catalogue("", {"status": ["beta", "stable"]})
    # The page with the library's token; the page's solutions; their categories.
    with django_assert_num_queries(3):
        result = catalogue("", {"status": ["beta", "stable"]})
    assert result.count == 4
    make_solution(cooperative=zob, name="Subsidieportaal", development_status="stable")
    # After a change, the counts once more (in one pass with the page), then kept again.
    with django_assert_num_queries(4):
        assert catalogue("", {"status": ["beta", "stable"]}).count == 5
    with django_assert_num_queries(3):
        assert catalogue("", {"status": ["beta", "stable"]}).count == 5


def test_a_queryset_update_sets_a_new_token(library):
    """Set by the database's triggers, so also for writes no model signal sees."""

    def token():
        with connection.cursor() as cursor:
            cursor.execute("SELECT token FROM solutions_catalogue_version WHERE id = 1")
            return cursor.fetchone()[0]

    before = token()
    Solution.objects.filter(pk=library["Subsidieloket"].pk).update(licence="MIT")
    assert token() != before


def test_ticking_statuses_reads_the_counts_of_the_search_it_refines(
    library, django_assert_max_num_queries, django_assert_num_queries
):
    # The counts are kept by status: a search, then the same search with statuses ticked,
    # counts once; each answer is what counting it afresh gives.
    first = counts("subsidie")
    for ticked in (["beta"], ["stable"], ["beta", "stable"], ["obsolete"]):
        # The page with the token; its solutions and their categories, when there are any.
        with django_assert_max_num_queries(3):
            kept = counts("subsidie", {"status": ticked})
        clear_cache()
        assert kept == counts("subsidie", {"status": ticked})
    assert counts("subsidie") == first
    assert counts("subsidie", {"status": ["beta"]})[0] == 1
    assert counts("subsidie", {"status": ["obsolete"]})[1]["status"]["beta"][1] == 1
    # Another facet ticked is another search: counted on its own.
    with django_assert_num_queries(4):
        counts("subsidie", {"status": ["beta"], "licence": ["MIT"]})
