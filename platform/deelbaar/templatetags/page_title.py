"""The page title: "Backlog van Subsidiesysteem — Deelbaar", or "Deelbaar" alone."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe

register = template.Library()


@register.filter(is_safe=True)
def with_site(title) -> str:
    """Append the site's name to a page's own title, if it has one.

    A Django template cannot ask whether a block has content; base.html wraps its title block
    in this filter instead.
    """
    # The block arrives rendered (and so escaped); folding its white space keeps it safe.
    text = " ".join(str(title).split())
    if not isinstance(title, SafeData):
        text = escape(text)
    return mark_safe(f"{text} — Deelbaar" if text else "Deelbaar")  # noqa: S308
