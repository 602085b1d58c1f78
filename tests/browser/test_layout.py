"""The application layout and "Mijn werk" in a real browser, at desktop (1280 px) and phone
(390 px) widths: axe finds nothing, the phone's header is compact (at most 80 px) with a menu
button that works from the keyboard, nothing scrolls sideways, and each role signs in to its
own work. Data is made through the services; elements are found by id, role and data
attributes (the pages are Dutch and their words may change)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sprints import services as sprints_services
from sprints.models import ItemStatus
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"
WIDTHS = [1280, 390]
MOBILE_HEADER_MAX = 80


@pytest.fixture
def work(product, product_owner, developer, tester, coordinator, active_sprint, cooperative_world):
    done, _todo = active_sprint.items.order_by("position")
    sprints_services.set_item_status(actor=developer, item=done, status=ItemStatus.DONE)
    increment = sprints_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[done], sprint=active_sprint
    )
    return sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timedelta(days=3),
        testers=[tester],
    )


def no_sideways_scroll(page):
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), f"{page.url} scrolls sideways at {page.viewport_size['width']} px"


def header_height(page):
    return page.locator("header.deelbaar-header").bounding_box()["height"]


@pytest.mark.parametrize("width", WIDTHS)
def test_each_role_lands_on_its_own_work(page, live_url, assert_accessible, work, width):
    page.set_viewport_size({"width": width, "height": 900})
    for username, section in [
        ("tessa", "verdicts"),
        ("eva", "products"),
        ("carla", "memberships"),
        ("wim", "membership"),
    ]:
        page.context.clear_cookies()
        login(page, live_url, username, PASSWORD)
        assert page.url.endswith("/my-work/"), (username, page.url)
        expect(page.locator(f"#work-{section}-section")).to_be_visible()
        assert_accessible(page)
        no_sideways_scroll(page)
    # The tester's entry leads to the checklist of the delivery.
    page.context.clear_cookies()
    login(page, live_url, "tessa", PASSWORD)
    page.locator(f"#work-verdicts [data-increment='{work.pk}'] a").click()
    assert page.url.endswith(f"/increments/{work.pk}/judge")


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_screen_and_pass_axe(page, live_url, assert_accessible, work, width):
    page.set_viewport_size({"width": width, "height": 900})
    zob = work.product.cooperative
    pages_to_check = [
        "/",
        "/solutions/",
        f"/cooperatives/{zob.slug}/",
    ]
    for path in pages_to_check:
        page.goto(f"{live_url}{path}")
        assert_accessible(page)
        no_sideways_scroll(page)
    login(page, live_url, "eva", PASSWORD)
    for path in [
        "/my-work/",
        f"/products/{work.product_id}/",
        f"/products/{work.product_id}/increments/",
        f"/cooperatives/{zob.slug}/join/",
    ]:
        page.goto(f"{live_url}{path}")
        assert_accessible(page)
        no_sideways_scroll(page)
        if width < 500:
            assert header_height(page) <= MOBILE_HEADER_MAX, (path, header_height(page))


def test_the_phone_menu_opens_and_closes_from_the_keyboard(page, live_url, assert_accessible, work):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_url, "eva", PASSWORD)
    button = page.locator("#menu-button")
    navigation = page.locator("#main-navigation")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    assert header_height(page) <= MOBILE_HEADER_MAX
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(navigation).to_be_visible()
    # The current section is marked, and the log-out button is reachable in the open menu.
    expect(navigation.locator("[aria-current=page]")).to_have_count(1)
    expect(page.locator(".deelbaar-header__tools button[type=submit]").last).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    expect(button).to_be_focused()


def test_desktop_shows_the_navigation_without_a_menu_button(page, live_url, work):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_url, "eva", PASSWORD)
    expect(page.locator("#menu-button")).to_be_hidden()
    expect(page.locator("#main-navigation")).to_be_visible()
    current = page.locator("#main-navigation [aria-current=page]")
    expect(current).to_have_attribute("href", "/my-work/")


def test_a_long_page_grows_and_the_footer_follows_it(page, live_url, product, product_owner):
    for n in range(60):
        sprints_services.create_item(actor=product_owner, product=product, title=f"Item {n}")
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_url, "eva", PASSWORD)
    page.goto(f"{live_url}/products/{product.pk}/")
    body = page.evaluate("document.body.getBoundingClientRect().height")
    footer = page.locator("footer").bounding_box()
    main = page.locator("main").bounding_box()
    assert body > 800, "the body is fixed to the window's height"
    assert footer["y"] >= main["y"] + main["height"] - 1


def test_anonymous_home_explains_three_steps_and_leads_on(page, live_url, assert_accessible):
    page.goto(live_url)
    expect(page.locator("#step-build")).to_be_visible()
    expect(page.locator("#step-reuse")).to_be_visible()
    page.locator("#home-catalogue").click()
    assert page.url.endswith("/solutions/")
