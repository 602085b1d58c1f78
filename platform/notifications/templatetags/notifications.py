"""The unread count in the page shell: `{% load notifications %}{% unread_badge %}`.

Rendered empty and filled in by notifications.js (a fetch, then the person's socket), so no
page pays a query for it; the layout may move the tag wherever it likes.
"""

from django import template

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def unread_badge(context, link=True):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user and user.is_authenticated), "link": link}
