"""Filters for the catalogue's pages: a solution's texts in the page's language (falling back
to the other one), and links that are safe to put in an href."""

from django import template
from django.utils.translation import get_language

register = template.Library()


def _english() -> bool:
    return (get_language() or "nl").startswith("en")


def _in_language(solution, field):
    dutch, english = getattr(solution, f"{field}_nl"), getattr(solution, f"{field}_en")
    return (english or dutch) if _english() else (dutch or english)


@register.filter
def short_description(solution) -> str:
    return _in_language(solution, "short_description")


@register.filter
def long_description(solution) -> str:
    return _in_language(solution, "long_description")


@register.filter
def features(solution) -> list:
    return [str(feature) for feature in _in_language(solution, "features") or []]


@register.filter
def web_link(url) -> str:
    """The URL if it is an http(s) one, else "" (no javascript: or data: in an href)."""
    url = str(url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""
