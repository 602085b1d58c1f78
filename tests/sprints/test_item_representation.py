"""ItemSerializer builds its answer directly (a backlog page of 50 spent most of its time in
DRF's walk over the fields): it must give exactly what that walk gives, for every kind of item.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils.timezone import get_current_timezone, override
from rest_framework import serializers as drf
from rest_framework.test import APIClient

from sprints import selectors, services
from sprints.api.serializers import ItemDetailSerializer, ItemSerializer, _moment
from sprints.selectors.backlog_rows import WholeBacklog, as_rows
from tests.sprints.test_criteria import CRITERIA, answers, three_criteria  # noqa: F401

pytestmark = pytest.mark.django_db


def generic(item) -> dict:
    """What DRF's ModelSerializer makes of the item, field by field."""
    return dict(drf.ModelSerializer.to_representation(ItemSerializer(), item))


def test_the_direct_answer_is_drf_s_answer_for_every_kind_of_item(
    product,
    product_owner,
    tester,
    make_item,
    three_criteria,  # noqa: F811
):
    make_item("Klaar")
    make_item("Niet klaar", ready=False)
    make_item("Met beschrijving", description="Een <b>beschrijving</b>", estimate=8)
    _sprint, increment, item, _other = three_criteria
    services.give_verdict(
        actor=tester, increment=increment, item=item, criteria=answers(item, not_met=[1])
    )
    items = list(selectors.backlog_for(product))
    # A follow-up (its criterion points back at the one not met), an item without criteria
    # or estimate, and ordinary ones.
    assert any(c.follows_up_id for i in items for c in i.criteria.all())
    assert any(not i.is_ready for i in items)
    for each in items:
        direct = ItemSerializer(each).data
        assert direct == generic(each)
        assert list(direct) == list(generic(each))  # the same order of keys
    # Just made by a service (its defaults in memory, not strings read from the database).
    fresh = make_item("Vers")
    assert ItemSerializer(fresh).data == generic(fresh)


def test_subclasses_keep_drf_s_walk_with_their_own_fields(product, product_owner, make_item):
    item = make_item()
    item.verdicts = []  # the detail view sets them
    data = ItemDetailSerializer(item).data
    assert data["verdicts"] == [] and data["follows_up_on"] is None
    assert {k: v for k, v in data.items() if k not in ("verdicts", "follows_up_on")} == generic(
        item
    )


def test_the_api_page_answers_with_the_direct_representation(product, product_owner, make_item):
    make_item("Eerste")
    client = APIClient()
    client.force_authenticate(product_owner)
    response = client.get(f"/api/v1/products/{product.pk}/backlog/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    item = selectors.backlog_for(product).get()
    # The backlog list adds the item's labels and epic to the item as everywhere.
    expected = generic(item) | {"labels": [], "epic": None}
    assert row == expected | {"created_at": row["created_at"], "updated_at": row["updated_at"]}
    assert row["created_at"] == generic(item)["created_at"]


def test_the_api_page_built_from_values_is_the_serializers_answer(
    product,
    product_owner,
    developer,
    tester,
    make_item,
    three_criteria,  # noqa: F811
    django_assert_max_num_queries,
):
    """The backlog list is built from plain rows (sprints.selectors.backlog_rows): item by
    item and key by key it must be what BacklogItemSerializer gives, with labels (in name
    order), an epic, an assignee, a follow-up criterion and an item that is not ready."""
    from sprints.api.label_serializers import BacklogItemSerializer
    from sprints.services import assign_item
    from sprints.services import labels as label_services

    plain = make_item("Zonder alles", ready=False)
    tagged = make_item("Met labels", description="<i>tekst</i>", estimate=5)
    developer.first_name, developer.last_name = "Dani", "van der Berg"
    developer.save()
    zeta = label_services.create_label(actor=product_owner, product=product, name="zeta")
    alfa = label_services.create_label(
        actor=product_owner, product=product, name="alfa", colour="blue"
    )
    tagged = label_services.set_item_labels(actor=product_owner, item=tagged, labels=[zeta, alfa])
    epic = label_services.create_epic(actor=product_owner, product=product, title="Loket")
    tagged = label_services.set_item_epic(actor=product_owner, item=tagged, epic=epic)
    assign_item(actor=product_owner, item=plain, assignee=developer)
    _sprint, increment, item, _other = three_criteria
    services.give_verdict(
        actor=tester, increment=increment, item=item, criteria=answers(item, not_met=[1])
    )
    client = APIClient()
    client.force_authenticate(product_owner)
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/v1/products/{product.pk}/backlog/?page_size=50")
    assert response.status_code == 200
    rows = response.json()["results"]
    items = list(selectors.with_labels_and_epic(selectors.backlog_for(product)))
    expected = BacklogItemSerializer(items, many=True).data
    assert [list(row) for row in rows] == [list(each) for each in expected]
    assert rows == [dict(each) for each in expected]
    # What the comparison covered: each kind of value is there at least once.
    assert [label["name"] for row in rows for label in row["labels"]] == ["alfa", "zeta"]
    assert any(row["epic"] == {"id": epic.pk, "title": "Loket"} for row in rows)
    assert any(row["assignee"] and row["assignee"]["initials"] == "DB" for row in rows)
    assert any(c["follows_up"] for row in rows for c in row["acceptance_criteria"])
    assert any(not row["ready"] for row in rows) and any(row["ready"] for row in rows)


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC", "America/St_Johns"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=UTC),  # the hour summer time starts
        datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 12, 7, 12, 30, 5, 250_000, tzinfo=ZoneInfo("Asia/Kolkata")),
    ],
)
def test_a_moment_is_written_as_drf_writes_it(zone, moment):
    # The rows path writes a page's moments itself, with the zone looked up once per page.
    with override(zone):
        expected = drf.DateTimeField().to_representation(moment)
        assert _moment(moment) == expected
        assert _moment(moment, get_current_timezone()) == expected
    assert _moment(None) is None


def test_the_whole_backlog_s_page_is_the_querysets_page(product, product_owner, make_item):
    # The unfiltered API page reads through WholeBacklog (the queryset's statement compiled
    # once): each window must be the queryset's own rows, values converted alike.
    for n in range(7):
        make_item(f"Item {n}", ready=n % 2 == 0)
    product.refresh_from_db()
    whole = WholeBacklog(product)
    rows = as_rows(selectors.backlog_for(product))
    assert whole.count() == len(whole) == rows.count() == 7
    for start, stop in [(0, 50), (0, 3), (3, 6), (6, 9), (7, 10)]:
        assert whole[start:stop] == list(rows[start:stop])
    assert whole[0:1][0]["created_at"].tzinfo is not None


def test_the_api_pages_through_the_whole_backlog(product, product_owner, make_item):
    for n in range(5):
        make_item(f"Item {n}")
    client = APIClient()
    client.force_authenticate(product_owner)
    path = f"/api/v1/products/{product.pk}/backlog/?page_size=2"
    pages = [client.get(f"{path}&page={n}") for n in (1, 2, 3, 4)]
    assert [p.status_code for p in pages] == [200, 200, 200, 404]
    titles = [item["title"] for page in pages[:3] for item in page.json()["results"]]
    assert titles == [f"Item {n}" for n in range(5)]
    assert pages[0].json()["count"] == 5 and pages[2].json()["next"] is None
