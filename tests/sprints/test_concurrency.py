"""Concurrent moves, item creation and sprint starts, with real threads and transactions.

Only PostgreSQL runs transactions truly side by side with row locks (SQLite serialises every
writer on one file lock, which would prove nothing), so these tests run in CI's PostgreSQL
pass. Each thread has its own database connection and closes it when done.
"""

import itertools
import os
import random
import threading

import pytest
from django.db import connection
from django.utils.timezone import localdate

from deelbaar.errors import Conflict
from sprints import services
from sprints.models import (
    BacklogItem,
    IncrementState,
    ItemChange,
    ItemStatus,
    Sprint,
    SprintState,
    TeamRole,
)

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason=(
            "needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises all writers, so "
            "concurrency would not be tested; runs in CI's PostgreSQL pass"
        ),
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


def run_together(work, count=THREADS):
    """Run `work(index)` in `count` threads released at the same moment; return the results
    and re-raise the first exception any thread met."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def runner(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as error:  # collected and re-raised in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def test_concurrent_moves_keep_the_backlog_a_permutation(product, product_owner, make_item):
    items = [make_item(f"Item {n}") for n in range(40)]
    # Adjacent positions: the first moves between neighbours must renumber, under contention.
    for position, item in enumerate(items, start=1):
        BacklogItem.objects.filter(pk=item.pk).update(position=position)
    pks = [item.pk for item in items]

    def move_ten(index):
        rng = random.Random(index)
        for _ in range(10):
            item, target = (BacklogItem.objects.get(pk=pk) for pk in rng.sample(pks, 2))
            where = rng.choice(["before", "after", "top", "bottom"])
            if where in ("top", "bottom"):
                services.move_item(actor=product_owner, item=item, to=where)
            else:
                services.move_item(actor=product_owner, item=item, **{where: target})
        return True

    assert run_together(move_ten) == [True] * THREADS
    rows = list(
        BacklogItem.objects.filter(product=product)
        .order_by("position", "pk")
        .values_list("pk", "position")
    )
    positions = [position for _pk, position in rows]
    assert len(rows) == 40
    assert sorted(pk for pk, _position in rows) == sorted(pks)  # none lost, none duplicated
    assert all(a < b for a, b in itertools.pairwise(positions))  # a strict order


def test_concurrent_creation_numbers_without_gaps(product, product_owner):
    def create_ten(index):
        return [
            services.create_item(
                actor=product_owner, product=product, title=f"Thread {index} item {n}"
            ).number
            for n in range(10)
        ]

    numbers = [n for batch in run_together(create_ten) for n in batch]
    assert sorted(numbers) == list(range(1, 81))
    stored = list(
        BacklogItem.objects.filter(product=product)
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert stored == list(range(1, 81))
    positions = list(BacklogItem.objects.filter(product=product).values_list("position", flat=True))
    assert len(set(positions)) == 80
    product.refresh_from_db()
    assert product.last_item_number == 80


def test_two_people_starting_two_sprints_at_once_leave_one_active(
    product, product_owner, person, eindhoven
):
    second_owner = person("pieter", eindhoven)
    services.add_team_member(
        actor=product_owner, product=product, user=second_owner, role=TeamRole.PRODUCT_OWNER
    )
    owners = [product_owner, second_owner]
    for round_ in range(3):
        sprints = [
            services.plan_sprint(actor=product_owner, product=product, start=localdate())
            for _ in owners
        ]

        def start(index, sprints=sprints):
            try:
                services.start_sprint(actor=owners[index], sprint=sprints[index])
            except Conflict:
                return "conflict"
            return "started"

        outcomes = run_together(start, count=2)
        assert sorted(outcomes) == ["conflict", "started"], round_
        active = list(Sprint.objects.filter(product=product, state=SprintState.ACTIVE))
        assert len(active) == 1
        loser = next(s for s in sprints if s.pk != active[0].pk)
        loser.refresh_from_db()
        assert loser.state == SprintState.PLANNED and loser.started_at is None
        # Clear the way for the next round.
        services.close_sprint(actor=product_owner, sprint=active[0])
        services.start_sprint(actor=product_owner, sprint=loser)
        services.close_sprint(actor=product_owner, sprint=loser)


def test_testers_accepting_at_once_decide_each_item_exactly_once(
    product, product_owner, developer, tester, second_tester, active_sprint
):
    """Each verdict counts the others' under the increment's lock, so the last of two
    simultaneous acceptances always sees both and accepts the item, once."""
    items = list(active_sprint.items.order_by("position"))
    for item in items:
        services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)
    increment = services.create_increment(
        actor=developer, product=product, version="0.1.0", items=items
    )
    services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=localdate(),
        testers=[tester, second_tester],
    )
    testers = [tester, second_tester]

    def accept_all(index):
        for item in items:
            services.give_verdict(
                actor=testers[index], increment=increment, item=item, accepted=True
            )

    run_together(accept_all, count=2)
    increment.refresh_from_db()
    assert increment.state == IncrementState.ACCEPTED
    assert set(increment.increment_items.values_list("outcome", flat=True)) == {"accepted"}
    for item in items:
        item.refresh_from_db()
        assert item.status == ItemStatus.ACCEPTED
        assert ItemChange.objects.filter(item=item, field="status", new="accepted").count() == 1
