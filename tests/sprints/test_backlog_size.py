"""The product's stored backlog size, kept by the database's triggers, always equals the
backlog's length, however the items are written: services, bulk inserts, updates, deletes."""

import pytest

from sprints import selectors, services
from sprints.models import BacklogItem, ItemStatus, Product
from tests.sprints.flows import run_sprint

pytestmark = pytest.mark.django_db


def assert_counted(product):
    stored = Product.objects.values_list("backlog_size", flat=True).get(pk=product.pk)
    real = (
        BacklogItem.objects.filter(product=product, sprint__isnull=True)
        .exclude(status=ItemStatus.ACCEPTED)
        .count()
    )
    assert stored == real
    assert selectors.backlog_for(product).count() == real
    return real


def test_the_services_keep_the_count(product, product_owner, developer, tester, make_item):
    assert assert_counted(product) == 0
    items = [make_item(f"Item {n}") for n in range(4)]
    assert assert_counted(product) == 4
    sprint = services.plan_sprint(actor=product_owner, product=product, start=items[0].created_at)
    services.commit_items(actor=product_owner, sprint=sprint, items=items[:3])
    assert assert_counted(product) == 1
    services.start_sprint(actor=product_owner, sprint=sprint)
    services.set_item_status(actor=developer, item=items[0], status=ItemStatus.DONE)
    services.move_item(actor=product_owner, item=items[3], to="top")
    assert assert_counted(product) == 1
    # The two unfinished items come back to the backlog; the done one stays in the sprint.
    services.close_sprint(actor=product_owner, sprint=sprint)
    assert assert_counted(product) == 3
    # A whole sprint accepted: its items never count; a rejection's follow-up does.
    run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester], estimates=[3]
    )
    assert assert_counted(product) == 3


def test_bulk_writes_updates_and_deletes_keep_the_count(product, make_item):
    make_item("Eerste")
    BacklogItem.objects.bulk_create(
        BacklogItem(
            product=product,
            number=n,
            position=n * services.GAP,
            title=f"Item {n}",
            status=ItemStatus.ACCEPTED if n % 5 == 0 else ItemStatus.OPEN,
        )
        for n in range(2, 102)
    )
    assert assert_counted(product) == 81
    BacklogItem.objects.filter(product=product, number__lte=20).update(status=ItemStatus.ACCEPTED)
    assert assert_counted(product) == 65
    BacklogItem.objects.filter(product=product, number__lte=10).update(status=ItemStatus.OPEN)
    # Changes of other fields (a move, a title) leave it alone.
    BacklogItem.objects.filter(product=product).update(title="Zelfde")
    assert assert_counted(product) == 75
    BacklogItem.objects.filter(product=product, number__gt=90).delete()
    assert assert_counted(product) == 66


def test_the_count_is_per_product(zob, eindhoven, product, product_owner, make_item):
    other = services.create_product(
        actor=product_owner, cooperative=zob, owner=eindhoven, name="Inwonerscloud", key="INW"
    )
    make_item("Hier")
    services.create_item(actor=product_owner, product=other, title="Daar")
    services.create_item(actor=product_owner, product=other, title="En daar")
    assert assert_counted(product) == 1
    assert assert_counted(other) == 2
