"""Fixtures shared by every suite: people, API clients and the channel layers to test on."""

import os
import uuid
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

# The worlds the apps' tests share, built through the services: registered here, their
# fixtures are seen by every test (a conftest's only by its own folder) instead of being
# star-imported into each module or conftest that uses them. None of them is autouse, so a test
# gets only what it names. (Modules with autouse fixtures, such as adoption_world.py, stay
# opt-in imports.)
pytest_plugins = [
    "tests.cooperative.fixtures",
    "tests.sprints.fixtures",
    "tests.solutions.fixtures",
    "tests.signin.fixtures",
]

REDIS_URL = os.environ.get("REDIS_URL", "")
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
PRODUCTION_TESTS = Path(__file__).parent / "production"

# The channel layers every live test runs on: always the in-memory one, and Redis whenever
# REDIS_URL is set (CI's second pass), so both code paths are exercised for real.
LAYERS = ["memory", pytest.param("redis", marks=pytest.mark.redis)]

# Set by pytest-xdist in each of `make test`'s parallel worker processes ("gw0", "gw1", ...).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def pytest_configure(config):
    if WORKER:
        isolate_worker()


def isolate_worker():
    """Give this xdist worker what no other worker may share. pytest-django already gives each
    worker a database of its own (test_<name>_gwN); the rest is done here: the data folder
    (the demo's git repositories, mirrors, mail files and uploads live under it) and, on Redis,
    a key prefix for the cache (rate limits count per client address, and every worker's client
    is 127.0.0.1), the channel layer (two workers' product 1 must not hear each other's events)
    and Celery's default queue (jobs no worker of this test takes must not pile up where the
    production tests' worker would take them)."""
    from django.conf import settings

    data = Path(settings.DATA_DIR) / "workers" / WORKER
    data.mkdir(parents=True, exist_ok=True)
    settings.DATA_DIR = data
    settings.DEELBAAR_GIT_MIRRORS_DIR = data / "git"
    settings.EMAIL_FILE_PATH = str(data / "mail")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": data / "media"}},
    }
    if REDIS_URL:
        prefix = worker_prefix()
        settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
        layer = settings.CHANNEL_LAYERS["default"]
        settings.CHANNEL_LAYERS = {
            "default": {**layer, "CONFIG": {**layer.get("CONFIG", {}), "prefix": prefix}}
        }
        settings.CELERY_TASK_DEFAULT_QUEUE = prefix
        from deelbaar.celery import app

        app.conf.task_default_queue = prefix


def worker_prefix() -> str:
    """This run's and this worker's own Redis key prefix ("" outside xdist)."""
    if not WORKER:
        return ""
    return f"test-{os.environ.get('PYTEST_XDIST_TESTRUNUID', '')[:8]}-{WORKER}"


def clear_cache():
    """Empty the cache of this process's keys. On Redis `cache.clear()` empties the whole
    database, which would take parallel workers' (and other runs') keys and queues with it."""
    from django.core.cache import cache

    prefix = worker_prefix()
    if not (REDIS_URL and prefix):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def pytest_unconfigure(config):
    # A worker's keys (its cache and the default queue no worker took from) go with it.
    if WORKER and REDIS_URL:
        import redis

        prefix = worker_prefix()
        with redis.Redis.from_url(REDIS_URL) as client:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            keys += [f"_kombu.binding.{prefix}", f"_kombu.binding_permanent.{prefix}"]
            client.delete(*keys)


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


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a module's tests, rolled back after the last: what a
    module-scoped fixture writes in it (the demo, which takes seconds to load) is made once and
    seen by every test of the module, each of which runs in a savepoint of its own, as a
    `django_db` test does, so none sees another's changes and no later module sees any."""
    from django.db import transaction
    from django.test import override_settings

    # The hashing fast_password_hashing gives each test, for the people made here.
    hashers = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), hashers:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


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


# Set once the session knows its tests: does it serve pages to a real browser?
_SERVES_A_BROWSER = False


def pytest_collection_finish(session):
    global _SERVES_A_BROWSER
    _SERVES_A_BROWSER = any("tests/browser/" in item.nodeid for item in session.items)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """A session that serves pages to a browser keeps its SQLite test database in a file.

    The default in-memory test database is one shared cache, whose table locks are never
    waited for: while one request of the page writes (an answer kept as a tester clicks), a
    second one (the next answer, a count polled by the header) fails at once with "database
    table is locked", a 500 no user of a file database (the embedded run mode) ever sees. A
    file database waits for the lock as configured (`timeout`), as in that run mode."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if _SERVES_A_BROWSER and database["ENGINE"].endswith("sqlite3"):
        folder = tmp_path_factory.mktemp("sqlite")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


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
