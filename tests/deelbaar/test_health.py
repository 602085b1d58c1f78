"""/healthz reports each part, and says so when one is down; only administrators and holders
of the health token read what failed and why."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from deelbaar import events
from deelbaar.asgi import application
from tests.conftest import LAYERS

pytestmark = pytest.mark.django_db

UNREACHABLE_LAYER = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
    }
}


@pytest.fixture
def admin_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "", "a-Good-passw0rd"))
    return client


@pytest.mark.parametrize("channel_layer_settings", ["memory", "redis"], indirect=True)
def test_all_parts_healthy(client, admin_client, channel_layer_settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert {check["detail"] for check in body["checks"].values()} == {"ok"}
    expected_layer = (
        "RedisChannelLayer" if channel_layer_settings == "redis" else "InMemoryChannelLayer"
    )
    detailed = admin_client.get("/healthz").json()
    assert detailed["checks"]["channel_layer"]["detail"] == expected_layer


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("channel_layer_settings", LAYERS, indirect=True)
async def test_healthy_while_a_websocket_receives_in_the_same_process(channel_layer_settings, user):
    """A consumer receives on the process's shared layer instance in this event loop; the
    check, on its own loop, must not receive on that same instance (the Redis layer refuses
    two loops at once, and the check answered 503 whenever a websocket was open)."""
    client = Client()
    await database_sync_to_async(client.force_login)(user)
    name = django_settings.SESSION_COOKIE_NAME
    socket = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"cookie", f"{name}={client.cookies[name].value}".encode()),
        ],
    )
    connected, _ = await socket.connect(timeout=5)
    assert connected
    try:
        # The consumer is in receive() once an event sent to it has come through.
        await database_sync_to_async(events.notify_users)([user.pk], "before", {})
        assert (await socket.receive_json_from(timeout=5))["type"] == "before"
        for _ in range(2):
            response = await database_sync_to_async(client.get)("/healthz")
            assert response.status_code == 200, response.content
        # And the socket still receives: the check took nothing of its.
        await database_sync_to_async(events.notify_users)([user.pk], "after", {})
        assert (await socket.receive_json_from(timeout=5))["type"] == "after"
    finally:
        await socket.disconnect()


def test_anonymous_callers_read_no_internal_detail(client, settings, caplog):
    settings.CHANNEL_LAYERS = UNREACHABLE_LAYER
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["channel_layer"] == {
        "ok": False,
        "detail": "unavailable",
        "ms": body["checks"]["channel_layer"]["ms"],
    }
    assert body["checks"]["database"]["detail"] == "ok"
    text = response.content.decode()
    for internal in ("127.0.0.1", "Error", "sqlite", "Redis"):
        assert internal not in text
    # The operator still finds the reason in the log.
    assert "127.0.0.1:1" in caplog.text


@pytest.mark.parametrize(
    ("who", "header", "detailed"),
    [
        ("anonymous", None, False),
        ("anonymous", "wrong-token", False),
        ("anonymous", "", False),
        ("anonymous", "s3cret-health-token", True),
        ("person", None, False),
        ("staff", None, True),
        ("superuser", None, True),
        ("inactive-staff", None, False),
    ],
)
def test_detail_for_administrators_and_the_health_token(
    settings, django_user_model, who, header, detailed
):
    settings.CHANNEL_LAYERS = UNREACHABLE_LAYER
    settings.DEELBAAR_HEALTH_TOKEN = "s3cret-health-token"
    client = Client()
    if who != "anonymous":
        client.force_login(
            django_user_model.objects.create_user(
                who,
                password="a-Good-passw0rd",
                is_staff=who.endswith("staff"),
                is_superuser=who == "superuser",
                is_active=not who.startswith("inactive"),
            )
        )
    headers = {} if header is None else {"X-Health-Token": header}
    check = client.get("/healthz", headers=headers).json()["checks"]["channel_layer"]
    assert check["ok"] is False
    if detailed:
        assert "ConnectionError" in check["detail"] and "127.0.0.1" in check["detail"]
    else:
        assert check["detail"] == "unavailable"


def test_no_token_configured_accepts_no_token(client, settings):
    settings.CHANNEL_LAYERS = UNREACHABLE_LAYER
    settings.DEELBAAR_HEALTH_TOKEN = ""
    check = client.get("/healthz", headers={"X-Health-Token": ""}).json()["checks"]
    assert check["channel_layer"]["detail"] == "unavailable"


@pytest.mark.parametrize("channel_layer_settings", ["memory", "redis"], indirect=True)
def test_the_layer_check_loop_outlives_requests_and_failures(
    client, settings, channel_layer_settings
):
    """The layer is checked on one long-lived event loop: it must keep answering across
    requests, and after a layer that was down."""
    good = settings.CHANNEL_LAYERS
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    assert client.get("/healthz").status_code == 503
    settings.CHANNEL_LAYERS = good
    assert client.get("/healthz").status_code == 200


def test_unreachable_channel_layer_fails_the_check(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["channel_layer"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_unreachable_broker_fails_the_check(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.redis
def test_redis_broker_is_checked_for_real(admin_client, settings):
    import os

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = admin_client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["detail"] == "redis"


def test_healthz_is_never_cached_and_only_answers_get(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
    assert client.post("/healthz").status_code == 405
