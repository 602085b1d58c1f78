"""The metadata pages in a real browser, with axe: editing a solution (error summary, stale
version) and importing a publiccode.yml (every problem with its key path).

Elements are found by id and data attributes: the pages are Dutch by default.
"""

import pytest
import yaml
from playwright.sync_api import expect

from solutions.models import Solution
from solutions.publiccode import export_publiccode
from solutions.services.metadata import update_solution
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"


@pytest.fixture
def coordinator_page(page, live_url, coordinator):
    login(page, live_url, coordinator.username, PASSWORD)
    return page


def test_the_edit_page_saves_shows_problems_and_refuses_a_stale_version(
    coordinator_page, live_url, solution, coordinator, assert_accessible
):
    page = coordinator_page
    page.goto(f"{live_url}/solutions/{solution.slug}/edit/")
    expect(page.locator("#metadata-form")).to_be_visible()
    assert_accessible(page)

    # Too long a short description and an unknown licence: summarised, and beside the fields.
    page.fill("#metadata-short_description_nl", "x" * 151)
    page.fill("#metadata-licence", "Foo-1.0")
    page.click("#save-metadata")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary a[href='#metadata-licence']")).to_be_visible()
    expect(page.locator("#metadata-licence")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    # Someone else saves meanwhile: this person's save is refused, and the page says so.
    update_solution(actor=coordinator, solution=solution, version=1, name="Subsidies")
    page.fill("#metadata-short_description_nl", "Subsidies aanvragen en verlenen.")
    page.fill("#metadata-licence", "EUPL-1.2")
    page.click("#save-metadata")
    expect(page.locator("#stale-message")).to_be_visible()
    expect(page.locator("#stale-changes tr[data-field='name']")).to_be_visible()
    assert_accessible(page)

    # Saving again is a deliberate choice, now on the current version.
    page.click("#save-metadata")
    page.wait_for_url(f"{live_url}/solutions/{solution.slug}/")
    # The solution page's metadata section: the download, and editing for this coordinator.
    expect(page.locator("#publiccode-download")).to_be_visible()
    expect(page.locator("#metadata-edit")).to_be_visible()
    assert_accessible(page)
    solution = Solution.objects.get(pk=solution.pk)
    assert solution.short_description_nl == "Subsidies aanvragen en verlenen."
    assert solution.version == 3


def test_the_import_page_lists_every_problem_and_imports_a_valid_file(
    coordinator_page, live_url, solution, assert_accessible
):
    page = coordinator_page
    page.goto(f"{live_url}/solutions/import/")
    expect(page.locator("#import-form")).to_be_visible()
    assert_accessible(page)

    data = export_publiccode(solution)
    data["name"] = "Subsidieregeling"
    data["developmentStatus"] = "af"
    data["maintenance"] = {"type": "contract"}
    page.fill("#import-text", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    page.click("#import-submit")
    expect(page.locator("#import-problems")).to_be_visible()
    expect(page.locator("#import-problems li[data-path='developmentStatus']")).to_be_visible()
    expect(page.locator("#import-problems li[data-path='maintenance.contractors']")).to_be_visible()
    assert not Solution.objects.filter(name="Subsidieregeling").exists()
    assert_accessible(page)

    data = export_publiccode(solution)
    data["name"] = "Subsidieregeling"
    page.fill("#import-text", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    page.click("#import-submit")
    page.wait_for_url(f"{live_url}/solutions/subsidieregeling/")
    imported = Solution.objects.get(name="Subsidieregeling")
    assert imported.slug == "subsidieregeling"
