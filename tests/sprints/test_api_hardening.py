"""Integers beyond what the database holds, in id lists, ids and filters: 400 or 404, not 500
(SQLite could not even compare with them: "Python int too large to convert to SQLite INTEGER")."""

import pytest

from tests.sprints.test_api import API, as_

pytestmark = pytest.mark.django_db

HUGE = 99999999999999999999  # beyond 64 bits


def test_huge_ids_in_id_lists_are_400_naming_the_field(
    product, product_owner, developer, active_sprint
):
    po, dev = as_(product_owner), as_(developer)
    item = active_sprint.items.first()
    cases = [
        (po, f"{API}/sprints/{active_sprint.pk}/commit/", {"items": [HUGE]}, "items.0"),
        (
            dev,
            f"{API}/increments/",
            {"product": product.pk, "version": "1", "items": [item.pk, HUGE]},
            "items.1",
        ),
        (dev, f"{API}/increments/", {"product": HUGE, "version": "1"}, "product"),
        (
            po,
            f"{API}/products/{product.pk}/backlog/",
            {"title": "Ok", "estimate": HUGE},
            "estimate",
        ),
    ]
    for client, url, body, field in cases:
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (url, body, response.content[:300])
        assert field in [error["field"] for error in response.json()["errors"]], (url, body)


def test_huge_ids_in_the_path_are_404_and_in_filters_400(product, product_owner, coordinator):
    po = as_(product_owner)
    for url in [
        f"{API}/items/{HUGE}/",
        f"{API}/products/{HUGE}/",
        f"{API}/products/{HUGE}/backlog/",
        f"{API}/sprints/{HUGE}/",
        f"{API}/increments/{HUGE}/",
    ]:
        assert po.get(url).status_code == 404, url
    for client, url, field in [
        (po, f"{API}/increments/?product={HUGE}", "product"),
        (as_(coordinator), f"{API}/audit/?actor={HUGE}", "actor"),
    ]:
        response = client.get(url)
        assert response.status_code == 400, (url, response.content[:300])
        assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize("page", ["0", "x", "-1", "²", "4621621276714805248", "1" * 5000])
def test_a_page_that_is_no_number_from_one_is_400_on_every_list(product, product_owner, page):
    po = as_(product_owner)
    for url in [f"{API}/products/", f"{API}/products/{product.pk}/backlog/", f"{API}/solutions/"]:
        response = po.get(url, {"page": page})
        assert response.status_code == 400, (url, response.content[:300])
        assert [error["field"] for error in response.json()["errors"]] == ["page"]


def test_a_page_past_the_last_is_404(product, product_owner):
    po = as_(product_owner)
    for url in [f"{API}/products/", f"{API}/solutions/"]:
        assert po.get(url, {"page": 2**31 - 1}).status_code == 404, url


def test_nul_in_a_slug_looked_up_is_400_naming_the_field(product_owner, zob):
    """On PostgreSQL these were 500s: text cannot hold NUL, not even in a lookup."""
    po = as_(product_owner)
    response = po.post(
        f"{API}/products/", {"cooperative": "a\x00b", "name": "Nieuw"}, format="json"
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["cooperative"]
    for url, field in [
        (f"{API}/solutions/import?solution=%00", "solution"),
        (f"{API}/releases/?solution=a%00", "solution"),
        (f"{API}/solutions/?cooperative=%00", "cooperative"),
    ]:
        response = po.post(url, {"text": "x"}, format="json") if "import" in url else po.get(url)
        assert response.status_code == 400, (url, response.content[:300])
        assert [error["field"] for error in response.json()["errors"]] == [field], url
