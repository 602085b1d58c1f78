"""deelbaar.statements: objects from SQL written out, as the ORM makes them (the callers' tests
hold each statement to the queryset it replaces; these hold the helpers themselves)."""

import gc
import threading
import weakref
from datetime import UTC, datetime

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from deelbaar import statements
from people.models import PersonalToken
from solutions.models import Solution, SolutionCategory
from tests.solutions.factories import make_solution

MOMENT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _as_stored(moment):
    # A datetime as the database hands it over: SQLite's naive (UTC), PostgreSQL's aware.
    return moment.replace(tzinfo=None) if connection.vendor == "sqlite" else moment


def _token_values():
    moment = _as_stored(MOMENT)
    return [1, 2, "laptop", "dlb_abcd", "0" * 64, moment, moment, None, None, ""]


def test_each_request_s_connection_is_freed_with_what_it_kept():
    # Under uvicorn a request runs in a thread of its own, with a connection of its own: the
    # converters kept for it must go with it, not pile up for the life of the process (they
    # are bound to the connection, so a registry of them kept every connection alive).
    made, alive = [], []

    def one_request():
        database = connections[DEFAULT_DB_ALIAS]
        made.append(statements.instance(PersonalToken, _token_values()))
        alive.append(weakref.ref(database))
        database.close()

    for _ in range(5):
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join()
    gc.collect()
    assert len(made) == 5 and made[0].created_at == MOMENT
    assert [ref() for ref in alive] == [None] * 5


def test_an_object_of_some_fields_leaves_the_others_to_be_read_on_use():
    token = statements.instance(
        PersonalToken, [7, "laptop", _as_stored(MOMENT)], ["id", "name", "created_at"]
    )
    assert (token.pk, token.name, token.created_at) == (7, "laptop", MOMENT)
    assert token.get_deferred_fields() == {
        "user_id",
        "prefix",
        "digest",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
    }


@pytest.mark.django_db
def test_prefetched_objects_are_the_relation_s_own(zob, django_assert_num_queries):
    # As after prefetch_related: .all() asks nothing, each object knows its owner, and a
    # call chained on the relation still asks about this solution only.
    one = make_solution(cooperative=zob, categories=["hr"])
    other = make_solution(cooperative=zob, categories=["communications", "hr"])
    fresh = Solution.objects.get(pk=other.pk)
    categories = list(SolutionCategory.objects.filter(solution=other).order_by("category"))
    statements.prefetched(fresh, "categories", categories)
    with django_assert_num_queries(0):
        assert [c.category for c in fresh.categories.all()] == ["communications", "hr"]
        assert fresh.categories.count() == 2
        assert all(c.solution is fresh for c in fresh.categories.all())
    with django_assert_num_queries(1):
        chained = set(fresh.categories.values_list("solution_id", flat=True))
    assert chained == {other.pk} and one.pk not in chained
