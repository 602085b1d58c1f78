"""The backlog, the board and the inbox answer in a number of queries that does not grow.

Each is measured at 50 and at 5,000 items against the same bound. The bulk items are made
with bulk_create (with the numbers and positions the services would give), for speed.
"""

from datetime import timedelta

import pytest
from django.utils.timezone import localdate
from rest_framework.test import APIClient

from sprints.models import (
    AcceptanceCriterion,
    BacklogItem,
    Increment,
    IncrementItem,
    IncrementState,
    ItemStatus,
    Product,
)
from sprints.services import GAP

pytestmark = pytest.mark.django_db

API = "/api/v1"
SIZES = [50, 5_000]


def as_(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def bulk_items(product, count, **fields) -> list[BacklogItem]:
    """`count` ready items at the bottom of the backlog, numbered on from the last one."""
    product.refresh_from_db()
    last = product.last_item_number
    bottom = max(product.items.values_list("position", flat=True), default=0)
    statuses = fields.pop("statuses", None)
    items = [
        BacklogItem(
            product=product,
            number=last + n,
            position=bottom + n * GAP,
            title=f"Verhaal {last + n}",
            estimate=3,
            status=statuses[n % len(statuses)] if statuses else ItemStatus.OPEN,
            **fields,
        )
        for n in range(1, count + 1)
    ]
    BacklogItem.objects.bulk_create(items, batch_size=1_000)
    Product.objects.filter(pk=product.pk).update(last_item_number=last + count)
    items = list(product.items.filter(number__gt=last).order_by("position"))
    AcceptanceCriterion.objects.bulk_create(
        [AcceptanceCriterion(item=item, position=0, text="Het werkt") for item in items],
        batch_size=1_000,
    )
    return items


@pytest.mark.parametrize("size", SIZES)
def test_the_backlog_page_takes_the_same_queries_at_any_size(
    product, product_owner, size, django_assert_max_num_queries
):
    bulk_items(product, size)
    client = as_(product_owner)
    # The product with the person's roles on it and the stored backlog length (one
    # statement), the page (with epic and assignee joined), its items' criteria and labels.
    with django_assert_max_num_queries(4):
        response = client.get(f"{API}/products/{product.pk}/backlog/?page_size=50")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == size
    assert [row["number"] for row in body["results"]] == list(range(1, 51))


@pytest.mark.parametrize("size", SIZES)
def test_the_sprint_board_takes_the_same_queries_at_any_size(
    product, product_owner, active_sprint, size, django_assert_max_num_queries
):
    bulk_items(
        product,
        size,
        sprint=active_sprint,
        statuses=[ItemStatus.TODO, ItemStatus.IN_PROGRESS, ItemStatus.DONE],
    )
    client = as_(product_owner)
    # The sprint, the permission, the board and its items' criteria.
    with django_assert_max_num_queries(4):
        response = client.get(f"{API}/sprints/{active_sprint.pk}/")
    assert response.status_code == 200
    board = response.json()["board"]
    assert sum(len(column) for column in board.values()) == size + 2


@pytest.mark.parametrize("size", SIZES)
def test_the_inbox_takes_the_same_queries_at_any_size(
    product, tester, size, django_assert_max_num_queries
):
    items = bulk_items(product, size, statuses=[ItemStatus.DONE])
    increment = Increment.objects.create(
        product=product,
        version="1.0.0",
        state=IncrementState.SUBMITTED,
        deadline=localdate() + timedelta(days=3),
    )
    increment.testers.add(tester)
    IncrementItem.objects.bulk_create(
        [IncrementItem(increment=increment, item=item) for item in items], batch_size=1_000
    )
    client = as_(tester)
    # The count, the page and its items' criteria.
    with django_assert_max_num_queries(3):
        response = client.get(f"{API}/me/inbox/")
    assert response.status_code == 200
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("where", ["before", "after", "top", "bottom"])
def test_a_move_takes_at_most_five_statements(
    product, product_owner, size, where, django_assert_max_num_queries
):
    """The product with the person's roles on it; under the move's transaction the product's
    lock, then the item, its target and the neighbour across the spot read in one statement
    (after the lock, so as they are now), the item's new place; and the criteria it is answered
    with: nothing is read twice and nothing grows with the backlog. Issue 10's budget is seven
    statements with the transaction's own two (BEGIN and COMMIT over HTTP); the test runs
    inside a transaction of its own, so here they are a SAVEPOINT and its RELEASE."""
    items = bulk_items(product, size)
    # Answered with who works on it: read along with the item, not after it.
    BacklogItem.objects.filter(pk=items[-1].pk).update(assignee=product_owner)
    client = as_(product_owner)
    body = {"item": items[-1].pk}
    if where in ("before", "after"):
        body[where] = items[size // 2].pk
    else:
        body["to"] = where
    with django_assert_max_num_queries(5 + 2):
        response = client.post(f"{API}/products/{product.pk}/backlog/move/", body)
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["id"] == product_owner.pk
