"""The webhooks API and pages: the permission matrix, the secret shown once, bad input, the
delivery log with its attempts at a constant number of queries, and redelivery."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from integrations.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from integrations.services import webhooks as services
from tests.integrations.gitrepos import as_
from tests.integrations.test_webhooks import Receiver, webhook_settings  # noqa: F401

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def subscription(coordinator, zob):
    return services.create_subscription(
        actor=coordinator, cooperative=zob, url="http://127.0.0.1:9/hook", events=["verdict.given"]
    )


def make_deliveries(subscription, count, attempts=2):
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=subscription,
                event="verdict.given",
                message_id=f"msg_{subscription.pk}_{n}",
                payload={"type": "verdict.given", "timestamp": now.isoformat(), "data": {}},
                state=DeliveryState.FAILED,
                attempts=attempts,
            )
            for n in range(count)
        ]
    )
    WebhookAttempt.objects.bulk_create(
        [
            WebhookAttempt(delivery=d, number=n + 1, status_code=500, duration_ms=3)
            for d in deliveries
            for n in range(attempts)
        ]
    )
    return deliveries


# --- API ---------------------------------------------------------------------------------------
def test_create_shows_the_secret_once(coordinator, zob):
    answer = as_(coordinator).post(
        "/api/v1/webhooks/",
        {
            "cooperative": zob.slug,
            "url": "http://127.0.0.1:8080/in",
            "events": ["release.published", "membership.activated"],
            "description": "Ons zaaksysteem",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["secret"].startswith("whsec_")
    assert body["cooperative"] == zob.slug
    assert body["events"] == ["release.published", "membership.activated"]
    shown = as_(coordinator).get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in shown
    listed = as_(coordinator).get("/api/v1/webhooks/").json()
    assert "secret" not in listed["results"][0]
    rotated = as_(coordinator).post(f"/api/v1/webhooks/{body['id']}/rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "https://evil.internal/x", "events": ["verdict.given"]}, "url"),
        ({"url": "http://127.0.0.1/x", "events": ["nope"]}, "events"),
        ({"url": "http://127.0.0.1/x", "events": []}, "events"),
        ({"events": ["verdict.given"]}, "url"),
    ],
)
def test_bad_input_names_the_field(coordinator, zob, data, field):
    answer = as_(coordinator).post(
        "/api/v1/webhooks/", {"cooperative": zob.slug, **data}, format="json"
    )
    assert answer.status_code == 400
    fields = {e["field"].split(".")[0] for e in answer.json()["errors"]}
    assert field in fields, answer.json()
    assert WebhookSubscription.objects.count() == 0


def test_unknown_cooperative(coordinator):
    answer = as_(coordinator).post(
        "/api/v1/webhooks/",
        {"cooperative": "nergens", "url": "http://127.0.0.1/x", "events": ["verdict.given"]},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "cooperative"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("coordinator", 201), ("other_coordinator", 403), ("member_person", 403), (None, 401)],
)
def test_create_permissions(request, zob, who, expected):
    user = request.getfixturevalue(who) if who else None
    answer = as_(user).post(
        "/api/v1/webhooks/",
        {"cooperative": zob.slug, "url": "http://127.0.0.1/x", "events": ["verdict.given"]},
        format="json",
    )
    assert answer.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("coordinator", 200), ("other_coordinator", 404), ("member_person", 404), (None, 401)],
)
def test_subscription_permission_matrix(request, subscription, who, expected):
    user = request.getfixturevalue(who) if who else None
    delivery = make_deliveries(subscription, 1)[0]
    base = f"/api/v1/webhooks/{subscription.pk}/"
    client = as_(user)
    calls = [
        ("get", base, {}),
        ("get", f"{base}deliveries/", {}),
        ("get", f"{base}deliveries/{delivery.pk}/", {}),
        ("patch", base, {"description": "Nieuw"}),
    ]
    for method, url, data in calls:
        answer = getattr(client, method)(url, data, format="json")
        assert answer.status_code == expected, (method, url, answer.content)
    for method, url, ok in [
        ("post", f"{base}rotate-secret/", 200),
        ("post", f"{base}deliveries/{delivery.pk}/redeliver/", 202),
        ("delete", base, 204),
    ]:
        answer = getattr(client, method)(url, format="json")
        assert answer.status_code == (ok if expected == 200 else expected), (method, url)
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists() is (expected != 200)


def test_list_shows_only_coordinated_cooperatives(subscription, other_coordinator, dimpact):
    other = services.create_subscription(
        actor=other_coordinator,
        cooperative=dimpact,
        url="http://127.0.0.1/d",
        events=["adoption.changed"],
    )
    results = as_(other_coordinator).get("/api/v1/webhooks/").json()["results"]
    assert [r["id"] for r in results] == [other.pk]


def test_update_checks_the_allow_list(coordinator, subscription):
    answer = as_(coordinator).patch(
        f"/api/v1/webhooks/{subscription.pk}/", {"url": "https://intern.local/x"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "url"
    subscription.refresh_from_db()
    assert subscription.url == "http://127.0.0.1:9/hook"
    answer = as_(coordinator).patch(
        f"/api/v1/webhooks/{subscription.pk}/",
        {"events": ["verdict.given", "increment.accepted"], "active": False},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["events"] == ["verdict.given", "increment.accepted"]
    assert answer.json()["active"] is False


def test_delivery_of_another_subscription_is_404(coordinator, zob, subscription):
    second = services.create_subscription(
        actor=coordinator, cooperative=zob, url="http://127.0.0.1/2", events=["verdict.given"]
    )
    delivery = make_deliveries(second, 1)[0]
    answer = as_(coordinator).post(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/{delivery.pk}/redeliver/"
    )
    assert answer.status_code == 404


def test_delivery_log_at_a_constant_number_of_queries(coordinator, subscription):
    client = as_(coordinator)
    url = f"/api/v1/webhooks/{subscription.pk}/deliveries/"
    make_deliveries(subscription, 2)
    with CaptureQueriesContext(connection) as small:
        answer = client.get(url)
    assert answer.json()["count"] == 2
    assert len(answer.json()["results"][0]["attempts_log"]) == 2
    make_deliveries(subscription, 20, attempts=4)
    with CaptureQueriesContext(connection) as large:
        answer = client.get(url)
    assert answer.json()["count"] == 22
    assert len(small) == len(large), [q["sql"] for q in large.captured_queries]


def test_webhook_list_at_a_constant_number_of_queries(coordinator, zob):
    client = as_(coordinator)
    services.create_subscription(
        actor=coordinator, cooperative=zob, url="http://127.0.0.1/0", events=["verdict.given"]
    )
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/webhooks/")
    for n in range(1, 12):
        sub = services.create_subscription(
            actor=coordinator,
            cooperative=zob,
            url=f"http://127.0.0.1/{n}",
            events=["verdict.given"],
        )
        make_deliveries(sub, 2)
    with CaptureQueriesContext(connection) as large:
        answer = client.get("/api/v1/webhooks/")
    assert answer.json()["count"] == 12
    assert len(small) == len(large)


def test_redeliver_through_the_api_reaches_the_receiver(
    coordinator, zob, django_capture_on_commit_callbacks
):
    from integrations.dispatch import emit

    server = Receiver([500])
    try:
        sub = services.create_subscription(
            actor=coordinator, cooperative=zob, url=server.url, events=["verdict.given"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            [delivery] = emit("verdict.given", cooperative=zob, data={"id": 3})
        server.script = [200]
        with django_capture_on_commit_callbacks(execute=True):
            answer = as_(coordinator).post(
                f"/api/v1/webhooks/{sub.pk}/deliveries/{delivery.pk}/redeliver/"
            )
        assert answer.status_code == 202
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.DELIVERED
        assert len(server.requests) == 2
        Webhook(sub.secret).verify(server.requests[1]["body"], server.requests[1]["headers"])
        log = as_(coordinator).get(f"/api/v1/webhooks/{sub.pk}/deliveries/").json()
        [entry] = log["results"]
        assert [(a["number"], a["status_code"]) for a in entry["attempts_log"]] == [
            (1, 500),
            (2, 200),
        ]
    finally:
        server.close()


# --- Pages -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "expected"), [("coordinator", 200), ("other_coordinator", 403), ("member_person", 403)]
)
def test_pages_permissions(request, subscription, zob, who, expected):
    client = page_client(request.getfixturevalue(who))
    make_deliveries(subscription, 1)
    assert client.get(f"/cooperatives/{zob.slug}/webhooks/").status_code == expected
    log = client.get(f"/cooperatives/{zob.slug}/webhooks/{subscription.pk}/deliveries/")
    assert log.status_code == expected


def test_pages_need_a_login(zob):
    answer = page_client(None).get(f"/cooperatives/{zob.slug}/webhooks/")
    assert answer.status_code == 302
    assert page_client(None).get("/cooperatives/nergens/webhooks/").status_code == 302


def test_subscribe_page_shows_the_secret_once(coordinator, zob):
    client = page_client(coordinator)
    url = reverse("integrations:webhooks", args=[zob.slug])
    answer = client.post(
        url, {"url": "http://127.0.0.1:8080/in", "events": ["verdict.given", "adoption.changed"]}
    )
    assert answer.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in answer.content.decode()
    again = client.get(url)
    assert subscription.secret not in again.content.decode()
    assert "http://127.0.0.1:8080/in" in again.content.decode()


def test_subscribe_page_explains_a_refused_host(coordinator, zob):
    client = page_client(coordinator)
    answer = client.post(
        reverse("integrations:webhooks", args=[zob.slug]),
        {"url": "https://intern.local/x", "events": ["verdict.given"]},
    )
    assert answer.status_code == 400
    assert "intern.local" in answer.content.decode()
    assert WebhookSubscription.objects.count() == 0


def test_delivery_log_page_and_redeliver(
    coordinator, zob, subscription, django_capture_on_commit_callbacks
):
    client = page_client(coordinator)
    [delivery] = make_deliveries(subscription, 1)
    log_url = reverse("integrations:webhook-deliveries", args=[zob.slug, subscription.pk])
    page = client.get(log_url).content.decode()
    assert delivery.message_id in page and "status 500" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("integrations:webhook-redeliver", args=[zob.slug, subscription.pk, delivery.pk])
        )
    assert answer.status_code == 302
    delivery.refresh_from_db()
    assert delivery.attempts == 1  # sent again at once (refused: port 9 is closed)
    assert delivery.log.count() == 3


def test_delivery_log_page_at_a_constant_number_of_queries(coordinator, zob, subscription):
    client = page_client(coordinator)
    log_url = reverse("integrations:webhook-deliveries", args=[zob.slug, subscription.pk])
    make_deliveries(subscription, 2)
    client.get(log_url)
    with CaptureQueriesContext(connection) as small:
        client.get(log_url)
    make_deliveries(subscription, 20, attempts=3)
    with CaptureQueriesContext(connection) as large:
        client.get(log_url)
    assert len(small) == len(large)


def test_rotate_toggle_delete_pages(coordinator, zob, subscription, other_coordinator):
    client = page_client(coordinator)
    old = subscription.secret
    answer = client.post(
        reverse("integrations:webhook-rotate-secret", args=[zob.slug, subscription.pk])
    )
    subscription.refresh_from_db()
    assert subscription.secret != old and subscription.secret in answer.content.decode()
    client.post(reverse("integrations:webhook-toggle", args=[zob.slug, subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.active is False
    outsider = page_client(other_coordinator)
    denied = outsider.post(reverse("integrations:webhook-delete", args=[zob.slug, subscription.pk]))
    assert denied.status_code == 403
    client.post(reverse("integrations:webhook-delete", args=[zob.slug, subscription.pk]))
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"x"', "1", "null", "true", "{}"])
def test_a_body_that_is_not_an_object_is_400_not_500(coordinator, body):
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    answer = client.post("/api/v1/webhooks/", body, content_type="application/json")
    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["code"] == "invalid"
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pw@127.0.0.1/hook",
        "http://:pw@127.0.0.1/hook",
        "http://token@127.0.0.1/hook",
        "http://@127.0.0.1/hook",
    ],
)
def test_a_target_with_credentials_is_refused(coordinator, zob, url):
    answer = as_(coordinator).post(
        "/api/v1/webhooks/",
        {"cooperative": zob.slug, "url": url, "events": ["release.published"]},
        format="json",
    )
    assert answer.status_code == 400, answer.content[:300]
    body = answer.json()
    assert body["code"] == "credentials"
    assert body["errors"][0]["field"] == "url"
    assert "pw" not in answer.content.decode()
    assert WebhookSubscription.objects.count() == 0


def test_a_target_may_carry_a_query(coordinator, zob):
    # Receivers route on it; only the cooperative's coordinators ever see the URL.
    answer = as_(coordinator).post(
        "/api/v1/webhooks/",
        {
            "cooperative": zob.slug,
            "url": "http://127.0.0.1/hook?source=deelbaar",
            "events": ["release.published"],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content[:300]
    assert answer.json()["url"] == "http://127.0.0.1/hook?source=deelbaar"
