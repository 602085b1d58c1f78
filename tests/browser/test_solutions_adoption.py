"""Adoption and the reuse figures in a real browser, with axe on every page.

Elements are found by id and data attributes, never by their words (the pages are Dutch by
default and the new strings are not translated yet).
"""

from playwright.sync_api import expect

from solutions.models import Adoption, AdoptionState
from tests.browser.conftest import login
from tests.solutions.adoption_world import *  # noqa: F403
from tests.solutions.adoption_world import in_use
from tests.solutions.factories import make_release

PASSWORD = "a-Good-passw0rd"


def test_a_member_adopts_takes_into_use_and_upgrades(
    page, live_url, assert_accessible, solution, member_person, eindhoven
):
    login(page, live_url, member_person.username, PASSWORD)
    page.goto(f"{live_url}/solutions/{solution.slug}/adoption/")
    expect(page.locator(f"#offer-{eindhoven.pk}")).to_have_attribute("data-entitled", "true")
    assert_accessible(page)

    page.fill(f"#adopt-{eindhoven.pk}-remarks", "Voor de subsidieregeling")
    page.click(f"#adopt-{eindhoven.pk}-submit")
    adoption = Adoption.objects.get()
    own = page.locator(f"#adoption-{adoption.pk}")
    expect(own).to_have_attribute("data-state", "requested")
    assert_accessible(page)

    page.click(f"#take-{adoption.pk}-submit")
    expect(own).to_have_attribute("data-state", "in_use")
    expect(page.locator("#where-in-use-total")).to_have_attribute("data-organisations", "1")
    expect(page.locator(f'#where-in-use tr[data-organisation="{eindhoven.slug}"]')).to_be_visible()
    adoption.refresh_from_db()
    assert adoption.state == AdoptionState.IN_USE

    make_release(solution, "1.1.0")
    page.reload()
    expect(page.locator(f"#upgrade-notice-{adoption.pk}")).to_be_visible()
    assert_accessible(page)
    page.select_option(f"#upgrade-{adoption.pk}-release", label="1.1.0")
    page.click(f"#upgrade-{adoption.pk}-submit")
    expect(page.locator(f"#upgrade-notice-{adoption.pk}")).to_have_count(0)
    expect(page.locator('#where-in-use td[data-release="1.1.0"]')).to_be_visible()

    page.click("#review-link")
    expect(page.locator("#review-form")).to_be_visible()
    assert_accessible(page)
    page.check("#review-score_3")
    page.fill("#review-pros", "Snel ingericht")
    page.click("#review-submit")
    expect(page.locator('#review-list [data-organisation="eindhoven"]')).to_have_attribute(
        "data-score", "4"
    )


def test_an_outsider_is_told_how_to_join(
    page, live_url, assert_accessible, solution, outsider_person, utrecht
):
    login(page, live_url, outsider_person.username, PASSWORD)
    page.goto(f"{live_url}/solutions/{solution.slug}/adoption/")
    offer = page.locator(f"#offer-{utrecht.pk}")
    expect(offer).to_have_attribute("data-reason", "no_membership")
    expect(page.locator(f"#adopt-{utrecht.pk}-submit")).to_have_count(0)
    assert_accessible(page)
    page.click(f"#join-{utrecht.pk}")
    page.wait_for_url(f"**/cooperatives/{solution.cooperative.slug}/join/**")


def test_the_reuse_page(page, live_url, assert_accessible, solution, member_person, mgd_person):
    in_use(member_person, solution)
    in_use(mgd_person, solution)
    page.goto(f"{live_url}/cooperatives/{solution.cooperative.slug}/")
    page.click("#reuse-link")
    expect(page.locator("#adoptions-chart")).to_be_visible()
    expect(page.locator("#cost-chart")).to_be_visible()
    row = page.locator(f'#adoptions-table tr[data-solution="{solution.slug}"]')
    expect(row.locator("[data-adoptions]")).to_have_attribute("data-adoptions", "2")
    expect(
        page.locator(f'#cost-table tr[data-solution="{solution.slug}"] [data-cost-avoided]')
    ).to_have_attribute("data-cost-avoided", "250000.00")
    expect(page.locator(f'#adoptions-chart [data-bar="{solution.slug}"]')).to_have_count(1)
    assert_accessible(page)
