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
    "board_columns",
    "criterion_screenshot",
    "inbox",
    "inbox_list",
    "increment_list",
    "increment_submit",
    "item_assign",
    "item_detail",
    "item_status",
    "judge",
    "judge_answer",
    "judge_send",
    "product_list",
    "review_charts",
    "similar_solutions",
    "sprint_board",
    "sprint_close",
    "sprint_list",
    "sprint_plan",
    "sprint_review",
    "sprint_transition",
    "verdict_screenshot",
]
