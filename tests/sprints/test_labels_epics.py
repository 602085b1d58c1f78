"""Labels, epics, the backlog's search and filters, the row menu's "to place" and adding an
item inline (issue 15): services, API and pages, with who may do what."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cooperative.models import AuditRecord
from deelbaar.errors import DomainError, NotAllowed
from sprints import selectors
from sprints import services as sprints_services
from sprints.models import BacklogItem, Epic, ItemKind, ItemStatus, Label
from sprints.services import assign_item
from sprints.services import labels as label_services
from tests.sprints.test_api_queries import bulk_items

pytestmark = pytest.mark.django_db
API = "/api/v1"


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page_as(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def url(name, **kwargs):
    return reverse(f"sprints:{name}", kwargs=kwargs)


def backlog_ids(response):
    import re

    return [
        int(pk)
        for pk in re.findall(r'<li class="sprints-item" id="item-(\d+)"', response.content.decode())
    ]


# --- Services --------------------------------------------------------------------------------
def test_labels_are_created_renamed_and_removed_audited(product, product_owner, make_item):
    label = label_services.create_label(
        actor=product_owner, product=product, name="  Burger  zaken ", colour="blue"
    )
    assert (label.name, label.colour) == ("Burger zaken", "blue")
    with pytest.raises(DomainError) as same:
        label_services.create_label(actor=product_owner, product=product, name="burger ZAKEN")
    assert same.value.field == "name"
    with pytest.raises(DomainError) as colour:
        label_services.create_label(actor=product_owner, product=product, name="X", colour="pink")
    assert colour.value.field == "colour"
    item = make_item("Formulier")
    label_services.set_item_labels(actor=product_owner, item=item, labels=[label])
    label = label_services.change_label(actor=product_owner, label=label, name="Burgers")
    assert list(item.labels.values_list("name", flat=True)) == ["Burgers"]
    label_services.delete_label(actor=product_owner, label=label)
    assert not item.labels.exists() and BacklogItem.objects.filter(pk=item.pk).exists()
    actions = list(
        AuditRecord.objects.filter(action__startswith="label.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["label.created", "label.changed", "label.deleted"]


def test_a_tester_may_not_manage_labels_nor_epics(product, tester, make_item):
    with pytest.raises(NotAllowed):
        label_services.create_label(actor=tester, product=product, name="Nee")
    with pytest.raises(NotAllowed):
        label_services.create_epic(actor=tester, product=product, title="Nee")


def test_an_items_labels_and_epic_stay_within_its_product(
    product, product_owner, developer, make_item, zob, eindhoven
):
    other = sprints_services.create_product(
        actor=product_owner, cooperative=zob, owner=eindhoven, name="Ander", key="ANDER"
    )
    foreign_label = label_services.create_label(actor=product_owner, product=other, name="Elders")
    foreign_epic = label_services.create_epic(actor=product_owner, product=other, title="Elders")
    item = make_item("Formulier")
    with pytest.raises(DomainError):
        label_services.set_item_labels(actor=developer, item=item, labels=[foreign_label])
    with pytest.raises(DomainError):
        label_services.set_item_epic(actor=developer, item=item, epic=foreign_epic)
    epic = label_services.create_epic(actor=developer, product=product, title="Aanvragen")
    version = item.version
    item = label_services.set_item_epic(actor=developer, item=item, epic=epic)
    # Another version, so an edit made from an older copy is refused, not overwritten.
    assert item.epic == epic and item.version == version + 1
    label_services.delete_epic(actor=developer, epic=epic)
    item.refresh_from_db()
    assert item.epic is None


def test_an_epic_counts_its_items_and_points_done(product, product_owner, developer, make_item):
    epic = label_services.create_epic(actor=product_owner, product=product, title="Aanvragen")
    a, b, c = make_item("A", estimate=3), make_item("B", estimate=5), make_item("C", ready=False)
    for item in (a, b, c):
        label_services.set_item_epic(actor=product_owner, item=item, epic=epic)
    BacklogItem.objects.filter(pk=b.pk).update(status=ItemStatus.DONE)
    shown = selectors.epics_with_progress(product).get()
    assert (shown.items_done, shown.items_total) == (1, 3)
    assert (shown.points_done, shown.points_total) == (5, 8)


def test_filters_narrow_the_backlog(product, product_owner, developer, make_item):
    bug = make_item("Foutmelding bij opslaan", kind=ItemKind.BUG)
    story = make_item("Aanvraag indienen", description="met DigiD")
    unready = make_item("Onduidelijk", ready=False)
    label = label_services.create_label(actor=product_owner, product=product, name="Burger")
    epic = label_services.create_epic(actor=product_owner, product=product, title="Aanvragen")
    label_services.set_item_labels(actor=product_owner, item=story, labels=[label])
    label_services.set_item_epic(actor=product_owner, item=bug, epic=epic)
    assign_item(actor=product_owner, item=unready, assignee=developer)

    def found(**filters):
        return [i.pk for i in selectors.filter_items(selectors.backlog_for(product), **filters)]

    assert found(q="digid") == [story.pk]
    assert found(q="aanvraag digid") == [story.pk]
    assert found(kind="bug") == [bug.pk]
    assert found(ready=False) == [unready.pk]
    assert found(ready=True) == [bug.pk, story.pk]
    assert found(label=label.pk) == [story.pk]
    assert found(epic=epic.pk) == [bug.pk]
    assert found(epic="none") == [story.pk, unready.pk]
    assert found(assignee=developer.pk) == [unready.pk]
    assert found(assignee="none") == [bug.pk, story.pk]


# --- API -------------------------------------------------------------------------------------
def test_labels_api_by_role(product, product_owner, developer, tester, outsider_person):
    address = f"{API}/products/{product.pk}/labels/"
    created = api_as(developer).post(address, {"name": "Burger", "colour": "green"}, format="json")
    assert created.status_code == 201, created.content
    label_id = created.json()["id"]
    assert api_as(tester).get(address).json() == [
        {"id": label_id, "name": "Burger", "colour": "green"}
    ]
    assert api_as(tester).post(address, {"name": "Nee"}, format="json").status_code == 403
    assert api_as(outsider_person).get(address).status_code == 404
    assert api_as(outsider_person).post(address, {"name": "X"}, format="json").status_code == 404
    assert api_as(None).get(address).status_code in (401, 403)
    one = f"{address}{label_id}/"
    assert api_as(tester).patch(one, {"name": "Nee"}, format="json").status_code == 403
    renamed = api_as(product_owner).patch(one, {"name": "Burgers"}, format="json")
    assert renamed.json()["name"] == "Burgers"
    duplicate = api_as(product_owner).post(address, {"name": "burgers"}, format="json")
    assert duplicate.status_code == 400
    assert api_as(tester).delete(one).status_code == 403
    assert api_as(product_owner).delete(one).status_code == 204


def test_epics_api_with_progress_and_an_items_tags(
    product, product_owner, tester, outsider_person, make_item
):
    address = f"{API}/products/{product.pk}/epics/"
    assert api_as(tester).post(address, {"title": "Nee"}, format="json").status_code == 403
    assert api_as(outsider_person).get(address).status_code == 404
    epic = api_as(product_owner).post(address, {"title": "Aanvragen"}, format="json").json()
    label = (
        api_as(product_owner)
        .post(f"{API}/products/{product.pk}/labels/", {"name": "Burger"}, format="json")
        .json()
    )
    item = make_item("Formulier", estimate=5)
    tags = f"{API}/items/{item.pk}/tags/"
    body = {"labels": [label["id"]], "epic": epic["id"]}
    assert api_as(tester).post(tags, body, format="json").status_code == 403
    assert api_as(outsider_person).get(tags).status_code == 404
    answer = api_as(product_owner).post(tags, body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "labels": [{"id": label["id"], "name": "Burger", "colour": "grey"}],
        "epic": {"id": epic["id"], "title": "Aanvragen"},
    }
    BacklogItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
    shown = api_as(tester).get(f"{address}{epic['id']}/").json()
    assert (shown["items_done"], shown["items_total"], shown["points_done"]) == (1, 1, 5)
    assert api_as(product_owner).post(tags, {"epic": 999999}, format="json").status_code == 400


def test_backlog_list_filters_by_query_parameters(product, product_owner, tester, make_item):
    bug = make_item("Foutmelding", kind=ItemKind.BUG)
    story = make_item("Aanvraag")
    label = label_services.create_label(actor=product_owner, product=product, name="Burger")
    label_services.set_item_labels(actor=product_owner, item=story, labels=[label])
    address = f"{API}/products/{product.pk}/backlog/"
    everything = api_as(tester).get(address).json()
    assert [i["id"] for i in everything["results"]] == [bug.pk, story.pk]
    assert everything["results"][1]["labels"] == [
        {"id": label.pk, "name": "Burger", "colour": "grey"}
    ]
    assert everything["results"][0]["epic"] is None
    by_label = api_as(tester).get(address, {"label": label.pk}).json()
    assert [i["id"] for i in by_label["results"]] == [story.pk]
    assert by_label["count"] == 1
    by_kind = api_as(tester).get(address, {"kind": "bug", "ready": "true"}).json()
    assert [i["id"] for i in by_kind["results"]] == [bug.pk]
    wrong = api_as(tester).get(address, {"epic": "abc"})
    assert wrong.status_code == 400 and "epic" in wrong.json()["errors"][0].get("field", "epic")


@pytest.mark.parametrize("size", [20, 300])
def test_backlog_list_with_labels_and_epics_in_constant_queries(
    product, product_owner, tester, django_assert_max_num_queries, size
):
    items = bulk_items(product, size)
    labels = [
        label_services.create_label(actor=product_owner, product=product, name=f"L{n}")
        for n in range(3)
    ]
    epic = label_services.create_epic(actor=product_owner, product=product, title="Aanvragen")
    for item in items:
        item.labels.set(labels[: item.number % 3 + 1])
    BacklogItem.objects.filter(pk__in=[i.pk for i in items]).update(epic=epic)
    client = api_as(tester)
    with django_assert_max_num_queries(9):
        response = client.get(f"{API}/products/{product.pk}/backlog/")
    assert response.status_code == 200
    assert all(item["labels"] and item["epic"] for item in response.json()["results"])
    with django_assert_max_num_queries(10):
        filtered = client.get(f"{API}/products/{product.pk}/backlog/", {"label": labels[0].pk})
    assert filtered.json()["count"] == size


def test_the_schema_documents_the_backlog_filters():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/products/{product_pk}/backlog/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "kind", "ready", "label", "epic", "assignee"} <= names
    assert "/api/v1/products/{product_pk}/labels/" in schema["paths"]
    assert "/api/v1/products/{product_pk}/epics/{id}/" in schema["paths"]


# --- Pages -----------------------------------------------------------------------------------
def test_backlog_page_filters_from_the_address(product, product_owner, tester, make_item):
    bug = make_item("Foutmelding", kind=ItemKind.BUG)
    story = make_item("Aanvraag")
    label = label_services.create_label(actor=product_owner, product=product, name="Burger")
    label_services.set_item_labels(actor=product_owner, item=story, labels=[label])
    page = page_as(tester).get(url("backlog", product_id=product.pk), {"label": label.pk})
    assert backlog_ids(page) == [story.pk]
    html = page.content.decode()
    assert f'<option value="{label.pk}" selected>' in html and "1 item found." in html
    assert backlog_ids(
        page_as(tester).get(url("backlog", product_id=product.pk), {"q": "fout"})
    ) == [bug.pk]
    # A bad value in a shared address: the whole backlog, saying the filter is not applied (400).
    everything = page_as(tester).get(url("backlog", product_id=product.pk), {"epic": "abc"})
    assert everything.status_code == 400
    assert backlog_ids(everything) == [bug.pk, story.pk]
    listed = page_as(tester).get(
        url("backlog_list", product_id=product.pk),
        {"kind": "bug", "push": "1"},
        headers={"HX-Request": "true"},
    )
    assert backlog_ids(listed) == [bug.pk]
    assert listed["HX-Push-Url"] == url("backlog", product_id=product.pk) + "?kind=bug"


def test_rows_carry_labels_epic_assignee_and_a_menu_for_the_owner_only(
    product, product_owner, developer, make_item
):
    item = make_item("Formulier")
    label = label_services.create_label(actor=product_owner, product=product, name="Burger")
    epic = label_services.create_epic(actor=product_owner, product=product, title="Aanvragen")
    label_services.set_item_labels(actor=product_owner, item=item, labels=[label])
    label_services.set_item_epic(actor=product_owner, item=item, epic=epic)
    assign_item(actor=product_owner, item=item, assignee=developer)
    owner = page_as(product_owner).get(url("backlog", product_id=product.pk)).content.decode()
    assert 'class="sprints-label sprints-label--grey"' in owner and "Aanvragen" in owner
    assert f'id="menu-{item.pk}"' in owner and f'id="move-{item.pk}-place"' in owner
    assert 'class="sprints-avatar"' in owner
    dev = page_as(developer).get(url("backlog", product_id=product.pk)).content.decode()
    assert f'id="menu-{item.pk}"' not in dev and 'id="new-item-form"' in dev


def test_moving_to_a_place_by_number(product, product_owner, make_item):
    a, b, c, d = (make_item(t) for t in "ABCD")
    client = page_as(product_owner)
    address = url("item_move", product_id=product.pk, item_id=a.pk)
    response = client.post(address, {"place": "3", "menu": "1"}, headers={"HX-Request": "true"})
    assert "now number 3 of 4" in response.content.decode()
    assert f'id="menu-{a.pk}" open' in response.content.decode()
    assert [i.pk for i in selectors.backlog_for(product)] == [b.pk, c.pk, a.pk, d.pk]
    client.post(address, {"place": "99"}, headers={"HX-Request": "true"})
    assert [i.pk for i in selectors.backlog_for(product)] == [b.pk, c.pk, d.pk, a.pk]
    client.post(address, {"place": "1"}, headers={"HX-Request": "true"})
    assert [i.pk for i in selectors.backlog_for(product)] == [a.pk, b.pk, c.pk, d.pk]
    refused = client.post(address, {"place": "0"}, headers={"HX-Request": "true"})
    assert refused.status_code == 200 and "1 or more" in refused.content.decode()


def test_adding_inline_shows_the_item_or_the_error_at_the_field(
    product, developer, tester, outsider_person
):
    address = url("item_create", product_id=product.pk)
    htmx = {"HX-Request": "true"}
    empty = page_as(developer).post(address, {"title": " ", "kind": "story"}, headers=htmx)
    html = empty.content.decode()
    assert empty.status_code == 200 and 'id="new-item-error-summary"' in html
    assert 'id="new-item-title-error"' in html
    assert "new-item-error-summary" in empty["HX-Trigger-After-Settle"]
    added = page_as(developer).post(address, {"title": "Bijlage", "kind": "bug"}, headers=htmx)
    item = BacklogItem.objects.get(title="Bijlage")
    assert item.kind == "bug"
    # Said where it really is (the bottom), with a link to its row, not shown as if it were first.
    assert "is now at the bottom, in place 1." in added.content.decode()
    assert f'?page=1#item-{item.pk}"' in added.content.decode()
    assert page_as(tester).post(address, {"title": "X"}, headers=htmx).status_code == 403
    assert page_as(outsider_person).post(address, {"title": "X"}).status_code == 404
    plain = page_as(developer).post(address, {"title": ""})
    assert plain.status_code == 400 and 'id="new-item-error-summary"' in plain.content.decode()


@pytest.mark.parametrize(
    "role, status", [("product_owner", 302), ("developer", 302), ("tester", 403), ("outsider", 404)]
)
def test_managing_labels_and_epics_by_role(
    product, product_owner, developer, tester, outsider_person, role, status
):
    user = {
        "product_owner": product_owner,
        "developer": developer,
        "tester": tester,
        "outsider": outsider_person,
    }[role]
    client = page_as(user)
    label = label_services.create_label(actor=product_owner, product=product, name="Oud")
    epic = label_services.create_epic(actor=product_owner, product=product, title="Oud")
    view = 404 if role == "outsider" else 200
    assert client.get(url("labels", product_id=product.pk)).status_code == view
    assert client.get(url("epics", product_id=product.pk)).status_code == view
    epic_page = url("epic_detail", product_id=product.pk, epic_id=epic.pk)
    assert client.get(epic_page).status_code == view
    posts = [
        (url("labels", product_id=product.pk), {"name": "Nieuw", "colour": "red"}),
        (
            url("label_change", product_id=product.pk, label_id=label.pk),
            {"name": "Anders", "colour": "teal"},
        ),
        (url("epics", product_id=product.pk), {"title": "Nieuw"}),
        (epic_page, {"title": "Anders"}),
        (url("label_delete", product_id=product.pk, label_id=label.pk), {}),
        (url("epic_delete", product_id=product.pk, epic_id=epic.pk), {}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == status, address
    if status == 302:
        assert set(Label.objects.values_list("name", flat=True)) == {"Nieuw"}
        assert set(Epic.objects.values_list("title", flat=True)) == {"Nieuw"}


def test_a_label_without_a_name_is_shown_at_the_field(product, product_owner):
    response = page_as(product_owner).post(url("labels", product_id=product.pk), {"name": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in html and 'id="label-name-error"' in html


def test_an_items_labels_and_epic_on_its_page(
    product, product_owner, tester, outsider_person, make_item
):
    item = make_item("Formulier")
    label = label_services.create_label(actor=product_owner, product=product, name="Burger")
    epic = label_services.create_epic(actor=product_owner, product=product, title="Aanvragen")
    address = url("item_tags", product_id=product.pk, item_id=item.pk)
    htmx = {"HX-Request": "true"}
    assert 'id="item-tags-form"' not in page_as(tester).get(address, headers=htmx).content.decode()
    assert page_as(tester).post(address, {"labels": [label.pk]}).status_code == 403
    assert page_as(outsider_person).get(address).status_code == 404
    saved = page_as(product_owner).post(
        address, {"labels": [label.pk], "epic": epic.pk}, headers=htmx
    )
    assert "The labels and epic are saved." in saved.content.decode()
    item.refresh_from_db()
    assert list(item.labels.all()) == [label] and item.epic == epic
    epic_page = page_as(tester).get(url("epic_detail", product_id=product.pk, epic_id=epic.pk))
    assert "1 of 1 items" not in epic_page.content.decode()  # not done yet
    assert "0 of 1 items done" in epic_page.content.decode()


@pytest.mark.parametrize(
    "query", [{"label": "abc"}, {"kind": "zz"}, {"epic": "x"}, {"assignee": "x"}]
)
def test_backlog_page_says_a_bad_filter_is_not_applied(product, tester, make_item, query):
    """A filter value that is not right (a shared address, a hand-edited one) is not silently
    ignored: the page answers 400, as the catalogue does for a bad search and as the API does,
    with the error summary ("not applied") and the field's error, and the whole backlog below.
    The list alone for htmx (`backlog_list`) stays 200, as the catalogue's body does, because
    htmx only swaps successful answers."""
    first, second = make_item("Eerste"), make_item("Tweede")
    response = page_as(tester).get(url("backlog", product_id=product.pk), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="filter-errors"' in html
    assert "This filter is not right and is not applied:" in html
    (name,) = query
    assert f'data-error-field="{name}"' in html and f'href="#filter-{name}"' in html
    assert f'id="filter-{name}"' in html  # the link leads to the filter's input
    assert backlog_ids(response) == [first.pk, second.pk]
    good = page_as(tester).get(url("backlog", product_id=product.pk), {"kind": "bug"})
    assert good.status_code == 200 and 'id="filter-errors"' not in good.content.decode()


def test_adding_at_the_top_or_the_bottom_says_the_place(
    product, product_owner, developer, make_item
):
    """Quick add puts the item at the bottom; the second button at the top, only for the one who
    orders the backlog. The answer says the place, as the service left it."""
    first, second = make_item("Eerste"), make_item("Tweede")
    address = url("item_create", product_id=product.pk)
    htmx = {"HX-Request": "true"}
    owner = page_as(product_owner)
    on_top = owner.post(address, {"title": "Spoed", "kind": "bug", "at_top": "1"}, headers=htmx)
    top = BacklogItem.objects.get(title="Spoed")
    assert "is now at the top, in place 1." in on_top.content.decode()
    below = owner.post(address, {"title": "Later", "kind": "story"}, headers=htmx)
    later = BacklogItem.objects.get(title="Later")
    assert "is now at the bottom, in place 4." in below.content.decode()
    assert [i.pk for i in selectors.backlog_for(product)] == [top.pk, first.pk, second.pk, later.pk]
    assert (
        'id="add-item-top"'
        in page_as(product_owner).get(url("backlog", product_id=product.pk)).content.decode()
    )
    # A developer adds items, but only the product owner puts one above all others.
    dev_page = page_as(developer).get(url("backlog", product_id=product.pk)).content.decode()
    assert 'id="add-item"' in dev_page and 'id="add-item-top"' not in dev_page
    refused = page_as(developer).post(address, {"title": "Voor", "at_top": "1"}, headers=htmx)
    assert refused.status_code == 403 and not BacklogItem.objects.filter(title="Voor").exists()
    # Without htmx: back to the page the item is on, with the place in the message.
    plain = owner.post(address, {"title": "Nog een", "kind": "story", "at_top": "1"})
    added = BacklogItem.objects.get(title="Nog een")
    assert plain.status_code == 302 and plain["Location"].endswith(f"?page=1#item-{added.pk}")


def test_the_service_adds_at_the_top_only_for_who_orders_the_backlog(
    product, product_owner, developer, make_item
):
    make_item("Eerste")
    with pytest.raises(NotAllowed):
        sprints_services.create_item(actor=developer, product=product, title="Voor", at_top=True)
    assert not BacklogItem.objects.filter(title="Voor").exists()
    item = sprints_services.create_item(
        actor=product_owner, product=product, title="Voor", at_top=True
    )
    assert selectors.backlog_for(product).first().pk == item.pk
