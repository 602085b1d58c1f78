"""What the sprints app has written, to prove that a refused request wrote nothing."""

from contextlib import contextmanager

from cooperative.models import AuditRecord
from sprints.models import (
    BacklogItem,
    Increment,
    IncrementItem,
    ItemChange,
    Product,
    Sprint,
    TeamMember,
    Verdict,
)

SPRINTS_MODELS = [
    Product,
    TeamMember,
    BacklogItem,
    Sprint,
    ItemChange,
    Increment,
    Increment.testers.through,
    IncrementItem,
    Verdict,
    AuditRecord,
]


def database_state() -> dict:
    """Every row of every sprints model (and the audit trail), by model, in key order."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in SPRINTS_MODELS
    }


@contextmanager
def nothing_written():
    """Assert that the block leaves every sprints table exactly as it found it."""
    before = database_state()
    yield
    assert database_state() == before, "a refused request wrote to the database"
