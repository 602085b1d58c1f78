"""Placeholder until publiccode.yml is built: the metadata section of the solution page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def publiccode_section(context, solution):
    return ""
