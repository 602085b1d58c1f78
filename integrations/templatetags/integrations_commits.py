"""Template tags that show integrations' data on other apps' pages (an item's commits, an
increment's commits, the references an increment can pick)."""

from django import template

from integrations.selectors.repositories import (
    commits_for_item,
    git_refs_for_product,
)
from integrations.selectors.repositories import (
    increment_commits as increment_commits_of,
)

register = template.Library()


@register.simple_tag
def item_commits(item):
    """The commits that mention the item, for the item's page."""
    return commits_for_item(item)


@register.simple_tag
def git_ref_choices(product):
    """The branches and tags of the product's synced repositories, newest first, to suggest
    on the increment form (a commit SHA can still be typed by hand)."""
    return git_refs_for_product(product)


@register.simple_tag
def increment_commits(increment, limit=None):
    """The commits since the previous increment (at most `limit` of them, with the total),
    and whether the increment's reference was found in the mirrors."""
    return increment_commits_of(increment, limit=limit)
