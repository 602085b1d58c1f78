"""The product backlog: its items in order (counted without scanning them), the search and
filters, and the labels and epics that group its items (issue 15)."""

from typing import Literal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from deelbaar.typing import User
from sprints.models import AcceptanceCriterion, BacklogItem, Epic, ItemStatus, Label, Product
from sprints.selectors._common import CRITERIA, DONE_STATUSES


class _Backlog(QuerySet[BacklogItem]):
    """A product's backlog, whose count() reads the product's stored backlog size (kept by
    the database's triggers) instead of scanning the backlog: a page costs the same at 50 or
    50,000 items. Any further filter or slice counts the usual way."""

    of_product: int | None = None
    size: int | None = None

    def count(self) -> int:
        if self.of_product is None or self._result_cache is not None:
            return super().count()
        if self.size is not None:
            return self.size
        return int(Product.objects.values_list("backlog_size", flat=True).get(pk=self.of_product))


def backlog_for(product: Product, *, size: int | None = None) -> _Backlog:
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


def labels_of(product: Product) -> QuerySet[Label]:
    return Label.objects.filter(product=product).order_by("name")


def epics_with_progress(product: Product) -> QuerySet[Epic]:
    """The product's epics, each with its items done/total and its points done/total, counted
    in the same statement (an item done or accepted counts as done)."""
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


def with_labels_and_epic(items: QuerySet[BacklogItem]) -> QuerySet[BacklogItem]:
    """Items with their labels, epic and assignee: two more queries for a page of any size."""
    return items.select_related("epic", "assignee").prefetch_related(
        Prefetch("labels", queryset=Label.objects.order_by("name"))
    )


def filter_items(
    items: QuerySet[BacklogItem],
    *,
    q: str = "",
    kind: str = "",
    ready: bool | None = None,
    label: int | Label | None = None,
    epic: int | Epic | Literal["none"] | None = None,
    assignee: int | User | Literal["none"] | None = None,
) -> QuerySet[BacklogItem]:
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
    elif isinstance(epic, int | Epic):
        items = items.filter(epic=epic)
    if assignee == "none":
        items = items.filter(assignee__isnull=True)
    elif isinstance(assignee, int | User):
        items = items.filter(assignee=assignee)
    return items
