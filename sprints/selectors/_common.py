"""What the sprints selectors share: the statuses that count as done, and an item's criteria
fetched with what was said about the ones they follow up."""

from django.db.models import Prefetch

from sprints.models import AcceptanceCriterion, ItemStatus

DONE_STATUSES = {ItemStatus.DONE, ItemStatus.ACCEPTED}
# An item's criteria, each with what was said last time when it follows up one not met: one
# query for any number of items.
CRITERIA = Prefetch(
    "criteria",
    queryset=AcceptanceCriterion.objects.select_related(
        "follows_up__verdict__increment_item__item__product",
        "follows_up__verdict__increment_item__increment",
    ),
)
