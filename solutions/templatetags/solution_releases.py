"""Placeholder until publication is built: the releases section of the solution page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def releases_section(context, solution):
    return ""
