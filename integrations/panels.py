"""The commits on sprints' pages: integrations' panels in the spots sprints declares
(sprints/hooks.py), registered in `IntegrationsConfig.ready()`.

Each looks its selector up at the call, so a test that replaces the selector replaces the panel's.
"""

from integrations.selectors import repositories
from sprints.models import IncrementState


def item_commits(context, item):
    """An item's page: the commits that mention the item."""
    return "integrations/item/_commits.html", {"commits": repositories.commits_for_item(item)}


def increment_commits(context, increment, newest=False):
    """The increment list. Listing commits asks git (a subprocess per repository) and the
    database for each increment, so only the newest increment, the one being prepared or tested,
    shows them (at most 10, with the total): the page stays a constant number of queries. Every
    other increment with a reference links to its acceptance page, which lists them all."""
    if newest:
        report = repositories.increment_commits(increment, limit=10)
        return "integrations/increment/_commits.html", {
            "report": report,
            "level": 3,
            "on_list": True,
        }
    if increment.state != IncrementState.DRAFT and increment.git_ref:
        return "integrations/increment/_commits_link.html", {}
    return None


def acceptance_commits(context, increment):
    """An increment's acceptance page, one increment: git counts its commits since the previous
    increment and lists at most 200; the API pages through all of them."""
    report = repositories.increment_commits(increment, limit=200)
    return "integrations/increment/_commits.html", {"report": report, "level": 2, "on_list": False}
