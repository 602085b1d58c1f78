"""Publication in a real browser: the product owner requests it from the accepted increment, and
the coordinator works the queue (approve one, reject one with a reason), with axe on each page.

Data is made through the services. Elements are found by id and data attributes, never by the
page's (Dutch, not yet translated) words.
"""

import pytest
from playwright.sync_api import expect

from solutions.models import PublicationRequest, PublicationState, Release
from solutions.services.publication import request_publication
from tests.browser.conftest import login
from tests.sprints.flows import run_sprint

PASSWORD = "a-Good-passw0rd"


@pytest.fixture
def two_requests(live_url, accepted_increment, product, product_owner, developer, tester):
    """Increment 0.1.0 requested as the new solution Subsidiesysteem; 0.2.0 requested after."""
    first = request_publication(
        actor=product_owner,
        increment=accepted_increment,
        name="Subsidiesysteem",
        short_description="Subsidies aanvragen en toekennen zonder papier.",
    )
    sprint = run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester], estimates=[2]
    )
    second = request_publication(
        actor=product_owner, increment=sprint.increments.get(), name="Subsidiesysteem"
    )
    return first, second


def wait_settled(page):
    page.wait_for_function("!document.querySelector('.htmx-settling, .htmx-request')")


def test_coordinator_approves_one_and_rejects_one(
    page, live_url, two_requests, coordinator, assert_accessible
):
    first, second = two_requests
    login(page, live_url, coordinator.username, PASSWORD)
    page.goto(f"{live_url}/solutions/publication-requests/")
    expect(page.locator("#publication-queue tbody tr")).to_have_count(2)
    assert_accessible(page)

    page.locator(f"#approve-{first.pk}").click()
    expect(page.locator(f"#request-{first.pk}")).to_have_count(0)
    page.wait_for_function("document.activeElement.id === 'queue-messages'")
    expect(page.locator("#queue-messages .utrecht-alert--ok")).to_have_count(1)
    assert Release.objects.get().version == "0.1.0"

    # Rejecting without a reason: the error is beside the field, and the focus is on it.
    page.locator(f"#reject-{second.pk}").click()
    reason = page.locator(f"#r{second.pk}-reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    page.wait_for_function(f"document.activeElement.id === 'r{second.pk}-reason'")
    wait_settled(page)
    assert_accessible(page)
    reason.fill("Eerst de toegankelijkheidsverklaring.")
    page.locator(f"#reject-{second.pk}").click()
    expect(page.locator(f"#request-{second.pk}")).to_have_count(0)
    page.wait_for_function("document.activeElement.id === 'queue-messages'")
    expect(page.locator("#queue-empty")).to_have_count(0)  # only shown after a reload

    second.refresh_from_db()
    assert second.state == PublicationState.REJECTED
    assert second.reason == "Eerst de toegankelijkheidsverklaring."

    page.reload()
    expect(page.locator("#queue-empty")).to_be_visible()
    expect(page.locator(f"#decided-{first.pk}")).to_have_attribute("data-state", "approved")
    expect(page.locator(f"#decided-{second.pk}")).to_have_attribute("data-state", "rejected")
    assert_accessible(page)


def test_product_owner_requests_publication_from_the_increment(
    page, live_url, accepted_increment, product, product_owner, assert_accessible
):
    login(page, live_url, product_owner.username, PASSWORD)
    page.goto(f"{live_url}/products/{product.pk}/increments/")
    page.locator(f"#publish-{accepted_increment.pk}").click()
    expect(page.locator("#publish-form")).to_be_visible()
    assert_accessible(page)

    # What the publiccode.yml needs and the product could not fill in.
    page.fill("#publish-short_description", "Subsidies aanvragen en toekennen.")
    page.check("input[name=categories][value=grant-management]")
    page.fill("#publish-repository_url", "https://github.com/deelbaar-voorbeeld/subsidiesysteem")
    page.fill("#publish-maintenance_contacts", "Petra de Vries | petra@example.nl")
    page.fill(
        "#publish-long_description_nl",
        "Met het Subsidiesysteem vragen inwoners en organisaties subsidie aan, volgen zij de "
        "behandeling van hun aanvraag en ontvangen zij het besluit, zonder papieren formulieren.",
    )
    # A bad version first: the error summary links to the field.
    page.fill("#publish-version", "1.2")
    page.fill("#publish-name", "Subsidiesysteem")
    page.locator("#request-publication").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#publish-version")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.fill("#publish-version", "1.0.0")
    page.locator("#request-publication").click()
    publication = PublicationRequest.objects.get()
    expect(page.locator(f"#request-{publication.pk}")).to_be_visible()
    expect(page.locator(f"#withdraw-{publication.pk}")).to_be_visible()
    assert (publication.version, publication.name) == ("1.0.0", "Subsidiesysteem")
    assert_accessible(page)
