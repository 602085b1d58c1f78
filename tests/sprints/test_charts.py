"""Burndown and velocity, derived from a history recorded with the clock frozen.

The sprint of the burndown: 14 days from Monday 3 March 2025 (Europe/Amsterdam).

    Fri 28 Feb   A 5, B 3, C 8, D 2 committed before the start (18 points)
    Mon  3 Mar   started
    Tue  4 Mar   A in progress                              18
    Wed  5 Mar   A done                                     13
    Thu  6 Mar   E 3 added to the running sprint            16  (added 3)
    Fri  7 Mar   C re-estimated 8 -> 13                     21
    Mon 10 Mar   B done                                     18
    Wed 12 Mar   D done                                     16
    Fri 14 Mar   E done                                     13
"""

import importlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from sprints import selectors, services
from sprints.models import ItemChange, ItemStatus, Sprint
from tests.sprints.flows import ready_item, run_sprint

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = date(2025, 3, 3)


def at(day: int, hour: int, month: int = 3):
    return time_machine.travel(datetime(2025, month, day, hour, tzinfo=AMSTERDAM), tick=False)


@pytest.fixture
def sprint_history(product, product_owner, developer):
    """Records the history in the module docstring; returns the sprint and its items."""
    with at(28, 10, month=2):
        items = {
            name: ready_item(product, product_owner, f"Item {name}", points)
            for name, points in (("A", 5), ("B", 3), ("C", 8), ("D", 2), ("E", 3))
        }
        sprint = services.plan_sprint(actor=product_owner, product=product, start=START)
        services.commit_items(actor=product_owner, sprint=sprint, items=[items[n] for n in "ABCD"])
    with at(3, 9):
        services.start_sprint(actor=product_owner, sprint=sprint)

    def status(name, new):
        services.set_item_status(actor=developer, item=items[name], status=new)

    with at(4, 15):
        status("A", ItemStatus.IN_PROGRESS)
    with at(5, 11):
        status("A", ItemStatus.DONE)
    with at(6, 10):
        services.commit_items(actor=product_owner, sprint=sprint, items=[items["E"]])
    with at(7, 14):
        item = items["C"]
        item.refresh_from_db()
        services.update_item(actor=developer, item=item, version=item.version, estimate=13)
    with at(10, 16):
        status("B", ItemStatus.DONE)
    with at(12, 10):
        status("D", ItemStatus.DONE)
    with at(14, 17):
        status("E", ItemStatus.DONE)
    return sprint, items


# (date, remaining, ideal, added) for every day of the sprint, both ends included: 14 days,
# `end` (16 March) being the last; the ideal line reaches zero at the end of it.
EXPECTED = [
    (date(2025, 3, 3), 18, 16.7, 0),
    (date(2025, 3, 4), 18, 15.4, 0),
    (date(2025, 3, 5), 13, 14.1, 0),
    (date(2025, 3, 6), 16, 12.9, 3),
    (date(2025, 3, 7), 21, 11.6, 0),
    (date(2025, 3, 8), 21, 10.3, 0),
    (date(2025, 3, 9), 21, 9.0, 0),
    (date(2025, 3, 10), 18, 7.7, 0),
    (date(2025, 3, 11), 18, 6.4, 0),
    (date(2025, 3, 12), 16, 5.1, 0),
    (date(2025, 3, 13), 16, 3.9, 0),
    (date(2025, 3, 14), 13, 2.6, 0),
    (date(2025, 3, 15), 13, 1.3, 0),
    (date(2025, 3, 16), 13, 0.0, 0),
]


def test_a_14_day_sprint_ends_on_its_last_day_and_has_14_points(sprint_history):
    sprint, _items = sprint_history
    assert sprint.end == date(2025, 3, 16)  # the Sunday: inclusive
    with at(17, 18):
        rows = selectors.burndown(sprint)
    assert len(rows) == 14
    assert (rows[0]["date"], rows[-1]["date"]) == (sprint.start, sprint.end)


def test_burndown_replays_the_history_day_by_day(sprint_history, product_owner):
    sprint, _items = sprint_history
    with at(17, 18):
        sprint = services.finish_sprint(actor=product_owner, sprint=sprint)
        rows = selectors.burndown(sprint)
    assert [(r["date"], r["remaining"], r["ideal"], r["added"]) for r in rows] == EXPECTED
    assert all(r["removed"] == 0 for r in rows)


def test_days_still_to_come_have_no_remaining_yet(sprint_history):
    sprint, _items = sprint_history
    with at(12, 12):
        rows = selectors.burndown(sprint)
    assert [r["remaining"] for r in rows] == [r[1] for r in EXPECTED[:10]] + [None] * 4
    # The ideal line is drawn for the whole sprint.
    assert [r["ideal"] for r in rows] == [r[2] for r in EXPECTED]


def test_the_burndown_does_not_change_when_read_later(sprint_history, product_owner):
    sprint, _items = sprint_history
    with at(17, 18):
        services.finish_sprint(actor=product_owner, sprint=sprint)
    with at(20, 9):
        sprint = services.close_sprint(actor=product_owner, sprint=sprint)
    with at(15, 9, month=4):
        rows = selectors.burndown(sprint)
    assert [(r["date"], r["remaining"], r["ideal"], r["added"]) for r in rows] == EXPECTED


def test_removing_an_item_from_scope_shows_as_removed(product, product_owner, developer):
    """Closing the sprint early returns unfinished work: visible as scope removed that day."""
    with at(28, 10, month=2):
        items = [ready_item(product, product_owner, f"Item {n}", 5) for n in range(3)]
        sprint = services.plan_sprint(actor=product_owner, product=product, start=START)
        services.commit_items(actor=product_owner, sprint=sprint, items=items)
    with at(3, 9):
        services.start_sprint(actor=product_owner, sprint=sprint)
    with at(5, 12):
        services.set_item_status(actor=developer, item=items[0], status=ItemStatus.DONE)
    with at(7, 12):
        sprint = services.close_sprint(actor=product_owner, sprint=sprint)
    rows = {r["date"]: r for r in selectors.burndown(sprint)}
    assert rows[date(2025, 3, 4)]["remaining"] == 15
    assert rows[date(2025, 3, 5)]["remaining"] == 10
    assert (rows[date(2025, 3, 7)]["remaining"], rows[date(2025, 3, 7)]["removed"]) == (0, 10)


def test_velocity_is_the_last_six_closed_sprints_oldest_first(
    product, product_owner, developer, tester
):
    accepted = [1, 2, 3, 5, 8, 13, 20]
    sprints = []
    for number, points in enumerate(accepted):
        start = date(2025, 1, 6) + timedelta(days=14 * number)
        with time_machine.travel(
            datetime.combine(start, datetime.min.time(), tzinfo=AMSTERDAM) + timedelta(hours=9),
            tick=False,
        ):
            sprints.append(
                run_sprint(
                    product=product,
                    owner=product_owner,
                    developer=developer,
                    testers=[tester],
                    estimates=[points],
                    start=start,
                )
            )
    # A sprint still running counts for nothing yet.
    services.plan_sprint(actor=product_owner, product=product, start=timezone.localdate())
    rows = selectors.velocity(product)
    assert [(r["sprint"], r["id"], r["points"], r["committed"]) for r in rows] == [
        (s.number, s.pk, p, p) for s, p in zip(sprints[1:], accepted[1:], strict=True)
    ]
    assert [r["sprint"] for r in selectors.velocity(product, last=3)] == [5, 6, 7]
    assert str(services.average_velocity(product)) == "13.7"  # (8 + 13 + 20) / 3


def test_velocity_counts_accepted_points_not_committed_ones(
    product, product_owner, developer, tester
):
    sprint = services.plan_sprint(actor=product_owner, product=product, start=START)
    items = [ready_item(product, product_owner, f"Item {n}", 5) for n in range(3)]
    services.commit_items(actor=product_owner, sprint=sprint, items=items)
    services.start_sprint(actor=product_owner, sprint=sprint)
    for item in items[:2]:
        services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)
    increment = services.create_increment(
        actor=developer, product=product, version="0.1.0", items=items[:2], sprint=sprint
    )
    services.submit_increment(
        actor=product_owner, increment=increment, deadline=timezone.localdate(), testers=[tester]
    )
    services.give_verdict(actor=tester, increment=increment, item=items[0], accepted=True)
    services.give_verdict(
        actor=tester, increment=increment, item=items[1], accepted=False, remarks="Nog niet"
    )
    services.close_sprint(actor=product_owner, sprint=sprint)
    assert selectors.velocity(product) == [
        {"sprint": 1, "id": sprint.pk, "points": 5, "committed": 15}
    ]


def test_scope_added_on_the_first_day_after_the_start_is_visible(product, product_owner, developer):
    with at(28, 10, month=2):
        first = ready_item(product, product_owner, "Gepland", 5)
        late = ready_item(product, product_owner, "Later erbij", 3)
        sprint = services.plan_sprint(actor=product_owner, product=product, start=START)
        services.commit_items(actor=product_owner, sprint=sprint, items=[first])
    with at(3, 9):
        services.start_sprint(actor=product_owner, sprint=sprint)
    with at(3, 14):
        services.commit_items(actor=product_owner, sprint=sprint, items=[late])
    with at(4, 9):
        day_one = selectors.burndown(sprint)[0]
    assert (day_one["remaining"], day_one["ideal"], day_one["added"]) == (8, 4.6, 3)


def test_a_closed_sprints_velocity_is_unchanged_by_a_later_acceptance(
    product, product_owner, developer, tester
):
    """Sprint 1's item rejected in 0.1.0 is accepted on re-test during sprint 2: the points
    count toward sprint 2, in which they were accepted; sprint 1 keeps what it closed with."""
    sprint = services.plan_sprint(actor=product_owner, product=product, start=START)
    items = [
        ready_item(product, product_owner, f"Item {n}", points) for n, points in ((0, 5), (1, 3))
    ]
    services.commit_items(actor=product_owner, sprint=sprint, items=items)
    services.start_sprint(actor=product_owner, sprint=sprint)
    for item in items:
        services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)
    first = services.create_increment(
        actor=developer, product=product, version="0.1.0", items=items, sprint=sprint
    )
    services.submit_increment(
        actor=product_owner, increment=first, deadline=timezone.localdate(), testers=[tester]
    )
    services.give_verdict(actor=tester, increment=first, item=items[0], accepted=True)
    services.give_verdict(
        actor=tester, increment=first, item=items[1], accepted=False, remarks="Nog niet"
    )
    sprint = services.close_sprint(actor=product_owner, sprint=sprint)
    assert sprint.velocity == 5
    assert [r["points"] for r in selectors.velocity(product)] == [5]

    second_sprint = services.plan_sprint(
        actor=product_owner, product=product, start=sprint.end + timedelta(days=1)
    )
    services.start_sprint(actor=product_owner, sprint=second_sprint)
    retest = services.create_increment(
        actor=developer, product=product, version="0.2.0", items=[items[1]], sprint=second_sprint
    )
    services.submit_increment(
        actor=product_owner, increment=retest, deadline=timezone.localdate(), testers=[tester]
    )
    services.give_verdict(actor=tester, increment=retest, item=items[1], accepted=True)
    assert [r["points"] for r in selectors.velocity(product)] == [5]  # unchanged
    services.close_sprint(actor=product_owner, sprint=second_sprint)
    assert [(r["sprint"], r["points"]) for r in selectors.velocity(product)] == [(1, 5), (2, 3)]


def test_migration_0004_brings_existing_sprints_to_the_rules(
    product, product_owner, developer, tester
):
    """Sprints made before: `end` the day after the last, velocity summed when read. The
    migration moves `end` to the last day and stores what was accepted up to the closing."""
    from django.apps import apps

    migration = importlib.import_module("sprints.migrations.0004_sprint_velocity_inclusive_end")
    sprint = run_sprint(
        product=product,
        owner=product_owner,
        developer=developer,
        testers=[tester],
        estimates=[3, 5],
        start=START,
    )
    # As the old code left it: no stored velocity, and an acceptance after the closing
    # recorded under the closed sprint (it must not count).
    Sprint.objects.filter(pk=sprint.pk).update(end=START + timedelta(days=14), velocity=None)
    late = ready_item(product, product_owner, "Later geaccepteerd", 8)
    ItemChange.objects.create(
        item=late, sprint=sprint, field="status", old="done", new="accepted", points=8
    )
    migration.fix_velocity_and_end(apps, None)
    sprint.refresh_from_db()
    assert sprint.end == date(2025, 3, 16)
    assert sprint.velocity == 8  # 3 + 5, not the 8 accepted after the closing
