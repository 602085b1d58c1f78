"""Issue 15's catalogue in a real browser: one request per typed search and a clean console,
Dutch compounds found as typed, the empty result, the filters folded on a phone (the first
result above the fold at 390 px, no sideways scrolling), open beside the results on a desktop,
and the solution page's maintenance warning; axe on each.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cooperative import services
from cooperative.models import ContributionKind
from tests.solutions.factories import make_solution

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def library(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    zob = services.create_cooperative(
        actor=admin,
        name="ICT Samenwerking Zuidoost-Brabant",
        slug="zuidoost-brabant",
        contribution_kind=ContributionKind.FIXED,
        contribution_amount=1000,
    )
    until = timezone.localdate() + timedelta(days=45)
    made = {
        "subsidiesysteem": make_solution(
            cooperative=zob,
            name="Subsidiesysteem",
            slug="subsidiesysteem",
            short_description_nl="Inwoners vragen subsidie aan zonder papier.",
            long_description_nl="Behandelaars beoordelen de aanvraag en betalen uit.",
            features_nl=[],
            maintenance_type="contract",
            maintenance_contractors=[{"name": "Gemboxx", "until": until.isoformat()}],
            maintenance_until=until,
        ),
        "digitaal-loket": make_solution(
            cooperative=zob,
            name="Digitaal loket",
            slug="digitaal-loket",
            short_description_nl="Producten aanvragen, zoals een vergunning.",
            features_nl=[],
            categories=["digital-citizenship"],
        ),
    }
    for n in range(8):
        make_solution(
            cooperative=zob,
            name=f"Oplossing {n}",
            slug=f"oplossing-{n}",
            features_nl=["Werkvoorraad"],
            features_en=["Work queue"],
        )
    return made


def listed(page) -> list[str]:
    return page.locator("#catalogue-results [data-solution]").evaluate_all(
        "items => items.map(item => item.dataset.solution)"
    )


def settled(page):
    """No catalogue request in flight (htmx marks the element that sent it). Playwright's
    locators, not wait_for_function: the CSP refuses the eval that takes a string."""
    expect(
        page.locator("#catalogue-form.htmx-request, #catalogue-body.htmx-request")
    ).to_have_count(0)


def shows(page, count):
    expect(page.locator("#catalogue-results li")).to_have_count(count)


def watch(page):
    """The catalogue requests the page sends, and every console error or failed request."""
    seen = {"requests": [], "errors": []}
    page.on(
        "request",
        lambda request: (
            seen["requests"].append(request.url) if "/solutions/?" in request.url else None
        ),
    )
    page.on(
        "console",
        lambda message: seen["errors"].append(message.text) if message.type == "error" else None,
    )
    page.on("requestfailed", lambda request: seen["errors"].append(f"failed: {request.url}"))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    return seen


def test_typing_a_word_sends_one_request_and_the_console_stays_clean(
    page, live_url, library, assert_accessible
):
    page.goto(f"{live_url}/solutions/")
    seen = watch(page)
    page.click("#id_q")
    page.keyboard.type("subsidieaanvraag", delay=40)
    shows(page, 2)
    settled(page)
    # Leaving the box (its change event) sends nothing more.
    page.keyboard.press("Tab")
    page.wait_for_timeout(600)
    settled(page)
    assert len(seen["requests"]) == 1, seen["requests"]
    assert "q=subsidieaanvraag" in seen["requests"][0]
    assert "sort=" not in seen["requests"][0] or "sort=&" in seen["requests"][0] + "&"
    assert seen["errors"] == []
    # Ranked: the solution with both parts first.
    assert listed(page)[0] == "subsidiesysteem"
    assert "q=subsidieaanvraag" in page.url
    assert_accessible(page)

    # Ticking a filter is one request too.
    page.check("#facet-category-digital-citizenship")
    shows(page, 1)
    settled(page)
    assert len(seen["requests"]) == 2 and "category=digital-citizenship" in seen["requests"][1]
    assert seen["errors"] == []


def test_an_empty_result_says_so_once_with_a_way_out(page, live_url, library, assert_accessible):
    page.goto(f"{live_url}/solutions/?category=digital-citizenship")
    page.fill("#id_q", "zwembad")
    page.wait_for_selector("#catalogue-empty")
    settled(page)
    assert page.locator("#catalogue-empty").count() == 1
    assert page.locator(".solutions-note").count() == 0
    assert_accessible(page)
    with page.expect_navigation():
        page.click("#catalogue-empty-clear")
    assert "category" not in page.url and "q=zwembad" in page.url
    assert page.locator("#catalogue-empty").count() == 1  # still nothing, but no filters
    assert page.locator("#catalogue-empty-all").is_visible()


def test_on_a_phone_the_results_come_first_and_the_filters_fold(
    browser, live_server_asgi, live_url, library, assert_accessible
):
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_url}/solutions/")
        first = page.locator("#catalogue-results li").first.bounding_box()
        assert first["y"] < 800, first
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert not page.locator("#facet-status").is_visible()
        page.click("#facets-summary")
        assert page.locator("#facet-status").is_visible()
        assert_accessible(page)
        # Ticking a filter keeps the disclosure open after the swap.
        page.check("#facet-category-digital-citizenship")
        shows(page, 1)
        settled(page)
        assert page.locator("#facet-category-digital-citizenship").is_visible()
        page.screenshot(path="/tmp/h6-catalogue-390.png", full_page=False)
    finally:
        context.close()
        live_server_asgi.wait_until_idle()


def test_on_a_desktop_the_filters_stand_beside_the_results(page, live_url, library):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_url}/solutions/")
    assert page.locator("#facet-status").is_visible()
    assert not page.locator("#facets-summary").is_visible()
    filters = page.locator("#catalogue-facets").bounding_box()
    results = page.locator("#catalogue-results").bounding_box()
    assert filters["x"] < results["x"] and abs(filters["y"] - results["y"]) < 120


def test_the_solution_page_warns_before_maintenance_ends(
    page, live_url, library, assert_accessible
):
    page.goto(f"{live_url}/solutions/subsidiesysteem/")
    assert page.locator("#maintenance-warning").is_visible()
    assert page.locator("#maintenance-warning").get_attribute("data-days-left") == "45"
    assert page.locator("#maintenance-by [data-contractor=Gemboxx]").is_visible()
    assert page.locator("#contacts-heading").is_visible()
    assert page.locator("#where-in-use-heading").is_visible()
    assert page.locator("#releases-heading").is_visible()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
