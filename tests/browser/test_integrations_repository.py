"""The repository pages in a real browser: accessible, and the sync's progress arrives live.

Elements are found by id, never by their words (the pages are Dutch by default).
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.integrations import gitrepos
from tests.integrations.gitrepos import link_and_sync

PASSWORD = "a-Good-passw0rd"

# The integrations tests' git fixtures: tests/integrations/conftest.py is not seen from here.
git_settings, work = gitrepos.git_settings, gitrepos.work
pytestmark = pytest.mark.usefixtures("git_settings")


@pytest.fixture
def repository(work, product, product_owner, make_item):
    item = make_item()
    work.commit(f"{item.reference}: first")
    return link_and_sync(product, product_owner, work.path)


def test_repository_pages_are_accessible(page, live_url, assert_accessible, repository):
    login(page, live_url, "eva", PASSWORD)
    page.goto(f"{live_url}/products/{repository.product_id}/repository/")
    expect(page.locator("#repositories")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_url}/products/{repository.product_id}/repository/{repository.pk}/")
    expect(page.locator("#repository-progress")).to_be_visible()
    expect(page.locator("#access-token-form")).to_be_visible()
    assert_accessible(page)
    # The access-token form sent without a token: the page again, with the field's error.
    page.locator("#change-access-token").click()
    expect(page.locator("#token-access_token-error")).to_be_visible()
    assert_accessible(page)


def test_sync_progress_arrives_live(browser, page, live_url, repository, work, monkeypatch):
    """One person watches the repository page; in another window the sync is asked for."""
    # The job runs in the live server's process, also where Celery has a real broker (CI's
    # Redis pass) but no worker.
    from deelbaar.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    url = f"{live_url}/products/{repository.product_id}/repository/{repository.pk}/"
    login(page, live_url, "eva", PASSWORD)
    page.goto(url)
    expect(page.locator("#repository-live")).to_have_attribute("data-live-state", "open")
    work.commit("second")
    head = work.commit("third")
    other = browser.new_context(locale="nl-NL")
    try:
        asking = other.new_page()
        login(asking, live_url, "eva", PASSWORD)
        asking.goto(url)
        asking.locator("#sync-repository").click()
        asking.wait_for_load_state()
        expect(page.locator("#repository-head")).to_contain_text(head, timeout=5000)
        expect(page.locator("#repository-status")).to_have_attribute("data-state", "synced")
        expect(page.locator("#repository-progress-numbers")).to_contain_text("2")
    finally:
        other.close()
