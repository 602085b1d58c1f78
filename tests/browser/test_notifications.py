"""The unread count in the header follows what others do, without a reload."""

from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Notification
from sprints import services as sprints_services
from tests.browser.conftest import login
from tests.sprints.flows import ready_item

PASSWORD = "a-Good-passw0rd"


def test_the_header_count_changes_when_someone_else_starts_a_sprint(
    browser, live_url, product, product_owner, developer, assert_accessible
):
    sprint = sprints_services.plan_sprint(
        actor=product_owner, product=product, start=timezone.localdate()
    )
    sprints_services.commit_items(
        actor=product_owner, sprint=sprint, items=[ready_item(product, product_owner, "Eén", 3)]
    )
    # Joining the team was news; read it, so the count starts at nothing.
    Notification.objects.update(read_at=timezone.now())
    contexts = [browser.new_context(locale="nl-NL") for _ in range(2)]
    owner, dev = (context.new_page() for context in contexts)
    try:
        login(owner, live_url, "eva", PASSWORD)
        login(dev, live_url, "dani", PASSWORD)
        dev.goto(f"{live_url}/")
        badge = dev.locator(".deelbaar-header [data-unread-count]")
        expect(badge).to_be_hidden()
        expect(dev.locator("html")).to_have_attribute("data-unread-socket", "open")

        # The product owner starts the sprint in her browser; the developer's header counts it.
        owner.goto(f"{live_url}/products/{product.pk}/sprints/{sprint.number}/")
        owner.locator("#start-sprint").click()
        owner.wait_for_load_state()
        expect(badge).to_be_visible(timeout=3000)
        expect(badge.locator("[data-unread-number]")).to_have_text("1")
        expect(dev.locator("#main-navigation [data-unread-number]")).to_have_text("1")
        # Nobody tells the product owner of her own action.
        assert not Notification.objects.filter(
            recipient=product_owner, kind="sprint_started"
        ).exists()

        # In the centre the developer reads it and marks it read; the count goes.
        dev.goto(f"{live_url}/notifications/")
        expect(dev.locator("#notification-list")).to_contain_text(
            "Sprint 1 van Subsidiesysteem is begonnen."
        )
        assert_accessible(dev)
        dev.locator("#mark-all-read").click()
        dev.wait_for_load_state()
        expect(dev.locator(".deelbaar-header [data-unread-count]")).to_be_hidden()
    finally:
        for context in contexts:
            context.close()
