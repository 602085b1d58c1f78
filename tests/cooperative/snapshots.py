"""What the cooperative app has written, to prove that a refused change wrote nothing."""

from contextlib import contextmanager

from django.contrib.auth import get_user_model

from cooperative.models import (
    Affiliation,
    AuditRecord,
    Cooperative,
    Coordinator,
    Membership,
    Organisation,
)

COOPERATIVE_MODELS = [
    Organisation,
    Organisation.represents.through,
    Affiliation,
    Cooperative,
    Coordinator,
    Membership,
    AuditRecord,
]


def database_state() -> dict:
    """Every row of every cooperative model (and the users), by model, in primary-key order."""
    state = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in COOPERATIVE_MODELS
    }
    state["users"] = list(get_user_model().objects.order_by("pk").values("pk", "username"))
    return state


def row_counts() -> dict:
    return {model._meta.label: model.objects.count() for model in COOPERATIVE_MODELS}


@contextmanager
def nothing_written():
    """Assert that the block leaves every table exactly as it found it."""
    before = database_state()
    yield
    after = database_state()
    assert after == before, "a refused change wrote to the database"
