"""The sprints pages' tests that need a world other than test_pages.py's: starting a product
(no product yet), a second tester, and the query counts (a product and its owner only). They
were in test_pages.py, whose other tests now share one world per module (tests/shared.py)."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cooperative import services as cooperative_services
from sprints import selectors
from sprints import services as sprints_services
from sprints.models import ItemStatus, Product, Verdict
from tests.shared import unshared
from tests.sprints import test_pages
from tests.sprints.test_pages import (  # noqa: F401  (media_in_tmp: a fixture)
    bulk_items,
    client_for,
    count_queries,
    field_error,
    html_of,
    media_in_tmp,
    today,
    url,
)

pytestmark = pytest.mark.django_db

world = unshared(test_pages.world)


def test_a_tester_who_was_not_asked_sees_no_form_and_may_not_post(world, second_tester):
    address = url("acceptance", product_id=world.product.pk, increment_id=world.submitted.pk)
    client = client_for(second_tester)
    assert 'name="decision"' not in html_of(client.get(address))
    response = client.post(address, {"item": world.done.pk, "decision": "accept"})
    assert response.status_code == 403
    assert not Verdict.objects.exists()


def test_starting_a_product_through_the_page(zob, eindhoven, eindhoven_membership, product_owner):
    client = client_for(product_owner)
    page = html_of(client.get(url("product_list")))
    assert 'id="product-form"' in page
    membership = eindhoven_membership
    response = client.post(
        url("product_list"),
        {"pilot": membership.pk, "name": "Bezwaar en beroep", "key": "bez", "weeks": "2"},
    )
    product = Product.objects.get(key="BEZ")
    assert response.status_code == 302
    assert response["Location"] == url("backlog", product_id=product.pk)
    assert product.sprint_length_days == 14


def test_ticking_one_follow_up_per_criterion_on_the_page_sets_it(
    zob, eindhoven, eindhoven_membership, product_owner
):
    client = client_for(product_owner)
    page = html_of(client.get(url("product_list")))
    box = re.search(r'<input[^>]*name="follow_up_per_criterion"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "utrecht-textbox" not in box
    # What a browser sends for a ticked box: the value the page gave it.
    ticked = re.search(r'value="([^"]*)"', box).group(1)
    client.post(
        url("product_list"),
        {
            "pilot": eindhoven_membership.pk,
            "name": "Meldingen openbare ruimte",
            "key": "MOR",
            "weeks": "2",
            "follow_up_per_criterion": ticked,
        },
    )
    assert Product.objects.get(key="MOR").follow_up_per_criterion is True


def test_the_product_form_offers_participants_by_cooperative(
    zob, eindhoven_membership, mgd_membership, woerden_application, product_owner
):
    client = client_for(product_owner)
    page = html_of(client.get(url("product_list")))
    offered = re.findall(r'name="participants" value="(\d+)"', page)
    # Eindhoven is the only pilot Eva may start for, so it owns the product and is not offered.
    assert sorted(map(int, offered)) == sorted([mgd_membership.pk, woerden_application.pk])
    assert f'data-cooperative="{zob.pk}"' in page and "<legend" in page
    assert "Woerden (membership applied)" in page
    response = client.post(
        url("product_list"),
        {
            "pilot": eindhoven_membership.pk,
            "name": "Inwonerscloud",
            "key": "INW",
            "weeks": "2",
            "participants": [mgd_membership.pk, woerden_application.pk],
        },
    )
    assert response.status_code == 302
    product = Product.objects.get(key="INW")
    assert set(product.participants.all()) == {
        mgd_membership.organisation,
        woerden_application.organisation,
    }
    backlog = html_of(client.get(response["Location"]))
    shown = re.search(r'id="product-participants"[^>]*>(.*?)</span>', backlog, re.S).group(1)
    assert "MijnGemeenteDichtbij" in shown and "Woerden" in shown


def test_a_participant_that_may_not_take_part_is_refused_on_its_field(
    zob, dimpact, eindhoven_membership, mgd_membership, coordinator, outsider_person, utrecht
):
    elsewhere = cooperative_services.apply_for_membership(
        actor=outsider_person, cooperative=dimpact, organisation=utrecht
    )
    # The coordinator may start a product for either pilot, so both are offered to take part.
    client = client_for(coordinator)
    data = {"pilot": eindhoven_membership.pk, "name": "Inwonerscloud", "key": "INW", "weeks": "2"}
    owner = html_of(
        client.post(url("product_list"), {**data, "participants": [eindhoven_membership.pk]})
    )
    assert "Eindhoven owns the product" in field_error(owner, "id_participants")
    unknown = html_of(client.post(url("product_list"), {**data, "participants": [elsewhere.pk]}))
    assert "Choose participants from the organisations listed." in field_error(
        unknown, "id_participants"
    )
    assert not Product.objects.exists()


def test_the_chosen_participants_survive_the_look_at_similar_solutions(
    zob, eindhoven_membership, mgd_membership, woerden_application, product_owner, monkeypatch
):
    found = [SimpleNamespace(name="Subsidieloket", short_description="Aanvragen online")]
    monkeypatch.setattr(selectors, "similar_solutions", lambda title, description="": found)
    chosen = [mgd_membership.pk, woerden_application.pk]
    data = {"pilot": eindhoven_membership.pk, "name": "Subsidies", "key": "SUB", "weeks": "2"}
    html = html_of(
        client_for(product_owner).post(url("product_list"), {**data, "participants": chosen})
    )
    checked = re.findall(
        r'name="participants" value="(\d+)" id="[^"]+" data-organisation="\d+" checked', html
    )
    assert sorted(map(int, checked)) == sorted(chosen)


def test_similar_solutions_are_shown_before_anything_is_written(
    zob, eindhoven_membership, product_owner, monkeypatch
):
    """The solutions app fills selectors.similar_solutions in; until then a stand-in answers."""
    found = [SimpleNamespace(name="Subsidieloket", short_description="Aanvragen online")]
    monkeypatch.setattr(selectors, "similar_solutions", lambda title, description="": found)
    client = client_for(product_owner)
    data = {"pilot": eindhoven_membership.pk, "name": "Subsidies", "key": "SUB", "weeks": "2"}
    html = html_of(client.post(url("product_list"), data))
    assert "Subsidieloket" in html and 'id="similar-heading"' in html
    assert 'name="similar_seen" id="id_similar_seen" value="1"' in html
    assert not Product.objects.exists()
    response = client.post(url("product_list"), {**data, "similar_seen": "1"})
    assert response.status_code == 302 and Product.objects.count() == 1
    partial = html_of(client.get(url("similar_solutions"), {"name": "Subsidies"}))
    assert "Subsidieloket" in partial


def test_a_bad_product_key_is_refused(zob, eindhoven_membership, product_owner):
    html = html_of(
        client_for(product_owner).post(
            url("product_list"),
            {"pilot": eindhoven_membership.pk, "name": "X", "key": "1-A", "weeks": "9"},
        )
    )
    assert "capital letters or digits" in field_error(html, "id_key")
    assert "A sprint lasts 1 to 4 weeks." in field_error(html, "id_weeks")
    assert not Product.objects.exists()


@pytest.mark.parametrize("page", ["backlog", "backlog_list"])
def test_backlog_queries_do_not_grow(product, product_owner, page):
    client = client_for(product_owner)
    address = url(page, product_id=product.pk)
    bulk_items(product, 50)
    small = count_queries(client, address)
    bulk_items(product, 1950)
    assert count_queries(client, address) == small


@pytest.mark.parametrize("page", ["sprint_board", "board_columns"])
def test_board_queries_do_not_grow(product, product_owner, page):
    sprint = sprints_services.plan_sprint(actor=product_owner, product=product, start=today())
    sprints_services.start_sprint(actor=product_owner, sprint=sprint)
    client = client_for(product_owner)
    address = url(page, product_id=product.pk, number=sprint.number)
    bulk_items(product, 50, sprint=sprint, status=ItemStatus.TODO)
    small = count_queries(client, address)
    bulk_items(product, 1950, sprint=sprint, status=ItemStatus.IN_PROGRESS)
    assert count_queries(client, address) == small


def test_the_next_sprint_proposed_starts_the_day_after_the_last_ends(product, product_owner):
    start = timezone.localdate() + timedelta(days=30)
    sprint = sprints_services.plan_sprint(actor=product_owner, product=product, start=start)
    assert sprint.end == start + timedelta(days=product.sprint_length_days - 1)  # inclusive
    response = client_for(product_owner).get(url("sprint_list", product_id=product.pk))
    proposed = (sprint.end + timedelta(days=1)).isoformat()
    start_field = re.search(r'<input[^>]*id="plan-start"[^>]*>', html_of(response)).group(0)
    assert f'value="{proposed}"' in start_field
