"""Integrations tests reuse the cooperative, sprints and solutions worlds (built through the
services)."""

import pytest
from django.utils import translation

from integrations.services import repositories as repository_services
from tests.integrations.gitrepos import git_settings, work  # noqa: F401  (opt-in git fixtures)


@pytest.fixture(autouse=True)
def english_messages():
    """Services' messages in English, the source these tests read words of; pages and the API
    still choose their language per request."""
    with translation.override("en"):
        yield


@pytest.fixture
def eager(monkeypatch):
    """Run Celery jobs in this process, also where Celery has a real broker."""
    from deelbaar.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture
def link(product, product_owner):
    """Link a repository to the product, not synced yet: `link(work.path)`."""

    def make(url, **extra):
        return repository_services.link_repository(
            actor=product_owner, product=product, url=str(url), sync=False, **extra
        )

    return make
