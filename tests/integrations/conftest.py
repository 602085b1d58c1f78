"""Integrations tests reuse the cooperative, sprints and solutions worlds (built through the
services)."""

from tests.solutions.conftest import *  # noqa: F403  (cooperative, sprints and solutions fixtures)
