"""Notifications tests reuse the cooperative, sprints and solutions worlds (built through the
services). Events become notifications after the commit, so every action under test runs
inside `after_commit` (Django's on-commit callbacks run as on a real commit)."""

import pytest


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit():` runs what was queued for the commit, and what that queues."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def told(kind, **filters):
    """The usernames told of `kind`."""
    from notifications.models import Notification

    return set(
        Notification.objects.filter(kind=kind, **filters).values_list(
            "recipient__username", flat=True
        )
    )
