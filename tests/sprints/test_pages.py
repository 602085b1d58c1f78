"""The sprints pages through Django's test client: who sees what, bad input, query counts."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sprints import selectors
from sprints import services as sprints_services
from sprints.models import (
    AcceptanceCriterion,
    BacklogItem,
    Increment,
    IncrementState,
    ItemStatus,
    Product,
    Sprint,
    SprintState,
    Verdict,
)
from tests.shared import share_per_module

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "tester", "developer", "product_owner", "coordinator"]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def world(
    product,
    product_owner,
    developer,
    tester,
    coordinator,
    outsider_person,
    active_sprint,
    make_item,
):
    """Sprint 1 active with one item done and one to do; a submitted and a draft increment."""
    done, todo = active_sprint.items.order_by("position")
    sprints_services.set_item_status(actor=developer, item=done, status=ItemStatus.DONE)
    ready = make_item("Inloggen met eHerkenning")
    unready = make_item("Onduidelijk verzoek", ready=False)
    submitted = sprints_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[done], sprint=active_sprint
    )
    sprints_services.submit_increment(
        actor=product_owner,
        increment=submitted,
        deadline=today() + timedelta(days=3),
        testers=[tester],
    )
    draft = sprints_services.create_increment(
        actor=developer, product=product, version="0.1.1", items=[done]
    )
    return SimpleNamespace(
        product=product,
        sprint=active_sprint,
        done=done,
        todo=todo,
        ready=ready,
        unready=unready,
        submitted=submitted,
        draft=draft,
        users={
            "anonymous": None,
            "outsider": outsider_person,
            "tester": tester,
            "developer": developer,
            "product_owner": product_owner,
            "coordinator": coordinator,
        },
    )


# All tests here meet that world (those that need another are in test_pages_other_worlds.py):
# it is built once for the module and copied for each test (tests/shared.py), not for each of
# the ~200.
share_per_module(globals(), "world")


def client_for(user):
    # English, the source language: the messages asserted here are the ones in the code.
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def url(name, **kwargs):
    return reverse(f"sprints:{name}", kwargs=kwargs)


# --- The permission matrix -------------------------------------------------------------------
VIEW = {
    "anonymous": 302,
    "outsider": 404,
    "tester": 200,
    "developer": 200,
    "product_owner": 200,
    "coordinator": 200,
}


def only(*roles, ok=302):
    """Allowed for `roles` (answering `ok`), 403 for the other viewers, 404 for outsiders."""
    return {
        "anonymous": 302,
        "outsider": 404,
        **{role: ok if role in roles else 403 for role in ROLES[2:]},
    }


def pages(w):
    p, s = w.product.pk, w.sprint.number
    return {
        "product_list": ("get", url("product_list"), None),
        "backlog": ("get", url("backlog", product_id=p), None),
        "backlog_list": ("get", url("backlog_list", product_id=p), None),
        "item_detail": ("get", url("item_detail", product_id=p, item_id=w.ready.pk), None),
        "sprint_list": ("get", url("sprint_list", product_id=p), None),
        "sprint_plan": ("get", url("sprint_plan", product_id=p, number=s), None),
        "sprint_board": ("get", url("sprint_board", product_id=p, number=s), None),
        "board_columns": ("get", url("board_columns", product_id=p, number=s), None),
        "sprint_review": ("get", url("sprint_review", product_id=p, number=s), None),
        "review_charts": ("get", url("review_charts", product_id=p, number=s), None),
        "increment_list": ("get", url("increment_list", product_id=p), None),
        "acceptance": ("get", url("acceptance", product_id=p, increment_id=w.submitted.pk), None),
        "acceptance_entries": (
            "get",
            url("acceptance_entries", product_id=p, increment_id=w.submitted.pk),
            None,
        ),
        "inbox": ("get", url("inbox"), None),
        "create_item": (
            "post",
            url("item_create", product_id=p),
            {"title": "Nieuw", "kind": "story", "estimate": "3", "acceptance_criteria": "Werkt"},
        ),
        "edit_item": (
            "post",
            url("item_detail", product_id=p, item_id=w.ready.pk),
            {"title": "Anders", "kind": "story", "estimate": "5", "version": w.ready.version},
        ),
        "move_item": (
            "post",
            url("item_move", product_id=p, item_id=w.unready.pk),
            {"to": "top"},
        ),
        "plan_sprint": (
            "post",
            url("sprint_list", product_id=p),
            {"start": (today() + timedelta(days=14)).isoformat(), "goal": "Volgende"},
        ),
        "commit_items": (
            "post",
            url("sprint_plan", product_id=p, number=s),
            {"items": [w.ready.pk]},
        ),
        "set_status": (
            "post",
            url("item_status", product_id=p, item_id=w.todo.pk),
            {"status": "in_progress"},
        ),
        "finish_sprint": ("post", url("sprint_finish", product_id=p, number=s), {}),
        "close_sprint": ("post", url("sprint_close", product_id=p, number=s), {}),
        "create_increment": (
            "post",
            url("increment_list", product_id=p),
            {"version": "0.9.0", "items": [w.done.pk]},
        ),
        "submit_increment": (
            "post",
            url("increment_submit", product_id=p, increment_id=w.draft.pk),
            {"deadline": (today() + timedelta(days=2)).isoformat(), "testers": []},
        ),
        "give_verdict": (
            "post",
            url("acceptance", product_id=p, increment_id=w.submitted.pk),
            {"item": w.done.pk, "decision": "accept"},
        ),
        "judge": ("get", url("judge", product_id=p, increment_id=w.submitted.pk), None),
        "judge_answer": (
            "post",
            url("judge_answer", product_id=p, increment_id=w.submitted.pk),
            {"item": w.done.pk, "criterion": w.done.criteria.get().pk, "met": "yes"},
        ),
        "judge_send": (
            "post",
            url("judge_send", product_id=p, increment_id=w.submitted.pk),
            {},
        ),
    }


EXPECTED = {
    "product_list": {**VIEW, "outsider": 200},
    "inbox": {**VIEW, "outsider": 200},
    "backlog": VIEW,
    "backlog_list": VIEW,
    "item_detail": VIEW,
    "sprint_list": VIEW,
    "sprint_plan": only("product_owner", ok=200),
    "sprint_board": VIEW,
    "board_columns": VIEW,
    "sprint_review": VIEW,
    "review_charts": VIEW,
    "increment_list": VIEW,
    "acceptance": VIEW,
    "acceptance_entries": VIEW,
    "create_item": only("developer", "product_owner"),
    "edit_item": only("developer", "product_owner"),
    "move_item": only("product_owner"),
    "plan_sprint": only("product_owner"),
    "commit_items": only("product_owner"),
    "set_status": only("developer", "product_owner"),
    "finish_sprint": only("product_owner"),
    "close_sprint": only("product_owner"),
    "create_increment": only("developer", "product_owner"),
    "submit_increment": only("developer", "product_owner"),
    # Segregation of duties: whoever builds or owns the product never gives verdicts.
    "give_verdict": only("tester"),
    # The tester's checklist page, its answers and the sending: the asked tester's alone.
    "judge": only("tester", ok=200),
    "judge_answer": only("tester"),
    # Sent with nothing answered: refused with the page and what is missing.
    "judge_send": only("tester", ok=400),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(EXPECTED))
def test_permission_matrix(world, page, role):
    method, address, data = pages(world)[page]
    if page == "submit_increment":
        data = {**data, "testers": [world.users["tester"].pk]}
    client = client_for(world.users[role])
    response = getattr(client, method)(address, data or {})
    expected = EXPECTED[page][role]
    assert response.status_code == expected, (page, role, response.status_code)
    if expected == 302:
        to_login = response["Location"].startswith("/accounts/login/")
        assert to_login == (role == "anonymous"), (page, role, response["Location"])


# --- What each person sees -------------------------------------------------------------------
def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_backlog_offers_moving_to_the_product_owner_only(world):
    address = url("backlog", product_id=world.product.pk)
    owner = html_of(client_for(world.users["product_owner"]).get(address))
    assert f'id="move-{world.ready.pk}-up"' in owner
    assert 'draggable="true"' in owner
    assert 'id="new-item-form"' in owner
    developer = html_of(client_for(world.users["developer"]).get(address))
    assert "move-" not in developer and 'draggable="true"' not in developer
    assert 'id="new-item-form"' in developer
    tester = html_of(client_for(world.users["tester"]).get(address))
    assert 'id="new-item-form"' not in tester
    # Ready or not is said in words, not only in colour (the reasons are on the item's page).
    assert re.search(r"! </span>Not ready", owner)
    assert re.search(r"✓ </span>Ready", owner)
    assert f'data-live-socket="/ws/products/{world.product.pk}/"' in owner


def test_backlog_lists_the_order_of_the_selector(world):
    html = html_of(
        client_for(world.users["tester"]).get(url("backlog", product_id=world.product.pk))
    )
    found = [int(pk) for pk in re.findall(r'<li class="sprints-item" id="item-(\d+)"', html)]
    assert found == [i.pk for i in selectors.backlog_for(world.product)]


def test_acceptance_shows_verdict_forms_to_the_asked_tester_only(world):
    address = url("acceptance", product_id=world.product.pk, increment_id=world.submitted.pk)
    assert 'name="decision"' in html_of(client_for(world.users["tester"]).get(address))
    for role in ("product_owner", "developer", "coordinator"):
        html = html_of(client_for(world.users[role]).get(address))
        assert 'name="decision"' not in html, role
        assert 'id="acceptance-intro"' in html


def test_the_live_part_of_acceptance_keeps_the_testers_forms(world):
    """The partial the page swaps in when a verdict is given: the verdicts so far, and forms
    that keep what the tester typed (hx-preserve) while the rest is replaced."""
    kwargs = {"product_id": world.product.pk, "increment_id": world.submitted.pk}
    page = html_of(client_for(world.users["tester"]).get(url("acceptance", **kwargs)))
    assert f'data-live-refresh="{url("acceptance_entries", **kwargs)}"' in page
    assert 'data-live-target="acceptance"' in page
    partial = html_of(client_for(world.users["tester"]).get(url("acceptance_entries", **kwargs)))
    assert partial.lstrip().startswith('<div id="acceptance">')
    assert f'id="entry-{world.done.pk}"' in partial
    assert re.search(rf'<form [^>]*id="verdict-{world.done.pk}-form"[^>]*hx-preserve', partial)
    owner = client_for(world.users["product_owner"]).get(url("acceptance_entries", **kwargs))
    assert 'name="decision"' not in html_of(owner)


def test_inbox_lists_the_testers_items_soonest_deadline_first(world, product_owner, make_item):
    tester = world.users["tester"]
    sprint = world.sprint
    later = make_item("Later")
    sprints_services.commit_items(actor=product_owner, sprint=sprint, items=[later])
    sprints_services.set_item_status(actor=product_owner, item=later, status=ItemStatus.DONE)
    late = sprints_services.create_increment(
        actor=product_owner, product=world.product, version="0.2.0", items=[later]
    )
    sprints_services.submit_increment(
        actor=product_owner, increment=late, deadline=today() + timedelta(days=9)
    )
    html = html_of(client_for(tester).get(url("inbox")))
    rows = re.findall(r'data-item="(\d+)" data-increment="(\d+)"', html)
    assert rows == [(str(world.done.pk), str(world.submitted.pk)), (str(later.pk), str(late.pk))]
    assert f'/increments/{world.submitted.pk}/judge#entry-{world.done.pk}"' in html
    assert 'data-live-socket="/ws/notifications/"' in html
    assert "Nothing awaits your verdict." in html_of(
        client_for(world.users["developer"]).get(url("inbox"))
    )


def test_product_list_shows_my_products_and_roles(world):
    html = html_of(client_for(world.users["developer"]).get(url("product_list")))
    assert "Subsidiesysteem" in html
    assert "Developer" in html
    assert "Subsidiesysteem" not in html_of(
        client_for(world.users["outsider"]).get(url("product_list"))
    )


def test_item_detail_shows_criteria_commits_and_verdicts_with_superseded_ones(
    world, product_owner, make_item
):
    tester = world.users["tester"]
    sprints_services.give_verdict(
        actor=tester, increment=world.submitted, item=world.done, accepted=False, remarks="Knop"
    )
    sprints_services.submit_increment(
        actor=product_owner, increment=world.draft, deadline=today() + timedelta(days=1)
    )
    sprints_services.give_verdict(
        actor=tester, increment=world.draft, item=world.done, accepted=True
    )
    html = html_of(
        client_for(world.users["coordinator"]).get(
            url("item_detail", product_id=world.product.pk, item_id=world.done.pk)
        )
    )
    assert "Het formulier bewaart een concept" in html
    assert 'id="commits-heading"' in html
    assert re.findall(r'data-superseded="(yes|no)"', html) == ["yes", "no"]
    assert "Superseded by the re-test in increment 0.1.1" in html
    follow_up = BacklogItem.objects.get(follow_up_of__isnull=False)
    assert f"follow-up {follow_up.reference}" in html
    assert 'id="edit-item-form"' not in html  # a coordinator oversees, does not edit
    follow_up_page = html_of(
        client_for(world.users["developer"]).get(
            url("item_detail", product_id=world.product.pk, item_id=follow_up.pk)
        )
    )
    assert 'id="follow-up-of"' in follow_up_page and 'id="edit-item-form"' in follow_up_page


def test_review_draws_both_charts_with_tables(world, product_owner):
    product, sprint = world.product, world.sprint
    sprints_services.give_verdict(
        actor=world.users["tester"], increment=world.submitted, item=world.done, accepted=True
    )
    sprints_services.close_sprint(actor=product_owner, sprint=sprint)
    html = html_of(
        client_for(world.users["tester"]).get(
            url("sprint_review", product_id=product.pk, number=sprint.number)
        )
    )
    for piece in (
        'id="burndown-chart"',
        'role="img" aria-labelledby="burndown-title burndown-desc"',
        '<title id="burndown-title">',
        'id="velocity-chart"',
        'id="burndown-table"',
        'id="velocity-table"',
        "<caption",
        'scope="row"',
        'scope="col"',
        'id="velocity-rule"',  # later acceptances count toward the sprint accepting them
    ):
        assert piece in html, piece
    assert 'data-sprint="1"' in html and 'data-accepted="3"' in html
    # Coordinates never carry a decimal comma, whatever the language.
    for points in re.findall(r' points="([^"]*)"', html):
        assert re.fullmatch(r"[\d.]+,[\d.]+( [\d.]+,[\d.]+)*", points), points
    for value in re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)"', html):
        assert re.fullmatch(r"[\d.]+", value), value


def test_review_shows_scope_added_during_the_sprint(world, product_owner, make_item):
    extra = make_item("Erbij", estimate=5)
    sprints_services.commit_items(actor=product_owner, sprint=world.sprint, items=[extra])
    html = html_of(
        client_for(product_owner).get(
            url("sprint_review", product_id=world.product.pk, number=world.sprint.number)
        )
    )
    assert re.search(r'data-added="5"', html), "points added today are in the table"
    assert "+5</text>" in html, "and marked in the chart"


def test_board_has_four_columns_and_status_buttons_for_the_team(world):
    address = url("sprint_board", product_id=world.product.pk, number=world.sprint.number)
    html = html_of(client_for(world.users["developer"]).get(address))
    for status in ("todo", "in_progress", "done", "accepted"):
        assert f'id="column-{status}"' in html
    assert f'id="card-{world.todo.pk}-to-in_progress"' in html
    assert 'id="close-sprint"' not in html  # sprint controls are the product owner's
    owner = html_of(client_for(world.users["product_owner"]).get(address))
    assert 'id="close-sprint"' in owner and 'id="finish-sprint"' in owner
    tester = html_of(client_for(world.users["tester"]).get(address))
    assert f"card-{world.todo.pk}-to-" not in tester


# --- Changes through the pages ---------------------------------------------------------------
def test_keyboard_move_without_javascript_redirects_with_a_message(world):
    client = client_for(world.users["product_owner"])
    response = client.post(
        url("item_move", product_id=world.product.pk, item_id=world.unready.pk), {"to": "up"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{world.unready.pk}")
    order = list(selectors.backlog_for(world.product))
    assert order[0].pk == world.unready.pk
    page = client.get(response["Location"]).content.decode()
    assert f"{world.unready.reference} moved: now number 1 of 2" in page


def test_htmx_move_answers_the_list_and_an_announcement(world):
    client = client_for(world.users["product_owner"])
    response = client.post(
        url("item_move", product_id=world.product.pk, item_id=world.ready.pk),
        {"after": world.unready.pk, "page": "1"},
        headers={"HX-Request": "true"},
    )
    html = html_of(response)
    assert html.startswith('<div id="backlog-list"')
    assert 'hx-swap-oob="innerHTML"' in html and "now number 2 of 2" in html
    assert "deelbaar:focus" in response["HX-Trigger-After-Settle"]
    assert [i.pk for i in selectors.backlog_for(world.product)] == [
        world.unready.pk,
        world.ready.pk,
    ]


def test_moving_the_top_item_up_changes_nothing_and_says_so(world):
    top = selectors.backlog_for(world.product).first()
    before = list(BacklogItem.objects.order_by("pk").values_list("pk", "position"))
    response = client_for(world.users["product_owner"]).post(
        url("item_move", product_id=world.product.pk, item_id=top.pk),
        {"to": "up"},
        headers={"HX-Request": "true"},
    )
    assert "is already there" in html_of(response)
    assert list(BacklogItem.objects.order_by("pk").values_list("pk", "position")) == before


def test_board_status_change_by_htmx(world):
    response = client_for(world.users["developer"]).post(
        url("item_status", product_id=world.product.pk, item_id=world.todo.pk),
        {"status": "in_progress"},
        headers={"HX-Request": "true"},
    )
    html = html_of(response)
    assert html.startswith('<div id="board"')
    assert re.search(rf'id="card-{world.todo.pk}"[^>]*data-status="in_progress"', html)
    world.todo.refresh_from_db()
    assert world.todo.status == ItemStatus.IN_PROGRESS


def test_sprint_transitions_by_the_product_owner(world):
    client = client_for(world.users["product_owner"])
    p, n = world.product.pk, world.sprint.number
    assert client.post(url("sprint_finish", product_id=p, number=n)).status_code == 302
    response = client.post(
        url("sprint_close", product_id=p, number=n), {"confirm": "yes"}, follow=True
    )
    assert "1 unfinished item went back to the top of the backlog" in response.content.decode()
    world.sprint.refresh_from_db()
    assert world.sprint.state == SprintState.CLOSED
    assert selectors.backlog_for(world.product).first().pk == world.todo.pk
    # A closed sprint cannot be started: the refusal is a message, not an error page.
    response = client.post(url("sprint_start", product_id=p, number=n), follow=True)
    assert "Only a planned sprint can be started" in response.content.decode()


def test_planning_commits_ready_items_and_warns_above_the_velocity(
    world, product_owner, developer, tester, make_item
):
    product = world.product
    tester_ = world.users["tester"]
    sprints_services.give_verdict(
        actor=tester_, increment=world.submitted, item=world.done, accepted=True
    )
    sprints_services.close_sprint(actor=product_owner, sprint=world.sprint)  # velocity 3
    sprint = sprints_services.plan_sprint(
        actor=product_owner, product=product, start=today() + timedelta(days=14)
    )
    big = make_item("Groot", estimate=8)
    client = client_for(product_owner)
    address = url("sprint_plan", product_id=product.pk, number=sprint.number)
    page = html_of(client.get(address))
    # Not-ready items are listed, but cannot be chosen, and say why.
    assert re.search(rf'id="commit-item-{world.unready.pk}" disabled', page)
    assert f'id="commit-item-{world.unready.pk}-reason"' in page
    response = client.post(address, {"items": [big.pk]}, follow=True)
    html = response.content.decode()
    assert "1 item is committed to sprint 2" in html
    assert "more than the average velocity of the last three sprints (3.0 points)" in html
    assert 'id="velocity-warning"' in html
    big.refresh_from_db()
    assert big.sprint_id == sprint.pk


# --- Bad input: a clear message, nothing written ---------------------------------------------
def field_error(html, field_id):
    """The error shown for a field, which must be linked to it."""
    # A group of checkboxes or radio buttons marks each of its inputs.
    assert re.search(rf'id="{field_id}(_0)?"[^>]*aria-invalid="true"', html), (
        f"{field_id} is not marked invalid"
    )
    assert f'aria-describedby="{field_id}-error' in html
    match = re.search(rf'id="{field_id}-error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


def test_an_item_without_title_or_with_a_wrong_estimate_is_refused(world):
    """Adding from the top of the backlog asks only a title and a kind; the estimate is
    checked where it is given, on the item's page. Neither refusal writes anything."""
    count = BacklogItem.objects.count()
    developer = client_for(world.users["developer"])
    response = developer.post(
        url("item_create", product_id=world.product.pk),
        {"title": "  ", "kind": "story"},
    )
    assert response.status_code == 400
    assert "Give the item a title." in field_error(response.content.decode(), "new-item-title")
    address = url("item_detail", product_id=world.product.pk, item_id=world.ready.pk)
    form_page = html_of(developer.get(address))
    original = re.search(r'name="original" id="item-original" value="([^"]*)"', form_page)
    import html as html_module

    response = developer.post(
        address,
        {
            "title": world.ready.title,
            "kind": "story",
            "estimate": "7",
            "acceptance_criteria": "Het formulier bewaart een concept",
            "version": str(world.ready.version),
            "original": html_module.unescape(original.group(1)),
        },
    )
    assert "An estimate is 0, 1, 2, 3, 5, 8, 13, 20, 40 or 100 points" in field_error(
        html_of(response), "item-estimate"
    )
    assert BacklogItem.objects.count() == count
    world.ready.refresh_from_db()
    assert world.ready.estimate != 7


def test_a_stale_edit_says_what_changed_and_keeps_the_current_values(world):
    address = url("item_detail", product_id=world.product.pk, item_id=world.ready.pk)
    owner, developer = (
        client_for(world.users["product_owner"]),
        client_for(world.users["developer"]),
    )
    form_page = html_of(developer.get(address))
    original = re.search(r'name="original" id="item-original" value="([^"]*)"', form_page)
    import html as html_module

    original = html_module.unescape(original.group(1))
    base = {"kind": "story", "acceptance_criteria": "Het formulier bewaart een concept"}
    first = owner.post(
        address,
        {**base, "title": "Eerst", "estimate": "3", "version": "1", "original": original},
    )
    assert first.status_code == 302
    second = developer.post(
        address,
        {**base, "title": "Later", "estimate": "8", "version": "1", "original": original},
    )
    assert second.status_code == 412
    html = second.content.decode()
    assert 'id="stale-message"' in html and 'role="alert"' in html
    assert re.search(r'data-field="title">.*?Inloggen met eHerkenning.*?Eerst', html, re.S)
    assert 'name="version" id="item-version" value="2"' in html  # saving again is deliberate
    assert 'value="Later"' in html  # the person's own input is kept
    world.ready.refresh_from_db()
    assert (world.ready.title, world.ready.estimate, world.ready.version) == ("Eerst", 3, 2)


def test_moving_next_to_an_item_of_another_product_is_refused(world, zob, product_owner, eindhoven):
    other = sprints_services.create_product(
        actor=product_owner, cooperative=zob, owner=eindhoven, name="Ander", key="AND"
    )
    stranger = sprints_services.create_item(actor=product_owner, product=other, title="Elders")
    before = list(BacklogItem.objects.order_by("pk").values_list("pk", "position"))
    response = client_for(product_owner).post(
        url("item_move", product_id=world.product.pk, item_id=world.ready.pk),
        {"before": stranger.pk},
        headers={"HX-Request": "true"},
    )
    assert "That item is not in this product&#x27;s backlog." in html_of(response)
    assert list(BacklogItem.objects.order_by("pk").values_list("pk", "position")) == before


def test_committing_an_item_that_is_not_ready_is_refused(world):
    address = url("sprint_plan", product_id=world.product.pk, number=world.sprint.number)
    html = html_of(
        client_for(world.users["product_owner"]).post(
            address, {"items": [world.ready.pk, world.unready.pk]}
        )
    )
    assert f"{world.unready.reference} is not ready" in html
    assert 'id="commit-items-error"' in html
    assert not BacklogItem.objects.filter(pk__in=[world.ready.pk, world.unready.pk]).exclude(
        sprint=None
    )


def test_planning_without_a_start_date_is_refused(world):
    html = html_of(
        client_for(world.users["product_owner"]).post(
            url("sprint_list", product_id=world.product.pk), {"start": "morgen"}
        )
    )
    assert "Enter the start date as a date" in field_error(html, "plan-start")
    assert Sprint.objects.count() == 1


def test_an_increment_needs_done_items_and_a_future_deadline(world):
    client = client_for(world.users["developer"])
    html = html_of(
        client.post(
            url("increment_list", product_id=world.product.pk),
            {"version": "2.0.0", "items": [world.ready.pk]},
        )
    )
    assert "Only done items of this product can be delivered." in field_error(
        html, "increment-items"
    )
    assert not Increment.objects.filter(version="2.0.0").exists()
    html = html_of(
        client.post(
            url("increment_submit", product_id=world.product.pk, increment_id=world.draft.pk),
            {
                "deadline": (today() - timedelta(days=1)).isoformat(),
                "testers": [world.users["tester"].pk],
            },
        )
    )
    assert "The deadline cannot be in the past." in field_error(
        html, f"submit-{world.draft.pk}-deadline"
    )
    world.draft.refresh_from_db()
    assert world.draft.state == IncrementState.DRAFT


def test_a_rejection_without_remarks_is_refused(world):
    address = url("acceptance", product_id=world.product.pk, increment_id=world.submitted.pk)
    html = html_of(
        client_for(world.users["tester"]).post(
            address, {"item": world.done.pk, "decision": "reject", "remarks": "  "}
        )
    )
    assert "a rejection needs remarks" in field_error(html, f"verdict-{world.done.pk}-remarks")
    assert not Verdict.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("notes.txt", b"just text", "must be a PNG, JPEG, GIF or WebP image"),
        ("huge.png", PNG + b"\0" * (5 * 1024 * 1024), "at most 5 MB"),
    ],
)
def test_a_screenshot_must_be_a_small_image(world, name, content, problem):
    address = url("acceptance", product_id=world.product.pk, increment_id=world.submitted.pk)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    html = html_of(
        client_for(world.users["tester"]).post(
            address,
            {"item": world.done.pk, "decision": "reject", "remarks": "Kapot", "screenshot": upload},
        )
    )
    assert problem in field_error(html, f"verdict-{world.done.pk}-screenshot")
    assert not Verdict.objects.exists()


def test_a_verdict_on_an_item_outside_the_increment_is_refused(world):
    address = url("acceptance", product_id=world.product.pk, increment_id=world.submitted.pk)
    response = client_for(world.users["tester"]).post(
        address, {"item": world.ready.pk, "decision": "accept"}, follow=True
    )
    assert "That item is not part of this increment." in response.content.decode()
    assert not Verdict.objects.exists()


# --- Acceptance through the page -------------------------------------------------------------
def test_rejecting_with_a_screenshot_puts_a_follow_up_on_top(world):
    address = url("acceptance", product_id=world.product.pk, increment_id=world.submitted.pk)
    client = client_for(world.users["tester"])
    response = client.post(
        address,
        {
            "item": world.done.pk,
            "decision": "reject",
            "remarks": "De knop doet niets",
            "screenshot": SimpleUploadedFile("knop.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    verdict = Verdict.objects.get()
    top = selectors.backlog_for(world.product).first()
    assert top.follow_up_of == verdict and top.description == "De knop doet niets"
    page = client.get(response["Location"]).content.decode()
    assert f"{top.reference} is at the top of the backlog" in page
    shot = client_for(world.users["developer"]).get(
        url("verdict_screenshot", product_id=world.product.pk, verdict_id=verdict.pk)
    )
    assert shot.status_code == 200 and shot["Content-Type"] == "image/png"
    assert b"".join(shot.streaming_content) == PNG
    outsider = client_for(world.users["outsider"]).get(
        url("verdict_screenshot", product_id=world.product.pk, verdict_id=verdict.pk)
    )
    assert outsider.status_code == 404


# --- Query counts do not grow with the data --------------------------------------------------
def bulk_items(product, count, *, sprint=None, status=ItemStatus.OPEN):
    start = product.last_item_number
    BacklogItem.objects.bulk_create(
        [
            BacklogItem(
                product=product,
                number=start + n + 1,
                title=f"Item {n}",
                estimate=3 if n % 3 else None,
                position=(start + n + 1) * 1024,
                sprint=sprint,
                status=status,
            )
            for n in range(count)
        ]
    )
    items = product.items.filter(number__gt=start).order_by("number")
    AcceptanceCriterion.objects.bulk_create(
        [AcceptanceCriterion(item=item, position=0, text="Werkt") for item in items[1::2]]
    )
    Product.objects.filter(pk=product.pk).update(last_item_number=start + count)
    product.refresh_from_db()


def count_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)
