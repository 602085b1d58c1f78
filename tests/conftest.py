"""Fixtures shared by every suite: people, API clients and the channel layers to test on."""

import os
import uuid
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

REDIS_URL = os.environ.get("REDIS_URL", "")
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
PRODUCTION_TESTS = Path(__file__).parent / "production"

# The channel layers every live test runs on: always the in-memory one, and Redis whenever
# REDIS_URL is set (CI's second pass), so both code paths are exercised for real.
LAYERS = ["memory", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests create many users and test no cryptography.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def force_login_passes_the_second_factor(monkeypatch):
    """`force_login()`/`login()` sign a person in completely, their second factor included
    where they must have one (see tests/second_factor.py); the real form stays held at it."""
    original = Client._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        from tests.second_factor import mark_passed

        mark_passed(self, user)

    monkeypatch.setattr(Client, "_login", _login)


@pytest.fixture
def channel_layer_settings(request, settings):
    """Switch the default channel layer to the one named by the test's parameter."""
    kind = getattr(request, "param", "memory")
    if kind == "redis":
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                # A prefix of its own keeps parallel or repeated runs from seeing each other.
                "CONFIG": {
                    # The connection options production uses (settings.py), on REDIS_URL.
                    "hosts": [{"address": REDIS_URL, **settings.CHANNEL_LAYER_REDIS_OPTIONS}],
                    "prefix": f"test-{uuid.uuid4().hex[:8]}",
                },
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return kind


@pytest.fixture
def make_user(django_user_model):
    def make(username="tester", password="a-Good-passw0rd", **extra):
        return django_user_model.objects.create_user(username=username, password=password, **extra)

    return make


@pytest.fixture
def user(make_user):
    return make_user("marieke", first_name="Marieke", last_name="de Vries")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs REDIS_URL; runs in CI's PostgreSQL/Redis pass")
    skip_production = pytest.mark.skip(
        reason="needs PostgreSQL (DATABASE_URL) and REDIS_URL; runs in CI's PostgreSQL/Redis pass"
    )
    for item in items:
        # Everything in tests/production/ starts real processes (see its conftest.py).
        if PRODUCTION_TESTS in Path(item.path).parents:
            item.add_marker(pytest.mark.production)
        if "production" in item.keywords and not (REDIS_URL and POSTGRES):
            item.add_marker(skip_production)
        elif "redis" in item.keywords and not REDIS_URL:
            item.add_marker(skip)
    # Playwright's sync API keeps an event loop running in this thread while its browser is
    # open, which async tests cannot share: run the browser tests last.
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)


@pytest.fixture(scope="session")
def live_server_asgi(django_db_setup, django_db_blocker):
    """The real ASGI app served by uvicorn in a thread, for the browser and contract tests."""
    from tests.browser.conftest import LiveServer

    server = LiveServer()
    server.start()
    yield server
    server.stop()
    # Connections opened by the server's threads would keep PostgreSQL from dropping the
    # test database.
    with django_db_blocker.unblock():
        from django.db import connections

        connections.close_all()
