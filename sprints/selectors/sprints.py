"""Sprints: the board, what goes back to the backlog when one closes, and the numbers of the
burndown and velocity charts, replayed from the items' recorded changes."""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Final, Literal

from django.db.models import Sum
from django.utils import timezone

from sprints.models import BacklogItem, ItemChange, ItemStatus, Product, Sprint, SprintState
from sprints.selectors._common import CRITERIA, DONE_STATUSES

# What `close_sprint` sends back to the backlog; it reads this list too.
UNFINISHED_STATUSES = (ItemStatus.TODO, ItemStatus.IN_PROGRESS)

# `board_for(sprint, assignee=UNASSIGNED)`: only the items nobody has taken.
UNASSIGNED: Final = "none"


def board_for(
    sprint: Sprint, *, assignee: int | Literal["none"] | None = None
) -> dict[str, list[BacklogItem]]:
    """The sprint's items grouped by board column, in backlog order, with their assignees.

    `assignee`: None for everyone's items, UNASSIGNED for those nobody has, or a person's id.
    """
    columns: dict[str, list[BacklogItem]] = {
        ItemStatus.TODO: [],
        ItemStatus.IN_PROGRESS: [],
        ItemStatus.DONE: [],
        ItemStatus.ACCEPTED: [],
    }
    items = sprint.items.select_related("product", "assignee").prefetch_related(CRITERIA)
    if assignee == UNASSIGNED:
        items = items.filter(assignee__isnull=True)
    elif isinstance(assignee, int):
        items = items.filter(assignee_id=assignee)
    for item in items.order_by("position"):
        columns.setdefault(item.status, []).append(item)
    return columns


def unfinished_count(sprint: Sprint) -> int:
    """How many of the sprint's items go back to the backlog when it closes: those still to do
    or in progress (the rule of `close_sprint`; done items stay with the sprint, to be judged)."""
    return sprint.items.filter(status__in=UNFINISHED_STATUSES).count()


def current_sprint(product: Product) -> Sprint | None:
    return (
        product.sprints.filter(state__in=[SprintState.ACTIVE, SprintState.REVIEW])
        .order_by("-number")
        .first()
    )


def _day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def burndown(sprint: Sprint) -> list[dict[str, Any]]:
    """Remaining points at the end of each day of the sprint, replayed from the item history.

    Each row: date, remaining, ideal, added and removed (scope changes on that day).
    """
    changes = list(
        ItemChange.objects.filter(sprint=sprint, field__in=["sprint", "status", "estimate"])
        .order_by("at", "id")
        .values("item_id", "field", "old", "new", "points", "at")
    )
    in_scope: set[int] = set()
    points: dict[int, int] = {}
    finished: set[int] = set()
    started = sprint.started_at or _day_end(sprint.start - timedelta(days=1))
    index = 0

    def apply(change: Mapping[str, Any]) -> None:
        item, field = change["item_id"], change["field"]
        points[item] = change["points"] or 0
        if field == "sprint":
            if change["new"] == sprint.pk:
                in_scope.add(item)
            else:
                in_scope.discard(item)
        elif field == "status":
            if change["new"] in DONE_STATUSES:
                finished.add(item)
            else:
                finished.discard(item)

    while index < len(changes) and changes[index]["at"] <= started:
        apply(changes[index])
        index += 1
    initial = sum(points.get(i, 0) for i in in_scope)
    # `end` is the sprint's last day, inclusive: one row for each day, the end of that day.
    days = (sprint.end - sprint.start).days + 1
    rows = []
    today = timezone.localdate()
    for offset in range(days):
        day = sprint.start + timedelta(days=offset)
        before = set(in_scope)
        while index < len(changes) and changes[index]["at"] < _day_end(day):
            apply(changes[index])
            index += 1
        remaining = sum(points.get(i, 0) for i in in_scope if i not in finished)
        future = day > today and sprint.state in (SprintState.PLANNED, SprintState.ACTIVE)
        rows.append(
            {
                "date": day,
                "remaining": None if future else remaining,
                # The ideal line reaches zero at the end of the last day.
                "ideal": round(initial * (1 - (offset + 1) / days), 1),
                # `before` is the scope at the start (day 0) or the end of the previous day,
                # so work added on the first day after the start shows as added too.
                "added": sum(points.get(i, 0) for i in in_scope - before),
                "removed": sum(points.get(i, 0) for i in before - in_scope),
            }
        )
    return rows


def velocity(
    product: Product, *, last: int = 6, before: Sprint | None = None
) -> list[dict[str, int]]:
    """Accepted points per closed sprint, the last `last` sprints, oldest first: each as
    stored when it closed (an item accepted later counts toward the sprint running then)."""
    sprints = product.sprints.filter(state=SprintState.CLOSED)
    if before is not None:
        sprints = sprints.filter(number__lt=before.number)
    chosen = list(sprints.order_by("-number")[:last])
    accepted = {s.pk: s.velocity for s in chosen}
    committed = dict(
        ItemChange.objects.filter(sprint__in=chosen, field="sprint", old__isnull=True)
        .values("sprint_id")
        .annotate(total=Sum("points"))
        .values_list("sprint_id", "total")
    )
    return [
        {
            "sprint": s.number,
            "id": s.pk,
            "points": accepted.get(s.pk) or 0,
            "committed": committed.get(s.pk) or 0,
        }
        for s in reversed(chosen)
    ]
