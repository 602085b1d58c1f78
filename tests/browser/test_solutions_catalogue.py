"""The catalogue and the solution page in a real browser, with and without JavaScript, with axe.

Public pages: no login. Elements are found by ids and data attributes, not by the Dutch words.
"""

import pytest

from cooperative import services
from cooperative.models import ContributionKind, OrganisationKind
from tests.solutions.factories import make_solution


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
    dimpact = services.create_cooperative(
        actor=admin,
        name="Dimpact",
        slug="dimpact",
        contribution_kind=ContributionKind.FIXED,
        contribution_amount=15000,
    )
    eindhoven = services.register_organisation(
        actor=admin,
        kind=OrganisationKind.MUNICIPALITY,
        name="Eindhoven",
        cbs_code="GM0772",
        inhabitants=243_730,
    )
    return {
        "systeem": make_solution(
            cooperative=zob,
            name="Subsidiesysteem",
            slug="subsidiesysteem",
            development_status="stable",
            developed_by=eindhoven,
            estimated_cost=250_000,
            standards=["ZGW API's"],
            documentation_url="https://docs.example.org/subsidie",
        ),
        "loket": make_solution(
            cooperative=zob,
            name="Subsidieloket",
            slug="subsidieloket",
            development_status="beta",
            categories=["grant-management", "communications"],
        ),
        "zaak": make_solution(
            cooperative=dimpact,
            name="Zaakgericht werken",
            slug="zaakgericht-werken",
            development_status="stable",
            categories=["workflow-management"],
        ),
    }


def settled(page):
    """Wait until no catalogue request is in flight (htmx marks the element that sent it: the
    form on Enter, the search box after typing, the results body for a filter). A short pause
    first: Enter right after typing leaves the box's debounced request to come."""
    page.wait_for_timeout(400)
    page.wait_for_function(
        "!document.querySelector("
        "'#catalogue-form.htmx-request, #id_q.htmx-request, #catalogue-body.htmx-request')"
    )


def listed(page) -> list[str]:
    return page.locator("#catalogue-results [data-solution]").evaluate_all(
        "items => items.map(item => item.dataset.solution)"
    )


def test_search_and_facets_swap_the_results_in_place(page, live_url, library, assert_accessible):
    page.goto(f"{live_url}/solutions/")
    assert listed(page) == ["subsidieloket", "subsidiesysteem", "zaakgericht-werken"]
    assert_accessible(page)

    page.fill("#id_q", "subsidie")
    with page.expect_response(lambda r: "/solutions/?" in r.url):
        page.press("#id_q", "Enter")
    page.wait_for_function(
        "document.querySelectorAll('#catalogue-results [data-solution]').length === 2"
    )
    settled(page)
    assert sorted(listed(page)) == ["subsidieloket", "subsidiesysteem"]
    assert "q=subsidie" in page.url
    assert page.locator("#catalogue-status").inner_text().strip().startswith("2")

    # A facet ticked with the keyboard: the list follows, the focus stays on the box.
    page.focus("#facet-status-beta")
    with page.expect_response(lambda r: "status=beta" in r.url):
        page.keyboard.press("Space")
    page.wait_for_function(
        "document.querySelectorAll('#catalogue-results [data-solution]').length === 1"
    )
    settled(page)
    assert listed(page) == ["subsidieloket"]
    assert page.locator("#facet-status-beta").is_checked()
    assert page.evaluate("document.activeElement.id") == "facet-status-beta"
    # The status facet still offers "stable", with the count ticking it would add.
    assert page.locator("#facet-status-stable").get_attribute("data-count") == "1"
    assert_accessible(page)

    # Bad input (a stale link): an error summary, still accessible.
    page.goto(f"{live_url}/solutions/?status=finished")
    assert page.locator("#error-summary [data-error-field=status]").is_visible()
    assert_accessible(page)


def test_the_catalogue_works_without_javascript(browser, live_url, library):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_url}/solutions/")
        page.fill("#id_q", "subsidie")
        page.check("#facet-cooperative-zuidoost-brabant")
        page.click("#catalogue-submit")
        page.wait_for_load_state()
        assert "q=subsidie" in page.url and "cooperative=zuidoost-brabant" in page.url
        assert sorted(listed(page)) == ["subsidieloket", "subsidiesysteem"]
        page.check("#facet-status-beta")
        page.click("#catalogue-submit")
        page.wait_for_load_state()
        assert listed(page) == ["subsidieloket"]
        assert page.locator("#facet-status-beta").is_checked()
        page.click("#catalogue-clear")
        page.wait_for_load_state()
        assert len(listed(page)) == 3
        page.click("[data-solution=zaakgericht-werken] a")
        page.wait_for_load_state()
        assert page.url.endswith("/solutions/zaakgericht-werken/")
    finally:
        context.close()


def test_the_solution_page(page, live_url, library, assert_accessible):
    page.goto(f"{live_url}/solutions/subsidiesysteem/")
    assert page.locator("#solution-name").inner_text() == "Subsidiesysteem"
    assert page.locator("#solution-developed-by").inner_text() == "Eindhoven"
    assert page.locator("#solution-features li").count() == 2
    documentation = page.locator("#solution-links [data-link=documentation]")
    assert documentation.get_attribute("href") == "https://docs.example.org/subsidie"
    assert_accessible(page)
    page.click("#back-to-catalogue")
    page.wait_for_load_state()
    assert page.url.endswith("/solutions/")
    assert page.goto(f"{live_url}/solutions/no-such-solution/").status == 404
