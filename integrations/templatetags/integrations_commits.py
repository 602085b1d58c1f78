"""Template tags that show integrations' data on other apps' pages (an item's commits)."""

from django import template

from integrations.selectors.repositories import commits_for_item

register = template.Library()


@register.simple_tag
def item_commits(item):
    """The commits that mention the item, for the item's page."""
    return commits_for_item(item)
