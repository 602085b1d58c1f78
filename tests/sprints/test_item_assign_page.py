"""Giving a backlog item to someone from the item's own page, not only from a board card.

The page's small form posts to the board's `item_assign` view with `back=item`, so the rule
(`sprints.assign_item`), the service and the messages are the board's; the answer is the item's
page again with the message."""

import pytest

from sprints.models import BacklogItem
from tests.shared import share_per_module
from tests.sprints.test_pages import (  # noqa: F401  (fixtures)
    client_for,
    html_of,
    media_in_tmp,
    url,
    world,
)

pytestmark = pytest.mark.django_db

# test_pages.py's world, built once for the module and copied for each test (tests/shared.py).
share_per_module(globals(), "world")


def item_page(w, item):
    return url("item_detail", product_id=w.product.pk, item_id=item.pk)


def assign_url(w, item):
    return url("item_assign", product_id=w.product.pk, item_id=item.pk)


@pytest.mark.parametrize("item_name", ["ready", "todo"])  # outside and inside a sprint
def test_the_product_owner_assigns_from_the_item_page(world, item_name):  # noqa: F811
    item = getattr(world, item_name)
    developer = world.users["developer"]
    client = client_for(world.users["product_owner"])
    html = html_of(client.get(item_page(world, item)))
    form = html[
        html.index('id="assign-form"') : html.index("</form>", html.index('id="assign-form"'))
    ]
    assert f'<option value="{developer.pk}">' in form
    assert f'<option value="{world.users["tester"].pk}">' not in form  # a tester gets no work
    response = client.post(
        assign_url(world, item),
        {"assignee": developer.pk, "version": item.version, "back": "item"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(item_page(world, item))
    html = html_of(response)
    assert f"{item.reference} is now with" in html
    assert BacklogItem.objects.get(pk=item.pk).assignee == developer
    # And back to nobody.
    item.refresh_from_db()
    response = client.post(
        assign_url(world, item), {"assignee": "", "version": item.version, "back": "item"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(item_page(world, item))
    assert BacklogItem.objects.get(pk=item.pk).assignee_id is None


def test_a_developer_is_offered_themself(world):  # noqa: F811
    developer = world.users["developer"]
    html = html_of(client_for(developer).get(item_page(world, world.ready)))
    assert f'<option value="{developer.pk}">Me</option>' in html


def test_a_stale_version_on_the_item_page_says_so_and_changes_nothing(world):  # noqa: F811
    item = world.ready
    response = client_for(world.users["product_owner"]).post(
        assign_url(world, item),
        {"assignee": world.users["developer"].pk, "version": item.version - 1, "back": "item"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(item_page(world, item))
    assert "Someone else changed" in html_of(response)
    assert BacklogItem.objects.get(pk=item.pk).assignee_id is None


def test_a_tester_sees_no_assign_control_and_may_not_post(world):  # noqa: F811
    client = client_for(world.users["tester"])
    html = html_of(client.get(item_page(world, world.ready)))
    assert 'id="assign-form"' not in html
    response = client.post(
        assign_url(world, world.ready),
        {"assignee": world.users["developer"].pk, "version": world.ready.version, "back": "item"},
    )
    assert response.status_code == 403
    assert BacklogItem.objects.get(pk=world.ready.pk).assignee_id is None


def test_an_outsider_gets_404(world):  # noqa: F811
    client = client_for(world.users["outsider"])
    assert client.get(item_page(world, world.ready)).status_code == 404
    response = client.post(
        assign_url(world, world.ready),
        {"assignee": world.users["developer"].pk, "back": "item"},
    )
    assert response.status_code == 404
