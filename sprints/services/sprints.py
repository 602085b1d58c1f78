"""A sprint's life: planning, committing items, starting, finishing and closing."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from deelbaar.errors import Conflict, DomainError
from deelbaar.permissions import require
from deelbaar.typing import User
from sprints import events
from sprints.models import (
    BacklogItem,
    ItemChange,
    ItemStatus,
    Product,
    Sprint,
    SprintState,
)
from sprints.selectors import UNFINISHED_STATUSES
from sprints.services._common import _change, _lock
from sprints.services.backlog import GAP


@dataclass(frozen=True)
class Commitment:
    sprint: Sprint
    points: int
    average_velocity: Decimal | None

    @property
    def exceeds_velocity(self) -> bool:
        return self.average_velocity is not None and self.points > self.average_velocity


@transaction.atomic
def plan_sprint(*, actor: User, product: Product, start: date, goal: str = "") -> Sprint:
    require(actor, "sprints.plan_sprint", product)
    if not isinstance(start, date):
        raise DomainError(_("Give the sprint's start date."), field="start")
    product = _lock(product)
    number = (product.sprints.aggregate(n=Max("number"))["n"] or 0) + 1
    sprint = Sprint.objects.create(
        product=product,
        number=number,
        goal=(goal or "").strip(),
        start=start,
        # `end` is the sprint's last day, inclusive: a 14-day sprint from a Monday ends on
        # the Sunday a fortnight later, and the next one starts the day after.
        end=start + timedelta(days=product.sprint_length_days - 1),
    )
    audit.record(
        actor=actor,
        action="sprint.planned",
        obj=sprint,
        cooperative=product.cooperative,
        changes={"state": [None, sprint.state], "start": [None, start], "end": [None, sprint.end]},
    )
    events.sprint_event(sprint, "sprint.planned")
    return sprint


def average_velocity(
    product: Product, *, before: Sprint | None = None, count: int = 3
) -> Decimal | None:
    """Average accepted points of the last `count` closed sprints, or None without history."""
    from sprints.selectors import velocity

    rows = velocity(product, last=count, before=before)
    if not rows:
        return None
    return (Decimal(sum(r["points"] for r in rows)) / len(rows)).quantize(Decimal("0.1"))


@transaction.atomic
def commit_items(*, actor: User, sprint: Sprint, items: Any) -> Commitment:
    """Commit ready backlog items to a planned or active sprint."""
    require(actor, "sprints.plan_sprint", sprint.product)
    _lock(sprint.product)
    sprint = Sprint.objects.select_related("product").get(pk=sprint.pk)
    if sprint.state not in (SprintState.PLANNED, SprintState.ACTIVE):
        raise Conflict(
            _("Items can only be committed to a planned or active sprint; this one is %(state)s.")
            % {"state": sprint.get_state_display()},
            field="state",
        )
    ids = [getattr(item, "pk", item) for item in items]
    chosen = list(
        BacklogItem.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("product")
    )
    if len(chosen) != len(set(ids)):
        raise DomainError(_("Some of the items do not exist."), field="items")
    for item in chosen:
        if item.product_id != sprint.product_id:
            raise DomainError(
                _("%(reference)s belongs to another product.") % {"reference": item.reference},
                field="items",
            )
        if item.status != ItemStatus.OPEN or item.sprint_id is not None:
            raise Conflict(
                _("%(reference)s is not in the backlog (it is %(status)s).")
                % {"reference": item.reference, "status": item.get_status_display()},
                field="items",
            )
        if not item.is_ready:
            missing = _("acceptance criteria") if not item.acceptance_criteria else _("an estimate")
            raise DomainError(
                _("%(reference)s is not ready: it has no %(missing)s.")
                % {"reference": item.reference, "missing": missing},
                field="items",
            )
    for item in chosen:
        item.sprint = sprint
        item.status = ItemStatus.TODO
        item.version += 1
        item.save(update_fields=["sprint", "status", "version"])
        _change(item, "sprint", None, sprint.pk, actor=actor)
        _change(item, "status", ItemStatus.OPEN, ItemStatus.TODO, actor=actor)
        events.item_event(item, "item.changed")
    points = sum(i.estimate or 0 for i in sprint.items.all())
    return Commitment(
        sprint=sprint,
        points=points,
        average_velocity=average_velocity(sprint.product, before=sprint),
    )


def _transition(
    sprint: Sprint, actor: User, source_states: Any, target: Any, message: str
) -> tuple[Sprint, str]:
    require(actor, "sprints.plan_sprint", sprint.product)
    sprint = (
        Sprint.objects.select_for_update(of=("self",))
        .select_related("product__cooperative")
        .get(pk=sprint.pk)
    )
    if sprint.state not in source_states:
        raise Conflict(message % {"state": sprint.get_state_display()}, field="state")
    before = sprint.state
    sprint.state = target
    return sprint, before


@transaction.atomic
def start_sprint(*, actor: User, sprint: Sprint) -> Sprint:
    sprint, before = _transition(
        sprint,
        actor,
        (SprintState.PLANNED,),
        SprintState.ACTIVE,
        _("Only a planned sprint can be started; this one is %(state)s."),
    )
    sprint.started_at = timezone.now()
    try:
        with transaction.atomic():
            sprint.save(update_fields=["state", "started_at"])
    except IntegrityError as error:
        raise Conflict(
            _("This product already has an active sprint; close it first."), field="state"
        ) from error
    audit.record(
        actor=actor,
        action="sprint.started",
        obj=sprint,
        cooperative=sprint.product.cooperative,
        changes={"state": [before, sprint.state]},
    )
    events.sprint_event(sprint, "sprint.started", actor=actor.pk)
    return sprint


@transaction.atomic
def finish_sprint(*, actor: User, sprint: Sprint) -> Sprint:
    """End the work of an active sprint: it goes to review."""
    sprint, before = _transition(
        sprint,
        actor,
        (SprintState.ACTIVE,),
        SprintState.REVIEW,
        _("Only an active sprint can go to review; this one is %(state)s."),
    )
    sprint.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="sprint.review",
        obj=sprint,
        cooperative=sprint.product.cooperative,
        changes={"state": [before, sprint.state]},
    )
    events.sprint_event(sprint, "sprint.review")
    return sprint


@transaction.atomic
def close_sprint(*, actor: User, sprint: Sprint) -> Sprint:
    """Close the sprint; unfinished items go back to the top of the backlog as not done."""
    _lock(sprint.product)
    sprint, before = _transition(
        sprint,
        actor,
        (SprintState.ACTIVE, SprintState.REVIEW),
        SprintState.CLOSED,
        _("Only an active sprint or one in review can be closed; this one is %(state)s."),
    )
    sprint.closed_at = timezone.now()
    # Fixed now: what is accepted later counts toward the sprint running then.
    sprint.velocity = (
        ItemChange.objects.filter(sprint=sprint, field="status", new=ItemStatus.ACCEPTED).aggregate(
            total=Sum("points")
        )["total"]
        or 0
    )
    sprint.save(update_fields=["state", "closed_at", "velocity"])
    unfinished = list(
        # One rule with the close confirmation's count (selectors.unfinished_count).
        sprint.items.filter(status__in=UNFINISHED_STATUSES).order_by("position")
    )
    low = sprint.product.items.aggregate(low=Min("position"))["low"] or 0
    start = low - GAP * len(unfinished)
    for index, item in enumerate(unfinished):
        old_status = item.status
        item.position = start + index * GAP
        item.status = ItemStatus.OPEN
        item.sprint = None
        item.version += 1
        item.save(update_fields=["position", "status", "sprint", "version"])
        _change(item, "status", old_status, ItemStatus.OPEN, actor=actor, sprint=sprint)
        _change(item, "sprint", sprint.pk, None, actor=actor, sprint=sprint)
        _change(item, "not_done", None, sprint.pk, actor=actor, sprint=sprint)
        events.item_event(item, "item.moved")
    audit.record(
        actor=actor,
        action="sprint.closed",
        obj=sprint,
        cooperative=sprint.product.cooperative,
        changes={
            "state": [before, sprint.state],
            "velocity": [None, sprint.velocity],
            "not_done": [None, [i.reference for i in unfinished]],
        },
    )
    events.sprint_event(
        sprint, "sprint.closed", not_done=[i.pk for i in unfinished], actor=actor.pk
    )
    return sprint
