"""Integrations tests reuse the cooperative, sprints and solutions worlds (built through the
services)."""

import pytest
from django.utils import translation

from tests.solutions.conftest import *  # noqa: F403  (cooperative, sprints and solutions fixtures)


@pytest.fixture(autouse=True)
def english_messages():
    """Services' messages in English, the source these tests read words of; pages and the API
    still choose their language per request."""
    with translation.override("en"):
        yield
