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
    BacklogFilterForm,
    ItemEditForm,
    ItemForm,
    MoveForm,
    QuickItemForm,
    changes_since,
    item_snapshot,
)
from sprints.forms.labels import (
    EpicForm,
    ItemTagsForm,
    LabelForm,
)
from sprints.forms.products import (
    ProductEditForm,
    ProductForm,
    participant_memberships_for,
    pilot_memberships_for,
)
from sprints.forms.sprints import (
    CommitForm,
    PlanSprintForm,
    StatusForm,
)
from sprints.forms.teams import (
    AddMemberForm,
    HandOverForm,
)

__all__ = [
    "EDITABLE",
    "IMAGE_SIGNATURES",
    "IMAGE_TYPES",
    "SCREENSHOT_MAX_BYTES",
    "AddMemberForm",
    "AnswerForm",
    "BacklogFilterForm",
    "CommitForm",
    "DateInput",
    "EpicForm",
    "HandOverForm",
    "IncrementForm",
    "ItemEditForm",
    "ItemForm",
    "ItemTagsForm",
    "LabelForm",
    "MoveForm",
    "PlanSprintForm",
    "ProductEditForm",
    "ProductForm",
    "QuickItemForm",
    "StatusForm",
    "SubmitIncrementForm",
    "VerdictForm",
    "changes_since",
    "criteria_text",
    "item_snapshot",
    "participant_memberships_for",
    "pilot_memberships_for",
]
