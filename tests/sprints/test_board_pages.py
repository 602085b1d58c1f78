"""The board's pages (issue 15): avatars, the assignee filter, giving a card to someone, and
closing a sprint only after a confirmation that says how many items go back."""

import re

import pytest

from sprints.models import BacklogItem, ItemStatus, SprintState
from sprints.services import assign_item
from tests.shared import share_per_module
from tests.sprints.test_api_queries import bulk_items
from tests.sprints.test_pages import (  # noqa: F401  (fixtures)
    ROLES,
    VIEW,
    client_for,
    html_of,
    media_in_tmp,
    only,
    url,
    world,
)

pytestmark = pytest.mark.django_db

# Every test here meets test_pages.py's world: it is built once for the module and copied for
# each test (tests/shared.py) instead of for each of the 47.
share_per_module(globals(), "world")


def board(w, **query):
    address = url("sprint_board", product_id=w.product.pk, number=w.sprint.number)
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def cards(html) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="sprints-card" id="card-(\d+)"', html)]


# --- Who may --------------------------------------------------------------------------------
def requests(w):
    p, n = w.product.pk, w.sprint.number
    return {
        "board_filtered": ("get", board(w, assignee="none"), None),
        "columns_filtered": (
            "get",
            url("board_columns", product_id=p, number=n) + "?assignee=me",
            None,
        ),
        "close_confirmation": ("get", url("sprint_close", product_id=p, number=n), None),
        "close_confirmed": (
            "post",
            url("sprint_close", product_id=p, number=n),
            {"confirm": "yes"},
        ),
        "assign": (
            "post",
            url("item_assign", product_id=p, item_id=w.todo.pk),
            {"assignee": w.users["developer"].pk},
        ),
        "unassign": ("post", url("item_assign", product_id=p, item_id=w.todo.pk), {}),
    }


EXPECTED = {
    "board_filtered": VIEW,
    "columns_filtered": VIEW,
    "close_confirmation": only("product_owner", ok=200),
    "close_confirmed": only("product_owner"),
    "assign": only("developer", "product_owner"),
    "unassign": only("developer", "product_owner"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(EXPECTED))
def test_who_may(world, page, role):  # noqa: F811
    method, address, data = requests(world)[page]
    response = getattr(client_for(world.users[role]), method)(address, data or {})
    expected = EXPECTED[page][role]
    assert response.status_code == expected, (page, role, response.status_code)
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/") == (role == "anonymous")
    if role in ("tester", "coordinator") and page in ("assign", "close_confirmed"):
        world.sprint.refresh_from_db()
        assert world.sprint.state == SprintState.ACTIVE
        assert BacklogItem.objects.get(pk=world.todo.pk).assignee_id is None


# --- The board -------------------------------------------------------------------------------
def test_cards_show_initials_with_the_name_as_text(world):  # noqa: F811
    developer = world.users["developer"]
    developer.last_name = "van Dijk"
    developer.save()
    assign_item(actor=world.users["product_owner"], item=world.todo, assignee=developer)
    html = html_of(client_for(world.users["tester"]).get(board(world)))
    card = html[html.index(f'id="card-{world.todo.pk}"') :]
    card = card[: card.index("</li>")]
    assert re.search(r'<span class="sprints-avatar" aria-hidden="true"[^>]*>DD</span>', card)
    assert "Assigned to Dani van Dijk" in card
    other = html[html.index(f'id="card-{world.done.pk}"') :]
    assert "not assigned" in other[: other.index("</li>")]
    # Testers see, but get neither the move nor the assign menu.
    assert "Assign to" not in html and "Move to …" not in html


def test_the_filter_shows_mine_nobody_s_or_one_person_s_cards(world):  # noqa: F811
    developer = world.users["developer"]
    assign_item(actor=world.users["product_owner"], item=world.todo, assignee=developer)
    client = client_for(developer)
    assert sorted(cards(html_of(client.get(board(world))))) == sorted(
        [world.todo.pk, world.done.pk]
    )
    mine = html_of(client.get(board(world, assignee="me")))
    assert cards(mine) == [world.todo.pk]
    assert 'id="board-filter-clear"' in mine and '<option value="me" selected>' in mine
    # The live refresh keeps the filter.
    assert "board/?assignee=me" in mine
    assert cards(html_of(client.get(board(world, assignee="none")))) == [world.done.pk]
    assert cards(html_of(client.get(board(world, assignee=developer.pk)))) == [world.todo.pk]
    # Someone not on the team, or nonsense: everyone's cards.
    assert len(cards(html_of(client.get(board(world, assignee="99999"))))) == 2
    assert len(cards(html_of(client.get(board(world, assignee="x"))))) == 2


def test_assigning_by_htmx_answers_the_board_and_an_announcement(world):  # noqa: F811
    developer = world.users["developer"]
    response = client_for(developer).post(
        url("item_assign", product_id=world.product.pk, item_id=world.todo.pk),
        {"assignee": developer.pk, "version": world.todo.version, "filter": "me"},
        headers={"HX-Request": "true"},
    )
    html = html_of(response)
    assert html.startswith('<div id="board"')
    assert f"{world.todo.reference} is now with Dani." in html
    assert cards(html) == [world.todo.pk]  # the filter "me" stays on
    assert "deelbaar:focus" in response["HX-Trigger-After-Settle"]


def test_assigning_without_javascript_redirects_to_the_filtered_board(world):  # noqa: F811
    owner = world.users["product_owner"]
    response = client_for(owner).post(
        url("item_assign", product_id=world.product.pk, item_id=world.todo.pk),
        {"assignee": owner.pk, "filter": "none"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?assignee=none#card-{world.todo.pk}")
    assert BacklogItem.objects.get(pk=world.todo.pk).assignee == owner


def test_a_tester_cannot_be_given_a_card_and_a_stale_version_is_refused(world):  # noqa: F811
    client = client_for(world.users["product_owner"])
    address = url("item_assign", product_id=world.product.pk, item_id=world.todo.pk)
    html = html_of(
        client.post(address, {"assignee": world.users["tester"].pk}, headers={"HX-Request": "true"})
    )
    assert "is not a developer or product owner" in html
    html = html_of(
        client.post(
            address,
            {"assignee": world.users["developer"].pk, "version": world.todo.version - 1},
            headers={"HX-Request": "true"},
        )
    )
    assert "Someone else changed" in html
    assert BacklogItem.objects.get(pk=world.todo.pk).assignee_id is None


def test_a_card_moves_by_its_menu_keeping_the_filter(world):  # noqa: F811
    response = client_for(world.users["developer"]).post(
        url("item_status", product_id=world.product.pk, item_id=world.todo.pk),
        {"status": "in_progress", "filter": "none"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?assignee=none#card-{world.todo.pk}")
    assert BacklogItem.objects.get(pk=world.todo.pk).status == ItemStatus.IN_PROGRESS


def test_finish_and_close_look_different_and_close_asks_first(world):  # noqa: F811
    html = html_of(client_for(world.users["product_owner"]).get(board(world)))
    finish = re.search(r'<button class="([^"]*)" type="submit" id="finish-sprint"', html)
    assert "utrecht-button--primary-action" in finish.group(1)
    close = re.search(r'<a class="([^"]*)" href="([^"]*)" id="close-sprint"', html)
    assert "sprints-danger-link" in close.group(1)
    assert close.group(2) == url(
        "sprint_close", product_id=world.product.pk, number=world.sprint.number
    )
    assert html.index('id="finish-sprint"') < html.index('class="sprints-sprint-actions__close"')


def test_the_confirmation_says_how_many_items_go_back_and_closing_needs_it(world):  # noqa: F811
    client = client_for(world.users["product_owner"])
    address = url("sprint_close", product_id=world.product.pk, number=world.sprint.number)
    page = html_of(client.get(address))
    assert "1 unfinished item goes back to the top of the backlog." in page
    assert "1 done item stays with the sprint" in page
    assert 'name="confirm" value="yes"' in page
    # Without the confirmation nothing closes: back to the question.
    response = client.post(address, {})
    assert response.status_code == 302 and response["Location"] == address
    world.sprint.refresh_from_db()
    assert world.sprint.state == SprintState.ACTIVE
    response = client.post(address, {"confirm": "yes"}, follow=True)
    assert "1 unfinished item went back to the top of the backlog" in response.content.decode()
    world.sprint.refresh_from_db()
    assert world.sprint.state == SprintState.CLOSED
    # Closed: the confirmation is not offered again.
    again = client.get(address, follow=True)
    assert "can be closed; this one is closed" in again.content.decode()


@pytest.mark.parametrize("size", [50, 500])
def test_the_board_page_takes_the_same_queries_at_any_size(
    world,  # noqa: F811
    size,
    django_assert_max_num_queries,
):
    items = bulk_items(world.product, size, sprint=world.sprint, statuses=[ItemStatus.TODO])
    people = [world.users["developer"], world.users["product_owner"], None]
    for index, item in enumerate(items):
        item.assignee = people[index % 3]
    BacklogItem.objects.bulk_update(items, ["assignee"], batch_size=1_000)
    client = client_for(world.users["product_owner"])
    client.get(board(world))  # the session and the caches warm
    with django_assert_max_num_queries(16):
        html = html_of(client.get(board(world)))
    assert len(cards(html)) == size + 2


def test_the_item_page_says_who_works_on_it(world):  # noqa: F811
    address = url("item_detail", product_id=world.product.pk, item_id=world.todo.pk)
    client = client_for(world.users["tester"])
    assert re.search(r'id="item-assignee">nobody yet<', html_of(client.get(address)))
    assign_item(
        actor=world.users["product_owner"], item=world.todo, assignee=world.users["developer"]
    )
    assert re.search(r'id="item-assignee">Dani<', html_of(client.get(address)))
