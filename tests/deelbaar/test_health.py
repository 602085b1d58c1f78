"""/healthz reports each part, and says so when one is down."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("channel_layer_settings", ["memory", "redis"], indirect=True)
def test_all_parts_healthy(client, channel_layer_settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    expected_layer = (
        "RedisChannelLayer" if channel_layer_settings == "redis" else "InMemoryChannelLayer"
    )
    assert body["checks"]["channel_layer"]["detail"] == expected_layer


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
def test_redis_broker_is_checked_for_real(client, settings):
    import os

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["detail"] == "redis"


def test_healthz_is_never_cached_and_only_answers_get(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
    assert client.post("/healthz").status_code == 405
