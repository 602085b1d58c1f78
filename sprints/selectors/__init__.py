"""Every non-trivial read of the sprints app, one module per part of the work:

- `products`: the products a person may see, solutions like a proposed one.
- `teams`: a product's team and roles, who may join it or be given an item, whom a person
  may look up.
- `backlog`: the backlog in order and counted cheaply, its filters, labels and epics.
- `sprints`: the board, what a closing sprint sends back, the burndown and velocity.
- `acceptance`: a tester's inbox, who may judge, increments and the verdicts on an item.

Every public name is importable from `sprints.selectors`, as callers have always written it
(`from sprints import selectors`, then `selectors.backlog_for(...)`).
"""

from sprints.selectors._common import CRITERIA, DONE_STATUSES
from sprints.selectors.acceptance import (
    awaiting_verdict_of,
    eligible_testers,
    followed_up_verdict,
    inbox_for,
    increments_of,
    last_time_not_met,
    verdict_history,
    verdict_rows,
)
from sprints.selectors.backlog import (
    backlog_for,
    epics_with_progress,
    filter_items,
    labels_of,
    with_labels_and_epic,
)
from sprints.selectors.products import (
    product_for_request,
    products_visible_to,
    similar_solutions,
    visible_product_ids,
)
from sprints.selectors.sprints import (
    UNASSIGNED,
    UNFINISHED_STATUSES,
    board_for,
    burndown,
    current_sprint,
    unfinished_count,
    velocity,
)
from sprints.selectors.teams import (
    assignable_people,
    people_visible_to,
    product_organisations,
    product_roles_of,
    search_people,
    team_candidates,
    team_of,
    team_roles,
    team_roles_of,
)

__all__ = [
    "CRITERIA",
    "DONE_STATUSES",
    "UNASSIGNED",
    "UNFINISHED_STATUSES",
    "assignable_people",
    "awaiting_verdict_of",
    "backlog_for",
    "board_for",
    "burndown",
    "current_sprint",
    "eligible_testers",
    "epics_with_progress",
    "filter_items",
    "followed_up_verdict",
    "inbox_for",
    "increments_of",
    "labels_of",
    "last_time_not_met",
    "people_visible_to",
    "product_for_request",
    "product_organisations",
    "product_roles_of",
    "products_visible_to",
    "search_people",
    "similar_solutions",
    "team_candidates",
    "team_of",
    "team_roles",
    "team_roles_of",
    "unfinished_count",
    "velocity",
    "verdict_history",
    "verdict_rows",
    "visible_product_ids",
    "with_labels_and_epic",
]
