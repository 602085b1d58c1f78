"""The webhook pages in a real browser: accessible, the secret shown once after subscribing.

Elements are found by id, never by their words (the pages are Dutch by default).
"""

import pytest
from playwright.sync_api import expect

from integrations.models import DeliveryState, WebhookAttempt, WebhookDelivery
from integrations.services import webhooks as webhook_services
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"


@pytest.fixture
def subscription(settings, coordinator, zob):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["127.0.0.1"]
    subscription = webhook_services.create_subscription(
        actor=coordinator, cooperative=zob, url="https://127.0.0.1/hook", events=["verdict.given"]
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event="verdict.given",
        message_id="msg_1",
        payload={"type": "verdict.given", "data": {}},
        state=DeliveryState.FAILED,
        attempts=1,
    )
    WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=500, duration_ms=4)
    return subscription


def test_webhook_pages_are_accessible(page, live_url, assert_accessible, subscription, zob):
    login(page, live_url, "carla", PASSWORD)
    page.goto(f"{live_url}/cooperatives/{zob.slug}/webhooks/")
    expect(page.locator("#webhook-subscriptions")).to_be_visible()
    assert_accessible(page)
    page.fill("#id_url", "https://127.0.0.1/other")
    page.check("#id_events_0")
    page.locator("form.utrecht-form button[type=submit]").last.click()
    page.wait_for_load_state()
    expect(page.locator("#webhook-secret [data-secret]")).to_contain_text("whsec_")
    assert_accessible(page)
    page.goto(f"{live_url}/cooperatives/{zob.slug}/webhooks/{subscription.pk}/deliveries/")
    expect(page.locator("#webhook-deliveries")).to_be_visible()
    assert_accessible(page)
