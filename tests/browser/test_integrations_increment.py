"""An increment picks its git reference from the synced repository's branches and tags and
lists the commits since the previous increment, in a real browser, accessibly.

Elements are found by id, never by their words (the pages are Dutch by default).
"""

import pytest
from playwright.sync_api import expect

from sprints.models import BacklogItem, ItemStatus
from tests.browser.conftest import login
from tests.integrations import gitrepos
from tests.integrations.gitrepos import link_and_sync

PASSWORD = "a-Good-passw0rd"

# The integrations tests' git fixtures: tests/integrations/conftest.py is not seen from here.
git_settings, work = gitrepos.git_settings, gitrepos.work
pytestmark = pytest.mark.usefixtures("git_settings")


@pytest.fixture
def history(work, product, product_owner, make_item):
    item = make_item()
    BacklogItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
    shas = [work.commit("one"), work.commit(f"{item.reference}: two")]
    work.repo.create_tag("v1.0.0")
    link_and_sync(product, product_owner, work.path)
    return {"item": item, "shas": shas}


def test_pick_a_tag_and_see_its_commits(page, live_url, assert_accessible, product, history):
    login(page, live_url, "eva", PASSWORD)
    page.goto(f"{live_url}/products/{product.pk}/increments/")
    field = page.locator("#increment-git_ref")
    expect(field).to_have_attribute("list", "increment-git_ref-choices")
    options = page.locator("#increment-git_ref-choices option")
    expect(options).to_have_count(2)  # main and v1.0.0
    assert_accessible(page)

    # A reference the repository does not have is refused, on the field.
    page.locator("#increment-version").fill("1.0.0")
    page.locator(f"input[name=items][value='{history['item'].pk}']").check()
    field.fill("v9.9.9")
    page.locator("#create-increment").click()
    expect(page.locator("#increment-git_ref-error")).to_be_visible()
    expect(page.locator("#increment-git_ref")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.locator(f"input[name=items][value='{history['item'].pk}']").check()
    page.locator("#increment-git_ref").fill("v1.0.0")
    page.locator("#create-increment").click()
    commits = page.locator(".integrations-increment-commits [data-sha]")
    expect(commits).to_have_count(2)
    expect(page.locator(f"[data-sha='{history['shas'][1]}'] a")).to_have_text(
        history["item"].reference
    )
    assert_accessible(page)


def test_acceptance_lists_the_commits_outside_the_live_region(
    page, live_url, assert_accessible, product, product_owner, tester, history
):
    from django.utils import timezone

    from sprints import services as sprints_services

    increment = sprints_services.create_increment(
        actor=product_owner,
        product=product,
        version="1.0.0",
        items=[history["item"]],
        git_ref="v1.0.0",
    )
    sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timezone.timedelta(days=3),
        testers=[tester],
    )
    login(page, live_url, "tessa", PASSWORD)
    page.goto(f"{live_url}/products/{product.pk}/increments/{increment.pk}/accept")
    section = page.locator(f"#increment-{increment.pk}-commits")
    expect(section.locator("[data-sha]")).to_have_count(2)
    # The live region is re-rendered on every verdict: the commits are not part of it.
    expect(page.locator("#acceptance-live .integrations-increment-commits")).to_have_count(0)
    expect(page.locator("#acceptance-live #increment-facts")).to_have_count(1)
    assert_accessible(page)
