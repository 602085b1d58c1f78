"""Acceptance: a tester's inbox, who may judge, the increments, and the verdicts given on an
item (what was said last time, what followed up)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from deelbaar.permissions import allowed
from deelbaar.typing import User
from sprints.models import (
    AcceptanceCriterion,
    BacklogItem,
    CriterionVerdict,
    Increment,
    IncrementItem,
    IncrementState,
    ItemOutcome,
    Product,
    TeamRole,
    Verdict,
)
from sprints.selectors._common import CRITERIA


def awaiting_verdict_of(user: User) -> QuerySet[IncrementItem]:
    """The items awaiting this tester's verdict: in a submitted increment they were asked to
    judge, still pending, not yet judged by them. The one rule for the inbox, "Mijn werk" and
    its count in the menu."""
    mine = Verdict.objects.filter(increment_item=OuterRef("pk"), tester=user)
    return IncrementItem.objects.filter(
        increment__state=IncrementState.SUBMITTED,
        increment__testers=user,
        outcome=ItemOutcome.PENDING,
    ).exclude(Exists(mine))


def inbox_for(user: User) -> QuerySet[IncrementItem]:
    """Every item awaiting this tester's verdict, across products, soonest deadline first."""
    return (
        awaiting_verdict_of(user)
        .select_related("increment__product__cooperative", "item__product")
        .prefetch_related(Prefetch("item__criteria", queryset=CRITERIA.queryset))
        .order_by("increment__deadline", "increment_id", "item__position")
    )


def eligible_testers(product: Product) -> list[User]:
    """The people who may judge the product's increments: its team's testers whom the rules let
    give a verdict (not who built the work). The one rule for the page's choice and the check
    in `submit_increment`."""
    members = product.members.filter(role=TeamRole.TESTER).select_related("user")
    return [m.user for m in members if allowed(m.user, "sprints.give_verdict", product)]


def verdict_history(item: BacklogItem) -> QuerySet[Verdict]:
    """Every verdict ever given on the item, oldest first, with its increment."""
    return (
        Verdict.objects.filter(increment_item__item=item)
        .select_related("tester", "increment_item__increment")
        .order_by("given_at", "id")
    )


def verdict_rows(item: BacklogItem) -> list[dict[str, Any]]:
    """The item's verdicts, oldest first, each marked superseded once a later increment's
    verdict on the same item exists."""
    verdicts = list(verdict_history(item))
    follow_ups: dict[int | None, list[BacklogItem]] = {}
    for follow_up in BacklogItem.objects.filter(follow_up_of__in=verdicts).select_related(
        "product"
    ):
        follow_ups.setdefault(follow_up.follow_up_of_id, []).append(follow_up)
    increments = {v.increment_item.increment.pk: v.increment_item.increment for v in verdicts}
    rows = []
    for verdict in verdicts:
        increment = verdict.increment_item.increment
        later = sorted(
            (i for i in increments.values() if i.created_at > increment.created_at),
            key=lambda i: i.created_at,
        )
        rows.append(
            {
                "verdict": verdict,
                "increment": increment,
                "superseded_by": later[0] if later else None,
                "follow_ups": follow_ups.get(verdict.pk, []),
            }
        )
    return rows


def followed_up_verdict(item: BacklogItem) -> Verdict | None:
    """The verdict an item is the follow-up of, or None."""
    if not item.follow_up_of_id:
        return None
    return (
        Verdict.objects.select_related("increment_item__item__product", "tester")
        .filter(pk=item.follow_up_of_id)
        .first()
    )


def increments_of(product: Product) -> QuerySet[Increment]:
    return (
        Increment.objects.filter(product=product)
        .select_related("sprint")
        .prefetch_related(
            Prefetch(
                "increment_items", queryset=IncrementItem.objects.select_related("item__product")
            )
        )
        .order_by("-created_at")
    )


def last_time_not_met(
    items: Iterable[BacklogItem] | QuerySet[BacklogItem], *, increment: Increment | None = None
) -> dict[int, CriterionVerdict]:
    """For each criterion of these items that was not met last time (before `increment`),
    what was said then.

    A follow-up's criterion points at the verdict on the criterion it copies; a criterion
    re-tested itself in a later increment has its own earlier verdicts (the latest counts)."""
    criteria = AcceptanceCriterion.objects.filter(item__in=items)
    found: dict[int, CriterionVerdict] = {}
    earlier = (
        CriterionVerdict.objects.filter(criterion__in=criteria)
        .exclude(verdict__increment_item__increment=increment)
        .select_related("verdict__increment_item__increment", "verdict__tester")
        .order_by("verdict__given_at", "verdict_id")
    )
    for verdict in earlier:
        if verdict.criterion_id is None:  # only criteria of `items` were asked for
            continue
        if verdict.met:
            found.pop(verdict.criterion_id, None)
        else:
            found[verdict.criterion_id] = verdict
    copied = criteria.filter(follows_up__isnull=False).select_related(
        "follows_up__verdict__increment_item__increment", "follows_up__verdict__tester"
    )
    for criterion in copied:
        if criterion.follows_up is not None:
            found.setdefault(criterion.pk, criterion.follows_up)
    return found
