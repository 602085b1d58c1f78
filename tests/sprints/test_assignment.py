"""Who works on an item (issue 15): the assignee's rules, the API, who may assign, and the
backlog and board answering in the same number of queries with assignees at any size."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from cooperative.models import AuditRecord
from deelbaar.errors import DomainError, NotAllowed, StaleObject
from sprints import selectors
from sprints import services as sprints_services
from sprints.assignment import initials
from sprints.models import BacklogItem, ItemStatus, TeamMember, TeamRole
from sprints.selectors import assignable_people
from sprints.services.assignment import assign_item, release_assignments
from tests.permissions import (
    PRODUCT_ROLES,
    Case,
    assert_permission_matrix,
    people_for,
    statuses_for,
)
from tests.sprints.test_api_queries import SIZES, as_, bulk_items

pytestmark = pytest.mark.django_db

API = "/api/v1"
statuses = statuses_for(PRODUCT_ROLES)


def _user(**names):
    return get_user_model()(**names)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"first_name": "Jan", "last_name": "de Vries", "username": "jan"}, "JV"),
        ({"first_name": "Henk", "last_name": "Verhoeven", "username": "h"}, "HV"),
        ({"first_name": "Eva", "last_name": "", "username": "eva"}, "EV"),
        ({"first_name": "", "last_name": "", "username": "p.jansen"}, "PJ"),
        ({"first_name": "", "last_name": "", "username": "x"}, "X"),
    ],
)
def test_initials_take_first_name_and_surname_without_its_prefix(names, expected):
    assert initials(_user(**names)) == expected


def test_the_product_owner_gives_an_item_to_a_developer(
    product, product_owner, developer, make_item, django_capture_on_commit_callbacks
):
    item = make_item()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assigned = assign_item(
            actor=product_owner, item=item, assignee=developer, version=item.version
        )
    assert callbacks, "the live event goes out after the commit"
    item.refresh_from_db()
    assert item.assignee == developer and item.version == assigned.version == 2
    record = AuditRecord.objects.filter(action="item.assigned").get()
    assert record.changes == {"assignee": [None, "dani"]}
    assert record.cooperative_id == product.cooperative_id


def test_a_developer_takes_an_item_themself_and_gives_it_back(developer, make_item):
    item = make_item()
    item = assign_item(actor=developer, item=item, assignee=developer)
    assert item.assignee == developer
    item = assign_item(actor=developer, item=item, assignee=None)
    item.refresh_from_db()
    assert item.assignee is None and item.version == 3


def test_assigning_whom_it_already_has_changes_nothing(product_owner, developer, make_item):
    item = assign_item(actor=product_owner, item=make_item(), assignee=developer)
    again = assign_item(actor=product_owner, item=item, assignee=developer)
    assert again.version == item.version
    assert AuditRecord.objects.filter(action="item.assigned").count() == 1


def test_only_developers_and_product_owners_of_the_product_may_be_given_an_item(
    product_owner, tester, outsider_person, coordinator, make_item
):
    item = make_item()
    for person in (tester, outsider_person, coordinator):
        with pytest.raises(DomainError) as refused:
            assign_item(actor=product_owner, item=item, assignee=person)
        assert refused.value.field == "assignee"
    item.refresh_from_db()
    assert item.assignee is None and item.version == 1


def test_testers_and_coordinators_may_not_assign(tester, coordinator, product_owner, make_item):
    item = make_item()
    for actor in (tester, coordinator):
        with pytest.raises(NotAllowed):
            assign_item(actor=actor, item=item, assignee=product_owner)


def test_a_stale_version_is_refused_instead_of_overwritten(product_owner, developer, make_item):
    item = make_item()
    assign_item(actor=product_owner, item=item, assignee=developer, version=1)
    with pytest.raises(StaleObject):
        assign_item(actor=product_owner, item=item, assignee=product_owner, version=1)
    item.refresh_from_db()
    assert item.assignee == developer


def test_an_accepted_item_keeps_its_assignee(product_owner, developer, make_item):
    item = assign_item(actor=product_owner, item=make_item(), assignee=developer)
    BacklogItem.objects.filter(pk=item.pk).update(status=ItemStatus.ACCEPTED)
    with pytest.raises(DomainError):
        assign_item(actor=product_owner, item=item, assignee=None)


def test_the_assignable_people_are_the_builders_by_name(product, product_owner, developer, tester):
    assert set(assignable_people(product)) == {product_owner, developer}


def test_someone_who_stops_building_is_released_from_their_items(
    product, product_owner, developer, make_item
):
    item = assign_item(actor=product_owner, item=make_item(), assignee=developer)
    with transaction.atomic():
        TeamMember.objects.filter(product=product, user=developer).update(role=TeamRole.TESTER)
        assert release_assignments(actor=product_owner, product=product, user=developer) == 1
    item.refresh_from_db()
    assert item.assignee is None
    # Someone still building keeps theirs.
    item = assign_item(actor=product_owner, item=item, assignee=product_owner)
    assert release_assignments(actor=product_owner, product=product, user=product_owner) == 0


def test_the_board_filters_by_assignee(product_owner, developer, active_sprint):
    first, second = active_sprint.items.order_by("position")
    assign_item(actor=product_owner, item=first, assignee=developer)

    def refs(**kwargs):
        board = selectors.board_for(active_sprint, **kwargs)
        return [i.number for column in board.values() for i in column]

    assert refs() == [first.number, second.number]
    assert refs(assignee=developer.pk) == [first.number]
    assert refs(assignee=selectors.UNASSIGNED) == [second.number]
    assert selectors.unfinished_count(active_sprint) == 2


def test_unfinished_count_is_what_closing_sends_back(product_owner, developer, active_sprint):
    first, _second = active_sprint.items.order_by("position")
    sprints_services.set_item_status(actor=developer, item=first, status="done")
    assert selectors.unfinished_count(active_sprint) == 1
    backlog_before = active_sprint.product.items.filter(sprint__isnull=True).count()
    sprints_services.close_sprint(actor=product_owner, sprint=active_sprint)
    backlog_after = active_sprint.product.items.filter(sprint__isnull=True).count()
    assert backlog_after - backlog_before == 1


# --- API -------------------------------------------------------------------------------------
def test_the_api_assigns_with_if_match_and_shows_name_and_initials(
    product_owner, developer, make_item
):
    item = make_item()
    developer.last_name = "de Bruin"
    developer.save()
    client = as_(product_owner)
    response = client.post(
        f"{API}/items/{item.pk}/assign/",
        {"assignee": developer.pk},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    assert response.json()["assignee"] == {
        "id": developer.pk,
        "name": "Dani de Bruin",
        "initials": "DB",
    }
    shown = client.get(f"{API}/items/{item.pk}/").json()
    assert shown["assignee"]["initials"] == "DB"
    # Stale: 412 with the item as it is now.
    stale = client.post(
        f"{API}/items/{item.pk}/assign/",
        {"assignee": None},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["assignee"]["id"] == developer.pk
    # Without If-Match: 400 naming it.
    missing = client.post(f"{API}/items/{item.pk}/assign/", {"assignee": None}, format="json")
    assert missing.status_code == 400


def test_the_api_refuses_people_off_the_team_and_unknown_fields(product_owner, tester, make_item):
    item = make_item()
    client = as_(product_owner)
    for body in ({"assignee": tester.pk}, {"assignee": 999_999}, {"assignee": None, "x": 1}):
        response = client.post(
            f"{API}/items/{item.pk}/assign/", body, format="json", headers={"If-Match": '"1"'}
        )
        assert response.status_code == 400, body
    item.refresh_from_db()
    assert item.version == 1


def test_the_schema_documents_the_assignee(product_owner):
    schema = as_(product_owner).get(f"{API}/schema/?format=json")
    if schema.status_code != 200:
        pytest.skip("schema served elsewhere")
    text = schema.content.decode()
    assert "/items/{id}/assign/" in text and "initials" in text


@pytest.fixture
def assign_world(product, product_owner, developer, make_item):
    item = make_item()
    return {"item": item, "developer": developer}


ASSIGN = Case(
    "items: assign",
    "post",
    lambda w: f"{API}/items/{w['item'].pk}/assign/",
    # Who edits the backlog assigns; testers and coordinators see but may not (403); who may
    # not see the product finds nothing (404).
    statuses(401, 404, 404, 403, 200, 200, 403),
    lambda w: {"assignee": w["developer"].pk},
    lambda w: {"If-Match": f'"{w["item"].version}"'},
)


def test_who_may_assign(request, assign_world):
    item = assign_world["item"]

    def state():
        return BacklogItem.objects.values_list("assignee_id", "version").get(pk=item.pk)

    assert_permission_matrix(people_for(request, PRODUCT_ROLES), [ASSIGN], assign_world, state)


# --- Queries at two sizes --------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_the_backlog_with_assignees_takes_the_same_queries_at_any_size(
    product, product_owner, developer, size, django_assert_max_num_queries
):
    items = bulk_items(product, size)
    for index, item in enumerate(items):
        item.assignee = (developer, product_owner, None)[index % 3]
    BacklogItem.objects.bulk_update(items, ["assignee"], batch_size=1_000)
    # The product with the roles, the page with its assignees (a join), the criteria, the
    # labels: the assignees add nothing.
    with django_assert_max_num_queries(4):
        response = as_(product_owner).get(f"{API}/products/{product.pk}/backlog/?page_size=50")
    assert response.status_code == 200
    people = {row["assignee"]["id"] for row in response.json()["results"] if row["assignee"]}
    assert people == {developer.pk, product_owner.pk}


@pytest.mark.parametrize("size", SIZES)
def test_the_board_with_assignees_takes_the_same_queries_at_any_size(
    product, product_owner, developer, active_sprint, size, django_assert_max_num_queries
):
    items = bulk_items(
        product,
        size,
        sprint=active_sprint,
        statuses=[ItemStatus.TODO, ItemStatus.IN_PROGRESS, ItemStatus.DONE],
    )
    for index, item in enumerate(items):
        item.assignee = (developer, product_owner, None)[index % 3]
    BacklogItem.objects.bulk_update(items, ["assignee"], batch_size=1_000)
    with django_assert_max_num_queries(4):
        response = as_(product_owner).get(f"{API}/sprints/{active_sprint.pk}/")
    assert response.status_code == 200
    cards = [card for column in response.json()["board"].values() for card in column]
    assert len(cards) == size + 2
    assert {c["assignee"]["id"] for c in cards if c["assignee"]} == {developer.pk, product_owner.pk}


def test_leaving_the_team_or_becoming_tester_releases_the_items(
    product, product_owner, developer, make_item
):
    first = assign_item(actor=product_owner, item=make_item("Een"), assignee=developer)
    member = TeamMember.objects.get(product=product, user=developer)
    sprints_services.change_team_role(actor=product_owner, member=member, role=TeamRole.TESTER)
    first.refresh_from_db()
    assert first.assignee is None
    again = TeamMember.objects.get(product=product, user=developer)
    sprints_services.change_team_role(actor=product_owner, member=again, role=TeamRole.DEVELOPER)
    second = assign_item(actor=product_owner, item=make_item("Twee"), assignee=developer)
    sprints_services.remove_team_member(
        actor=product_owner, member=TeamMember.objects.get(product=product, user=developer)
    )
    second.refresh_from_db()
    assert second.assignee is None
