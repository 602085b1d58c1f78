"""The API's backlog page as plain rows rather than model objects.

A page of 50 items read as objects (the item, its product, assignee and epic, then each
criterion with the five objects of what it follows up, then the labels) spent most of its
time building objects and planning one six-table join per request; the answer needs only
their values. Three or four small statements whatever the page or backlog size:
the items, their criteria, what the follow-up criteria follow up (only when a criterion
does), and their labels. `sprints.api.label_serializers` turns them into the answer, and a
test holds that answer to the serializers' one.

The criteria and the labels are read with SQL written out (`deelbaar.statements` says why).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import F, Field, QuerySet

from deelbaar.statements import column, placeholders, rows
from sprints.models import AcceptanceCriterion, BacklogItem, CriterionVerdict, Label, Product
from sprints.selectors.backlog import _Backlog, backlog_for

# The item's own columns, then its assignee's and its epic's.
ITEM_COLUMNS = (
    "id",
    "number",
    "product_id",
    "product__key",
    "kind",
    "title",
    "description",
    "estimate",
    "status",
    "position",
    "sprint_id",
    "follow_up_of_id",
    "version",
    "created_at",
    "updated_at",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "epic_id",
    "epic__title",
)


@dataclass
class BacklogRows:
    """One page: each item's values (ITEM_COLUMNS by name), and its criteria and labels."""

    items: list[dict[str, Any]]
    criteria: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def as_rows(items: QuerySet[BacklogItem]) -> QuerySet[BacklogItem, dict[str, Any]]:
    """The items' values only, for a paginator to slice. A whole backlog keeps counting by
    the product's stored size (`backlog_for`)."""
    rows: QuerySet[BacklogItem, dict[str, Any]] = (
        items.select_related(None).prefetch_related(None).values(*ITEM_COLUMNS)
    )
    if isinstance(items, _Backlog) and isinstance(rows, _Backlog):
        rows.of_product, rows.size = items.of_product, items.size
    return rows


class WholeBacklog:
    """A product's whole backlog as `as_rows` gives it, for a paginator: its length is the
    product's stored size and a page is one statement, the queryset's own compiled once per
    process (building and compiling it was two thirds of reading a page). A filtered
    backlog goes through `as_rows`."""

    ordered = True  # for the paginator: in the backlog's order

    def __init__(self, product: Product) -> None:
        self.product_pk, self.size = product.pk, product.backlog_size

    def count(self) -> int:
        return self.size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop = window.start or 0, window.stop
        assert window.step is None and stop is not None, "a page is a window of the backlog"
        statement, params = _whole_backlog_page()
        return rows(
            statement,
            [self.product_pk if param is _PRODUCT else param for param in params]
            + [stop - start, start],
            converting=_ITEM_FIELDS,
        )


_PRODUCT = object()


@cache
def _whole_backlog_page() -> tuple[str, list[Any]]:
    """The statement of `as_rows(backlog_for(product))`, LIMIT and OFFSET as parameters,
    and its parameters with the product's id marked by `_PRODUCT`."""
    sentinel = -7_919  # no product has it: found again among the parameters below
    query = as_rows(backlog_for(Product(pk=sentinel))).query
    sql, params = query.get_compiler(using=connection.alias).as_sql()
    assert list(params).count(sentinel) == 1, "the backlog's statement names its product once"
    marked = [_PRODUCT if param == sentinel else param for param in params]
    return f"{sql} LIMIT %s OFFSET %s", marked


# The values converted as the ORM converts them (SQLite's datetimes made aware).
_ITEM_FIELDS: dict[str, Field] = {
    "created_at": BacklogItem.created_at.field,
    "updated_at": BacklogItem.updated_at.field,
}


def backlog_rows(items: list[dict[str, Any]]) -> BacklogRows:
    """The page's items (as `as_rows` gives them) with their criteria and labels."""
    ids = [item["id"] for item in items]
    if not ids:
        return BacklogRows(items=[])
    return BacklogRows(items=items, criteria=_criteria(ids), labels=_labels(ids))


def _criteria(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    criteria: dict[int, list[dict[str, Any]]] = defaultdict(list)
    follows: list[dict[str, Any]] = []
    for criterion in _select(_CRITERIA, ids):
        criteria[criterion["item_id"]].append(criterion)
        if criterion["follows_up_id"] is not None:
            follows.append(criterion)
    if follows:
        said: dict[int, dict[str, Any]] = {
            row["id"]: dict(row)
            for row in CriterionVerdict.objects.filter(
                pk__in={row["follows_up_id"] for row in follows}
            ).values(
                "id",
                "remarks",
                key=F(_VERDICT_ITEM + "product__key"),
                number=F(_VERDICT_ITEM + "number"),
                increment_version=F(_VERDICT_INCREMENT + "version"),
            )
        }
        for criterion in follows:
            criterion["follows_up"] = said.get(criterion["follows_up_id"])
    return criteria


_VERDICT_ITEM = "verdict__increment_item__item__"
_VERDICT_INCREMENT = "verdict__increment_item__increment__"


def _labels(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    labels: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in _select(_LABELS, ids):
        labels[row["backlogitem_id"]].append(row)
    return labels


def _statement(select: dict[str, str], rest: str) -> str:
    names = ", ".join(f'{expression} AS "{key}"' for key, expression in select.items())
    return f"SELECT {names} {rest}"


_CRITERION = AcceptanceCriterion
_CRITERIA = _statement(
    {key: column(_CRITERION, key) for key in ("id", "item_id", "position", "text")}
    | {"follows_up_id": column(_CRITERION, "follows_up")},
    f'FROM "{_CRITERION._meta.db_table}" WHERE {column(_CRITERION, "item")} IN ({{ids}}) '
    f"ORDER BY 2, 3, 1",
)
_ITEM_LABEL = BacklogItem.labels.through
_LABELS = _statement(
    {
        "backlogitem_id": column(_ITEM_LABEL, "backlogitem"),
        "label_id": column(_ITEM_LABEL, "label"),
        "label__name": column(Label, "name"),
        "label__colour": column(Label, "colour"),
    },
    f'FROM "{_ITEM_LABEL._meta.db_table}" INNER JOIN "{Label._meta.db_table}" '
    f"ON {column(_ITEM_LABEL, 'label')} = {column(Label, 'id')} "
    f"WHERE {column(_ITEM_LABEL, 'backlogitem')} IN ({{ids}}) ORDER BY 3, 2",
)


def _select(statement: str, ids: list[int]) -> list[dict[str, Any]]:
    return rows(statement.format(ids=placeholders(len(ids))), ids)
