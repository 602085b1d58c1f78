"""Every state change of the sprints app: one function, one transaction.

Changes to an item's status, estimate or sprint are recorded as ItemChange rows, the only
source the burndown and velocity charts read. Sprint transitions and verdicts also go into
the cooperative's audit trail.

One module per part of the work (products, teams, backlog, assignment, sprints, acceptance);
every public name is importable from `sprints.services`, as callers have always written it.
"""

# DomainError: callers catch `services.DomainError`, as they could when this was one module.
from deelbaar.errors import DomainError
from sprints.services.acceptance import (
    create_increment,
    draft_progress,
    give_verdict,
    save_answer,
    send_verdicts,
    submit_increment,
)
from sprints.services.assignment import assign_item
from sprints.services.backlog import (
    BOARD_STATUSES,
    EDITABLE_FIELDS,
    GAP,
    MIN_ROOM,
    SHIFT,
    WINDOW,
    create_item,
    move_item,
    move_item_by_id,
    set_item_status,
    update_item,
)
from sprints.services.products import (
    PRODUCT_FIELDS,
    create_product,
    update_product,
)
from sprints.services.sprints import (
    Commitment,
    average_velocity,
    close_sprint,
    commit_items,
    finish_sprint,
    plan_sprint,
    start_sprint,
)
from sprints.services.teams import (
    add_team_member,
    change_team_role,
    hand_over_product,
    remove_team_member,
)

__all__ = [
    "BOARD_STATUSES",
    "EDITABLE_FIELDS",
    "GAP",
    "MIN_ROOM",
    "PRODUCT_FIELDS",
    "SHIFT",
    "WINDOW",
    "Commitment",
    "DomainError",
    "add_team_member",
    "assign_item",
    "average_velocity",
    "change_team_role",
    "close_sprint",
    "commit_items",
    "create_increment",
    "create_item",
    "create_product",
    "draft_progress",
    "finish_sprint",
    "give_verdict",
    "hand_over_product",
    "move_item",
    "move_item_by_id",
    "plan_sprint",
    "remove_team_member",
    "save_answer",
    "send_verdicts",
    "set_item_status",
    "start_sprint",
    "submit_increment",
    "update_item",
    "update_product",
]
