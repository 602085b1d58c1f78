"""Reads of the sprints app: the backlog, the board, the charts' numbers and the inbox."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cooperative.models import (
    OPEN_STATES,
    Affiliation,
    Cooperative,
    Membership,
    Organisation,
    OrganisationKind,
)
from deelbaar.permissions import allowed
from deelbaar.typing import User
from sprints import hooks
from sprints.models import (
    AcceptanceCriterion,
    BacklogItem,
    CriterionVerdict,
    Increment,
    IncrementItem,
    IncrementState,
    ItemChange,
    ItemOutcome,
    ItemStatus,
    Product,
    SprintState,
    TeamMember,
    TeamRole,
    Verdict,
)

DONE_STATUSES = {ItemStatus.DONE, ItemStatus.ACCEPTED}
# What `close_sprint` sends back to the backlog; it reads this list too.
UNFINISHED_STATUSES = (ItemStatus.TODO, ItemStatus.IN_PROGRESS)
# An item's criteria, each with what was said last time when it follows up one not met: one
# query for any number of items.
CRITERIA = Prefetch(
    "criteria",
    queryset=AcceptanceCriterion.objects.select_related(
        "follows_up__verdict__increment_item__item__product",
        "follows_up__verdict__increment_item__increment",
    ),
)


def team_roles_of(user_ids, product_ids) -> dict:
    """{(user_id, product_id): role} of these people on these products (the audit trail's)."""
    return {
        (user_id, product_id): role
        for user_id, product_id, role in TeamMember.objects.filter(
            user_id__in=user_ids, product_id__in=product_ids
        ).values_list("user_id", "product_id", "role")
    }


def visible_product_ids(user) -> set:
    return set(products_visible_to(user).values_list("pk", flat=True))


def products_visible_to(user):
    """Products a person may see: their team's, their organisations', their cooperatives'."""
    if user is None or not user.is_authenticated:
        return Product.objects.none()
    # Visibility and the item count are subqueries: joining the team, the affiliations, the
    # coordinators and the items in one query multiplies the rows by each of them.
    visible = Product.objects.filter(
        Q(members__user=user)
        | Q(owner__affiliations__user=user)
        | Q(participants__affiliations__user=user)
        | Q(cooperative__coordinator__user=user)
    ).values("pk")
    item_count = (
        BacklogItem.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Product.objects.filter(pk__in=visible)
        .select_related("cooperative", "owner")
        .annotate(item_count=Coalesce(Subquery(item_count), 0))
        .order_by("name")
    )


class _Backlog(QuerySet):
    """A product's backlog, whose count() reads the product's stored backlog size (kept by
    the database's triggers) instead of scanning the backlog: a page costs the same at 50 or
    50,000 items. Any further filter or slice counts the usual way."""

    of_product = None
    size = None

    def count(self):
        if self.of_product is None or self._result_cache is not None:
            return super().count()
        if self.size is not None:
            return self.size
        return Product.objects.values_list("backlog_size", flat=True).get(pk=self.of_product)


def backlog_for(product, *, size=None):
    """The product backlog: items not committed to a sprint and not accepted, in order.

    `size`: the product's stored backlog_size when the caller has just read the product (an
    API page), so counting asks nothing more; otherwise it is read when counted.
    """
    backlog = (
        _Backlog(model=BacklogItem)
        .filter(product=product, sprint__isnull=True)
        .exclude(status=ItemStatus.ACCEPTED)
        .select_related("product", "assignee")
        .prefetch_related(CRITERIA)
        .order_by("position")
    )
    # Set on the final queryset only: a clone (a filter, a slice) does not inherit it.
    backlog.of_product = product.pk
    backlog.size = size
    return backlog


# `board_for(sprint, assignee=UNASSIGNED)`: only the items nobody has taken.
UNASSIGNED = "none"


def board_for(sprint, *, assignee=None):
    """The sprint's items grouped by board column, in backlog order, with their assignees.

    `assignee`: None for everyone's items, UNASSIGNED for those nobody has, or a person's id.
    """
    columns = {
        ItemStatus.TODO: [],
        ItemStatus.IN_PROGRESS: [],
        ItemStatus.DONE: [],
        ItemStatus.ACCEPTED: [],
    }
    items = sprint.items.select_related("product", "assignee").prefetch_related(CRITERIA)
    if assignee == UNASSIGNED:
        items = items.filter(assignee__isnull=True)
    elif assignee is not None:
        items = items.filter(assignee_id=assignee)
    for item in items.order_by("position"):
        columns.setdefault(item.status, []).append(item)
    return columns


def unfinished_count(sprint) -> int:
    """How many of the sprint's items go back to the backlog when it closes: those still to do
    or in progress (the rule of `close_sprint`; done items stay with the sprint, to be judged)."""
    return sprint.items.filter(status__in=UNFINISHED_STATUSES).count()


def current_sprint(product):
    return (
        product.sprints.filter(state__in=[SprintState.ACTIVE, SprintState.REVIEW])
        .order_by("-number")
        .first()
    )


def team_roles(product) -> dict[int, set[str]]:
    roles = defaultdict(set)
    for member in TeamMember.objects.filter(product=product):
        roles[member.user_id].add(member.role)
    return roles


def _day_end(day):
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def burndown(sprint) -> list[dict]:
    """Remaining points at the end of each day of the sprint, replayed from the item history.

    Each row: date, remaining, ideal, added and removed (scope changes on that day).
    """
    changes = list(
        ItemChange.objects.filter(sprint=sprint, field__in=["sprint", "status", "estimate"])
        .order_by("at", "id")
        .values("item_id", "field", "old", "new", "points", "at")
    )
    in_scope, points, finished = set(), {}, set()
    started = sprint.started_at or _day_end(sprint.start - timedelta(days=1))
    index = 0

    def apply(change):
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


def velocity(product, *, last: int = 6, before=None) -> list[dict]:
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


def inbox_for(user):
    """Every item awaiting this tester's verdict, across products, soonest deadline first."""
    mine = Verdict.objects.filter(increment_item=OuterRef("pk"), tester=user)
    return (
        IncrementItem.objects.filter(
            increment__state=IncrementState.SUBMITTED,
            increment__testers=user,
            outcome=ItemOutcome.PENDING,
        )
        .exclude(Exists(mine))
        .select_related("increment__product__cooperative", "item__product")
        .prefetch_related(Prefetch("item__criteria", queryset=CRITERIA.queryset))
        .order_by("increment__deadline", "increment_id", "item__position")
    )


def eligible_testers(product) -> list:
    """The people who may judge the product's increments: its team's testers whom the rules let
    give a verdict (not who built the work). The one rule for the page's choice and the check
    in `submit_increment`."""
    members = product.members.filter(role=TeamRole.TESTER).select_related("user")
    return [m.user for m in members if allowed(m.user, "sprints.give_verdict", product)]


def verdict_history(item):
    """Every verdict ever given on the item, oldest first, with its increment."""
    return (
        Verdict.objects.filter(increment_item__item=item)
        .select_related("tester", "increment_item__increment")
        .order_by("given_at", "id")
    )


def verdict_rows(item) -> list[dict]:
    """The item's verdicts, oldest first, each marked superseded once a later increment's
    verdict on the same item exists."""
    verdicts = list(verdict_history(item))
    follow_ups = {}
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


def followed_up_verdict(item):
    """The verdict an item is the follow-up of, or None."""
    if not item.follow_up_of_id:
        return None
    return (
        Verdict.objects.select_related("increment_item__item__product", "tester")
        .filter(pk=item.follow_up_of_id)
        .first()
    )


def increments_of(product):
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


def similar_solutions(title: str, description: str = "") -> list:
    """Existing solutions like a proposed product, from the solutions app (sprints.hooks)."""
    return hooks.similar_solutions(title, description)


def last_time_not_met(items, *, increment=None) -> dict[int, CriterionVerdict]:
    """For each criterion of these items that was not met last time (before `increment`),
    what was said then.

    A follow-up's criterion points at the verdict on the criterion it copies; a criterion
    re-tested itself in a later increment has its own earlier verdicts (the latest counts)."""
    criteria = AcceptanceCriterion.objects.filter(item__in=items)
    found = {}
    earlier = (
        CriterionVerdict.objects.filter(criterion__in=criteria)
        .exclude(verdict__increment_item__increment=increment)
        .select_related("verdict__increment_item__increment", "verdict__tester")
        .order_by("verdict__given_at", "verdict_id")
    )
    for verdict in earlier:
        if verdict.met:
            found.pop(verdict.criterion_id, None)
        else:
            found[verdict.criterion_id] = verdict
    copied = criteria.filter(follows_up__isnull=False).select_related(
        "follows_up__verdict__increment_item__increment", "follows_up__verdict__tester"
    )
    for criterion in copied:
        found.setdefault(criterion.pk, criterion.follows_up)
    return found


# --- Teams and people ----------------------------------------------------------------------------
def team_of(product):
    """The product's team, one row per role a person holds, owners first."""
    order = Case(
        When(role=TeamRole.PRODUCT_OWNER, then=0),
        When(role=TeamRole.DEVELOPER, then=1),
        default=2,
    )
    return (
        TeamMember.objects.filter(product=product)
        .select_related("user")
        .order_by(order, "user__first_name", "user__last_name", "user__username", "pk")
    )


def team_candidates(product: Product) -> QuerySet[User]:
    """The people who may be put on the product's team: those working for its owning
    organisation, for a participating organisation (or a municipality a joint arrangement
    among them acts for), or for a supplier.

    Suppliers hold no membership of a cooperative (they build for its members under contract),
    so any supplier's people may be chosen; everyone else comes from the product's own
    organisations, which is where a tester from another municipality comes from.
    """
    organisations = Q(affiliations__organisation__in=product_organisations(product)) | Q(
        affiliations__organisation__kind=OrganisationKind.SUPPLIER
    )
    people = get_user_model().objects.filter(is_active=True).filter(organisations).values("pk")
    return get_user_model().objects.filter(pk__in=people)


def product_organisations(product: Product) -> QuerySet[Organisation]:
    """The owning organisation, the participating ones, and the municipalities a joint
    arrangement among them acts for (Boxtel's staff test for MijnGemeenteDichtbij)."""
    own = Q(pk=product.owner_id) | Q(participating_products=product)
    ids = Organisation.objects.filter(own).values("pk")
    return Organisation.objects.filter(Q(pk__in=ids) | Q(represented_by__in=ids)).distinct()


def people_visible_to(user):
    """The people a person may look up: those of the organisations taking part (an open
    membership) in a cooperative the person takes part in or coordinates, and their own
    organisations' people. Nobody outside those cooperatives."""
    if user is None or not user.is_authenticated:
        return get_user_model().objects.none()
    cooperatives = Cooperative.objects.filter(
        Q(coordinator__user=user)
        | Q(
            memberships__state__in=OPEN_STATES,
            memberships__organisation__affiliations__user=user,
        )
    ).values("pk")
    organisations = Membership.objects.filter(
        cooperative__in=cooperatives, state__in=OPEN_STATES
    ).values("organisation")
    people = Affiliation.objects.filter(
        Q(organisation__in=organisations)
        | Q(organisation__in=Affiliation.objects.filter(user=user).values("organisation"))
    ).values("user")
    return get_user_model().objects.filter(pk__in=people, is_active=True)


def search_people(people, q: str):
    """People whose user name or name holds every word of `q`, by name, with their
    organisations (one query for any number)."""
    for word in (q or "").split()[:5]:
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    return people.prefetch_related(
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        )
    ).order_by("first_name", "last_name", "username", "pk")


def product_roles_of(user) -> list[dict]:
    """Each product the person is on the team of, with their roles there (one query)."""
    products = {}
    rows = (
        TeamMember.objects.filter(user=user)
        .select_related("product__cooperative")
        .order_by("product__name", "product_id", "role")
    )
    for row in rows:
        product = row.product
        entry = products.setdefault(
            product.pk,
            {
                "id": product.pk,
                "key": product.key,
                "name": product.name,
                "cooperative": product.cooperative.slug,
                "roles": [],
            },
        )
        entry["roles"].append(row.role)
    return list(products.values())


# --- Labels, epics and the backlog's filters (issue 15) -------------------------------------
def labels_of(product):
    from sprints.models import Label

    return Label.objects.filter(product=product).order_by("name")


def epics_with_progress(product):
    """The product's epics, each with its items done/total and its points done/total, counted
    in the same statement (an item done or accepted counts as done)."""
    from sprints.models import Epic

    done = Q(items__status__in=DONE_STATUSES)
    return (
        Epic.objects.filter(product=product)
        .annotate(
            items_total=Count("items"),
            items_done=Count("items", filter=done),
            points_total=Coalesce(Sum("items__estimate"), 0),
            points_done=Coalesce(Sum("items__estimate", filter=done), 0),
        )
        .order_by("title", "id")
    )


def with_labels_and_epic(items):
    """Items with their labels, epic and assignee: two more queries for a page of any size."""
    from sprints.models import Label

    return items.select_related("epic", "assignee").prefetch_related(
        Prefetch("labels", queryset=Label.objects.order_by("name"))
    )


def filter_items(items, *, q="", kind="", ready=None, label=None, epic=None, assignee=None):
    """Narrow a list of items: words in the title or description, a kind, ready or not, a
    label, an epic and an assignee. An epic or assignee of "none" finds the items without."""
    for word in (q or "").split()[:10]:
        items = items.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if kind:
        items = items.filter(kind=kind)
    if ready is not None:
        has_criteria = Exists(AcceptanceCriterion.objects.filter(item=OuterRef("pk")))
        is_ready = Q(has_criteria=True, estimate__isnull=False)
        items = items.annotate(has_criteria=has_criteria)
        items = items.filter(is_ready) if ready else items.exclude(is_ready)
    if label is not None:
        items = items.filter(labels=label)
    if epic == "none":
        items = items.filter(epic__isnull=True)
    elif epic is not None:
        items = items.filter(epic=epic)
    if assignee == "none":
        items = items.filter(assignee__isnull=True)
    elif assignee is not None:
        items = items.filter(assignee=assignee)
    return items
