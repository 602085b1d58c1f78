"""docker-compose.yml and the Dockerfile against the settings (SPEC.md section 2).

The production stack is configured through the environment only, so web and worker must both be
given every variable in `settings.PRODUCTION_ENV_VARS`. The checks are small functions that
return what is wrong; each is also run on a broken inline document, so none can pass vacuously.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

APP_SERVICES = ("web", "worker")
BACKING_SERVICES = ("db", "redis")
FALSE_VALUES = {"false", "0", "no", "off"}


# --- Helpers --------------------------------------------------------------------------------
def load_compose(text=None):
    return yaml.safe_load(COMPOSE_FILE.read_text() if text is None else text)


def service_env(service):
    """A service's `environment` as a dict; it may be a mapping or a list of KEY=VALUE.

    A bare KEY (list form) or a key without a value (mapping form) passes the host's variable
    through, if there is one; it maps to None here.
    """
    environment = service.get("environment") or {}
    if isinstance(environment, dict):
        return {
            str(key): None if value is None else str(value) for key, value in environment.items()
        }
    env = {}
    for entry in environment:
        key, sep, value = str(entry).partition("=")
        env[key] = value if sep else None
    return env


def missing_env(service, names):
    """The names the service is not given a value for (a pass-through counts as missing)."""
    env = service_env(service)
    return [name for name in names if not env.get(name)]


def is_false(value):
    if isinstance(value, bool):
        return value is False
    return value is not None and str(value).strip().lower() in FALSE_VALUES


def unhealthy_dependencies(service, names):
    """The names the service does not wait for with condition service_healthy."""
    depends_on = service.get("depends_on") or {}
    if not isinstance(depends_on, dict):
        # The short (list) form only waits for the container to start.
        return list(names)
    return [
        name for name in names if (depends_on.get(name) or {}).get("condition") != "service_healthy"
    ]


def has_healthcheck(service):
    check = service.get("healthcheck") or {}
    if check.get("disable"):
        return False
    test = check.get("test")
    if isinstance(test, str):
        return bool(test.strip())
    return bool(test) and test[0] != "NONE" and len(test) > 1


def dockerfile_problems(text):
    """Lines of the Dockerfile that create, copy or otherwise use platform/__init__.py."""
    return [
        line.strip()
        for line in text.splitlines()
        if "platform/__init__" in line.replace("\\", "/").replace("//", "/")
    ]


def database_scheme(env):
    return urlsplit(env.get("DATABASE_URL") or "").scheme


# --- The helpers catch what they should -----------------------------------------------------
BROKEN = """
x-env: &env
  DEBUG: "true"
  SECRET_KEY: abc
services:
  db:
    image: postgres:16
  web:
    environment: *env
    depends_on: [db, redis]
  worker:
    environment:
      - DEBUG=False
      - SECRET_KEY
      - DATABASE_URL=sqlite:////data/db.sqlite3
      - EMPTY=
    depends_on:
      db:
        condition: service_started
      redis:
        condition: service_healthy
    healthcheck:
      test: ["NONE"]
  redis:
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      disable: true
"""


def test_service_env_reads_mappings_and_lists():
    compose = load_compose(BROKEN)
    assert service_env(compose["services"]["web"]) == {"DEBUG": "true", "SECRET_KEY": "abc"}
    assert service_env(compose["services"]["worker"]) == {
        "DEBUG": "False",
        "SECRET_KEY": None,
        "DATABASE_URL": "sqlite:////data/db.sqlite3",
        "EMPTY": "",
    }
    assert service_env(compose["services"]["db"]) == {}


def test_missing_env_reports_absent_pass_through_and_empty_variables():
    services = load_compose(BROKEN)["services"]
    names = ("SECRET_KEY", "DEBUG", "EMPTY", "REDIS_URL")
    assert missing_env(services["web"], names) == ["EMPTY", "REDIS_URL"]
    assert missing_env(services["worker"], names) == ["SECRET_KEY", "EMPTY", "REDIS_URL"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("false", True),
        ("False", True),
        ("0", True),
        (False, True),
        ("true", False),
        (True, False),
        ("", False),
        (None, False),
        ("${DEBUG:-false}", False),
    ],
)
def test_is_false(value, expected):
    assert is_false(value) is expected


def test_unhealthy_dependencies_reports_list_form_and_other_conditions():
    services = load_compose(BROKEN)["services"]
    assert unhealthy_dependencies(services["web"], BACKING_SERVICES) == ["db", "redis"]
    assert unhealthy_dependencies(services["worker"], BACKING_SERVICES) == ["db"]
    assert unhealthy_dependencies(services["db"], BACKING_SERVICES) == ["db", "redis"]


def test_has_healthcheck_rejects_missing_none_and_disabled_checks():
    services = load_compose(BROKEN)["services"]
    assert not has_healthcheck(services["db"])
    assert not has_healthcheck(services["worker"])
    assert not has_healthcheck(services["redis"])
    assert has_healthcheck({"healthcheck": {"test": ["CMD", "true"]}})
    assert has_healthcheck({"healthcheck": {"test": "pg_isready"}})


def test_dockerfile_problems_finds_platform_init():
    text = "FROM python:3.11-slim\nRUN touch platform/__init__.py\nCOPY . .\n"
    assert dockerfile_problems(text) == ["RUN touch platform/__init__.py"]
    assert dockerfile_problems("COPY ./platform//__init__.py /app/\n")
    assert dockerfile_problems("COPY platform/ platform/\n") == []


def test_database_scheme():
    assert database_scheme({"DATABASE_URL": "postgres://u:p@db:5432/d"}) == "postgres"
    assert database_scheme({"DATABASE_URL": "sqlite:////data/db.sqlite3"}) == "sqlite"
    assert database_scheme({}) == ""


# --- The real files -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose():
    return load_compose()


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def test_the_stack_has_its_four_services(services):
    assert {*APP_SERVICES, *BACKING_SERVICES} <= set(services)


def test_production_env_vars_are_known():
    # Guards the next test against an empty or renamed list.
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(settings.PRODUCTION_ENV_VARS)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_every_production_variable(services, name):
    assert missing_env(services[name], settings.PRODUCTION_ENV_VARS) == []


@pytest.mark.parametrize("name", APP_SERVICES)
def test_debug_is_off(services, name):
    assert is_false(service_env(services[name]).get("DEBUG"))


def test_web_and_worker_share_database_broker_and_data(services):
    web, worker = (service_env(services[name]) for name in APP_SERVICES)
    for key in ("DATABASE_URL", "REDIS_URL", "DEELBAAR_DATA_DIR"):
        assert web[key] == worker[key], key
    assert web["DEELBAAR_DATA_DIR"] == "/data"
    for name in APP_SERVICES:
        targets = [str(volume).split(":")[1] for volume in services[name].get("volumes", [])]
        assert "/data" in targets, name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_backing_services(services, name):
    assert unhealthy_dependencies(services[name], BACKING_SERVICES) == []


def test_every_service_has_a_healthcheck(services):
    assert [name for name, service in services.items() if not has_healthcheck(service)] == []


def test_dockerfile_never_uses_platform_init():
    text = DOCKERFILE.read_text()
    assert "pip install -c constraints.txt ." in text
    assert dockerfile_problems(text) == []


def test_compose_database_is_postgres(services):
    assert database_scheme(service_env(services["web"])) in {"postgres", "postgresql"}
    assert services["db"]["image"].startswith("postgres:")
