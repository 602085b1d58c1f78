"""How a person shows on the backlog and the board: a name and two initials (issue 15)."""

from django import template

from sprints.assignment import initials as _initials
from sprints.assignment import person_name as _person_name

register = template.Library()


@register.filter
def initials(user) -> str:
    return _initials(user) if user is not None else ""


@register.filter
def person_name(user) -> str:
    return _person_name(user) if user is not None else ""
