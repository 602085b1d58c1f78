"""Visual checks of the main pages (issue 15, item 9): each page at 1280 and 390 px wide is saved
as a screenshot (for people to look at: CI keeps the folder as an artefact) and checked for the
layout facts that matter: axe finds nothing, nothing scrolls sideways, the phone's header stays
within 80 px, the first catalogue result is above the fold on a phone, and a backlog shows at
least 20 rows on a 1280 by 800 screen.

Screenshots go to $DEELBAAR_SCREENSHOTS_DIR, or var/screenshots/ in the checkout, named
`<page>-<width>.png` (full page)."""

import os
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from django.utils import timezone

from sprints import services as sprints_services
from sprints.models import ItemStatus
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"
WIDTHS = [1280, 390]
HEIGHT = {1280: 800, 390: 844}
MOBILE_HEADER_MAX = 80
BACKLOG_ROWS_MIN = 20
ROOT = Path(__file__).resolve().parents[2]


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("DEELBAAR_SCREENSHOTS_DIR") or ROOT / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screens(
    product,
    product_owner,
    developer,
    tester,
    coordinator,
    active_sprint,
    make_item,
    solution,
    cooperative_world,
):
    """A product with a full backlog, an active sprint, a delivery awaiting the tester, a
    solution in the library, and the cooperative's people (tessa, eva, carla, wim)."""
    for number in range(BACKLOG_ROWS_MIN + 6):
        make_item(f"Wens {number + 1}: aanvragers zien de stand van hun aanvraag")
    done, _todo = active_sprint.items.order_by("position")
    sprints_services.set_item_status(actor=developer, item=done, status=ItemStatus.DONE)
    increment = sprints_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[done], sprint=active_sprint
    )
    increment = sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timedelta(days=3),
        testers=[tester],
    )
    zob = product.cooperative
    return {
        "product": product,
        "sprint": active_sprint,
        "increment": increment,
        "solution": solution,
        "zob": zob,
    }


def pages_by_person(screens):
    product, zob = screens["product"], screens["zob"]
    base = f"/products/{product.pk}"
    return [
        (
            None,
            [
                ("home", "/"),
                ("catalogue", "/solutions/"),
                ("solution", f"/solutions/{screens['solution'].slug}/"),
                ("cooperative", f"/cooperatives/{zob.slug}/"),
            ],
        ),
        ("tessa", [("my-work-tester", "/my-work/"), ("notifications", "/notifications/")]),
        (
            "eva",
            [
                ("my-work-product-owner", "/my-work/"),
                ("backlog", f"{base}/"),
                ("board", f"{base}/sprints/{screens['sprint'].number}/"),
                ("increment", f"{base}/increments/{screens['increment'].pk}/accept"),
            ],
        ),
        (
            "carla",
            [
                ("my-work-coordinator", "/my-work/"),
                ("audit-trail", f"/cooperatives/{zob.slug}/audit/"),
            ],
        ),
        ("wim", [("my-work-member", "/my-work/")]),
    ]


def scrolls_sideways(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def header_height(page) -> float:
    return page.locator("header.deelbaar-header").bounding_box()["height"]


@pytest.mark.parametrize("width", WIDTHS)
def test_main_pages_are_saved_and_fit_the_screen(page, live_url, assert_accessible, screens, width):
    page.set_viewport_size({"width": width, "height": HEIGHT[width]})
    folder = screenshots_dir()
    problems = []
    for person, pages in pages_by_person(screens):
        page.context.clear_cookies()
        if person:
            login(page, live_url, person, PASSWORD)
        for name, path in pages:
            page.goto(f"{live_url}{path}")
            assert page.url.startswith(f"{live_url}{path.split('?')[0]}"), (name, page.url)
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
            assert_accessible(page)
            if scrolls_sideways(page):
                problems.append(f"{name} scrolls sideways at {width} px")
            if width < 500 and header_height(page) > MOBILE_HEADER_MAX:
                problems.append(f"{name}: header {header_height(page)} px high at {width} px")
    assert not problems, problems


def test_first_catalogue_result_is_above_the_fold_on_a_phone(page, live_url, screens):
    page.set_viewport_size({"width": 390, "height": HEIGHT[390]})
    page.goto(f"{live_url}/solutions/")
    first = page.locator("#catalogue-results [data-solution]").first
    box = first.bounding_box()
    assert box is not None, "no catalogue result shown"
    assert box["y"] < HEIGHT[390], f"the first result starts at {box['y']} px, below the fold"


def test_the_backlog_shows_twenty_rows_per_screen(page, live_url, screens):
    page.set_viewport_size({"width": 1280, "height": HEIGHT[1280]})
    login(page, live_url, "eva", PASSWORD)
    page.goto(f"{live_url}/products/{screens['product'].pk}/")
    boxes = page.locator(".sprints-backlog__list > li").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect()).map(b => [b.top, b.bottom])"
    )
    assert len(boxes) >= BACKLOG_ROWS_MIN, f"only {len(boxes)} rows on the page"
    # Rows per screen: how many rows one screen's height holds, from the rows' own spacing.
    first_top, last_bottom = boxes[0][0], boxes[-1][1]
    per_row = (last_bottom - first_top) / len(boxes)
    rows_per_screen = HEIGHT[1280] / per_row
    assert rows_per_screen >= BACKLOG_ROWS_MIN, f"{rows_per_screen:.1f} rows per 800 px screen"


def test_the_audit_trail_stacks_its_rows_on_a_phone(page, live_url, assert_accessible, screens):
    """A wide table becomes one block per record at 390 px: nothing scrolls sideways, and no
    record's lines run into the next (each cell as tall as what it holds)."""
    page.set_viewport_size({"width": 390, "height": HEIGHT[390]})
    login(page, live_url, "carla", PASSWORD)
    page.goto(f"{live_url}/cooperatives/{screens['zob'].slug}/audit/")
    assert not scrolls_sideways(page)
    rows = page.locator("#audit-records > tbody > tr").evaluate_all(
        "rows => rows.map(r => { const b = r.getBoundingClientRect();"
        " const cut = [...r.children].filter(c => c.scrollHeight > c.clientHeight + 1).length;"
        " return [b.top, b.bottom, b.width, cut]; })"
    )
    assert len(rows) >= 5
    for (_top, bottom, _width, _cut), (next_top, *_rest) in pairwise(rows):
        assert bottom <= next_top + 1, "a record runs into the next"
    for _top, _bottom, width, cut in rows:
        assert width <= 390 and cut == 0, "a cell is cut off"
    # The labels the stacked cells show come from the column headings.
    assert page.locator("#audit-records tbody td[data-label]").count() >= 3 * len(rows)
    assert_accessible(page)
