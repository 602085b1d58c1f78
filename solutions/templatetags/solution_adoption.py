"""Placeholder until adoption is built: the adoption, where-in-use, upgrade and review
sections of the solution page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def adoption_section(context, solution):
    return ""


@register.simple_tag(takes_context=True)
def reviews_section(context, solution):
    return ""
