"""The sprints' part of "Mijn werk" (deelbaar.work): for testers, the increments awaiting their
verdict, soonest deadline first; for product owners and developers, their products with the
active sprint's progress and what needs them. Reads only, each in one query."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from deelbaar.work import Section
from sprints.models import (
    Increment,
    IncrementState,
    ItemStatus,
    Sprint,
    SprintState,
    TeamMember,
    TeamRole,
)
from sprints.selectors.acceptance import awaiting_verdict_of

FINISHED = [ItemStatus.DONE, ItemStatus.ACCEPTED]


def awaiting_verdict(user):
    """The submitted increments this tester was asked to judge with items still awaiting their
    verdict, each with `waiting` (that number), soonest deadline first."""
    pending = (
        awaiting_verdict_of(user)
        .filter(increment=OuterRef("pk"))
        .order_by()
        .values("increment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Increment.objects.filter(state=IncrementState.SUBMITTED, testers=user)
        .annotate(waiting=Coalesce(Subquery(pending, output_field=IntegerField()), 0))
        .filter(waiting__gt=0)
        .select_related("product__cooperative")
        .order_by("deadline", "pk")
    )


def team_products(user):
    """The products this person owns or develops, each with `roles` (theirs), `sprint` (the
    active or reviewed one, with its progress counted) and `in_acceptance` (increments awaiting
    the testers)."""
    roles = {}
    for member in TeamMember.objects.filter(
        user=user, role__in=[TeamRole.PRODUCT_OWNER, TeamRole.DEVELOPER]
    ).select_related("product__cooperative"):
        roles.setdefault(member.product, set()).add(member.role)
    if not roles:
        return []
    products = sorted(roles, key=lambda p: p.name)
    sprints = {
        sprint.product_id: sprint
        for sprint in Sprint.objects.filter(
            product__in=products, state__in=[SprintState.ACTIVE, SprintState.REVIEW]
        ).annotate(
            item_total=Count("items"),
            item_done=Count("items", filter=Q(items__status__in=FINISHED)),
            points_total=Coalesce(Sum("items__estimate"), 0),
            points_done=Coalesce(Sum("items__estimate", filter=Q(items__status__in=FINISHED)), 0),
            item_in_progress=Count("items", filter=Q(items__status=ItemStatus.IN_PROGRESS)),
        )
    }
    in_acceptance = dict(
        Increment.objects.filter(product__in=products, state=IncrementState.SUBMITTED)
        .order_by()
        .values("product")
        .annotate(n=Count("pk"))
        .values_list("product", "n")
    )
    rows = []
    for product in products:
        sprint = sprints.get(product.pk)
        if sprint is not None:
            sprint.percent = (
                round(100 * sprint.item_done / sprint.item_total) if sprint.item_total else 0
            )
        rows.append(
            {
                "product": product,
                "owner": TeamRole.PRODUCT_OWNER in roles[product],
                "developer": TeamRole.DEVELOPER in roles[product],
                "sprint": sprint,
                "in_acceptance": in_acceptance.get(product.pk, 0),
                # A product owner closes a sprint in review; nobody else can.
                "needs_closing": sprint is not None
                and sprint.state == SprintState.REVIEW
                and TeamRole.PRODUCT_OWNER in roles[product],
            }
        )
    return rows


def sections(user) -> list[Section]:
    found = []
    increments = list(awaiting_verdict(user))
    if increments or TeamMember.objects.filter(user=user, role=TeamRole.TESTER).exists():
        found.append(
            Section(
                key="verdicts",
                title=_("Awaiting your verdict"),
                template="sprints/work/_verdicts.html",
                context={"increments": increments},
                waiting=sum(i.waiting for i in increments),
                order=10,
            )
        )
    products = team_products(user)
    if products:
        found.append(
            Section(
                key="products",
                title=_("Your products"),
                template="sprints/work/_products.html",
                context={"rows": products},
                waiting=sum(1 for row in products if row["needs_closing"]),
                order=30,
            )
        )
    return found


def waiting(user):
    """The items awaiting this tester's verdict, and the sprints in review this product owner
    is to close: what the sections count as waiting."""
    verdicts = awaiting_verdict_of(user)
    to_close = Sprint.objects.filter(
        state=SprintState.REVIEW,
        product__members__user=user,
        product__members__role=TeamRole.PRODUCT_OWNER,
    )
    return [verdicts, to_close]
