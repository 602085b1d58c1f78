"""The sprints pages: thin views that read through selectors and change through services.

Every view finds the product first: a person who may not view it gets 404, as if it did not
exist; one who may view it but not do what the request asks gets 403. Anonymous visitors are
sent to the login page.

One module per page family; urls.py names every view as `views.<name>`.
"""

from sprints.views.acceptance import (
    acceptance,
    acceptance_entries,
    criterion_screenshot,
    verdict_screenshot,
)
from sprints.views.backlog import (
    backlog,
    backlog_list,
    epic_delete,
    epic_detail,
    epics,
    item_create,
    item_move,
    item_tags,
    label_change,
    label_delete,
    labels,
)
from sprints.views.board import (
    board_columns,
    item_assign,
    item_status,
    sprint_board,
    sprint_close,
)
from sprints.views.increments import (
    increment_list,
    increment_submit,
)
from sprints.views.items import (
    item_detail,
)
from sprints.views.products import (
    product_list,
    similar_solutions,
)
from sprints.views.sprints import (
    PLANNING_LIMIT,
    TRANSITIONS,
    review_charts,
    sprint_list,
    sprint_plan,
    sprint_review,
    sprint_transition,
)
from sprints.views.team import (
    product_edit,
    team,
    team_hand_over,
    team_remove,
    team_role,
)
from sprints.views.testers import (
    inbox,
    inbox_list,
    judge,
    judge_answer,
    judge_send,
)

__all__ = [
    "PLANNING_LIMIT",
    "TRANSITIONS",
    "acceptance",
    "acceptance_entries",
    "backlog",
    "backlog_list",
    "board_columns",
    "criterion_screenshot",
    "epic_delete",
    "epic_detail",
    "epics",
    "inbox",
    "inbox_list",
    "increment_list",
    "increment_submit",
    "item_assign",
    "item_create",
    "item_detail",
    "item_move",
    "item_status",
    "item_tags",
    "judge",
    "judge_answer",
    "judge_send",
    "label_change",
    "label_delete",
    "labels",
    "product_edit",
    "product_list",
    "review_charts",
    "similar_solutions",
    "sprint_board",
    "sprint_close",
    "sprint_list",
    "sprint_plan",
    "sprint_review",
    "sprint_transition",
    "team",
    "team_hand_over",
    "team_remove",
    "team_role",
    "verdict_screenshot",
]
