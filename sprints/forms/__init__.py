"""The forms of the sprints pages. They read and check input; the services change state.

One module per part of the work; every name is importable from `sprints.forms`.
"""

from sprints.forms._common import (
    IMAGE_SIGNATURES,
    IMAGE_TYPES,
    SCREENSHOT_MAX_BYTES,
    DateInput,
    criteria_text,
)
from sprints.forms.acceptance import (
    AnswerForm,
    IncrementForm,
    SubmitIncrementForm,
    VerdictForm,
)
from sprints.forms.backlog import (
    EDITABLE,
    ItemEditForm,
    ItemForm,
    MoveForm,
    changes_since,
    item_snapshot,
)
from sprints.forms.products import (
    ProductForm,
    participant_memberships_for,
    pilot_memberships_for,
)
from sprints.forms.sprints import (
    CommitForm,
    PlanSprintForm,
    StatusForm,
)

__all__ = [
    "EDITABLE",
    "IMAGE_SIGNATURES",
    "IMAGE_TYPES",
    "SCREENSHOT_MAX_BYTES",
    "AnswerForm",
    "CommitForm",
    "DateInput",
    "IncrementForm",
    "ItemEditForm",
    "ItemForm",
    "MoveForm",
    "PlanSprintForm",
    "ProductForm",
    "StatusForm",
    "SubmitIncrementForm",
    "VerdictForm",
    "changes_since",
    "criteria_text",
    "item_snapshot",
    "participant_memberships_for",
    "pilot_memberships_for",
]
