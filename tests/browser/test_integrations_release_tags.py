"""Release tags on the repository page in a real browser: accessible, with the changelog
opened from the keyboard.

Elements are found by id and data attributes, never by their words (the pages are Dutch by
default).
"""

import pytest
from playwright.sync_api import expect

from integrations.models import ReleaseTag
from tests.browser.conftest import login
from tests.integrations import gitrepos
from tests.integrations.gitrepos import link_and_sync
from tests.solutions.factories import make_release

PASSWORD = "a-Good-passw0rd"

# The integrations tests' git fixtures: tests/integrations/conftest.py is not seen from here.
git_settings, work = gitrepos.git_settings, gitrepos.work
pytestmark = pytest.mark.usefixtures("git_settings")


@pytest.fixture
def repository(work, product, product_owner):
    work.commit("First")
    return link_and_sync(product, product_owner, work.path)


def test_tags_are_accessible_and_the_changelog_opens(
    page, live_url, assert_accessible, repository, solution
):
    pushed = ReleaseTag.objects.create(
        release=solution.releases.get(version="1.0.0"),
        repository=repository,
        name="v1.0.0",
        sha=repository.head_sha,
        pushed=True,
        changelog="## Changes in v1.0.0\n\n- 0123456789 First\n",
    )
    local = ReleaseTag.objects.create(
        release=make_release(solution, "1.1.0"),
        repository=repository,
        name="v1.1.0",
        sha=repository.head_sha,
        pushed=False,
        changelog="## Changes in v1.1.0 since v1.0.0\n\n### Other changes\n\n- abc Tidy\n",
    )
    login(page, live_url, "eva", PASSWORD)
    page.goto(f"{live_url}/products/{repository.product_id}/repository/{repository.pk}/")
    expect(page.locator(f"#tag-{local.pk} [data-tag-state=local]")).to_be_visible()
    expect(page.locator(f"#tag-{pushed.pk} [data-tag-state=pushed]")).to_be_visible()
    changelog = page.locator(f"#tag-{local.pk}-changelog [data-changelog]")
    expect(changelog).to_be_hidden()
    page.locator(f"#tag-{local.pk}-changelog summary").focus()
    page.keyboard.press("Enter")
    expect(changelog).to_be_visible()
    expect(changelog).to_contain_text("### Other changes")
    assert_accessible(page)
