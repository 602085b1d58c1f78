"""The unread count in the page shell: notifications' panels in the core's spots
(deelbaar.panels.SHELL), registered in `NotificationsConfig.ready()`.

Rendered empty and filled in by notifications.js (a fetch, then the person's socket), so no
page pays a query for it.
"""


def _badge(context, link: bool):
    request = context.get("request")
    user = getattr(request, "user", None)
    return "notifications/_badge.html", {"show": bool(user and user.is_authenticated), "link": link}


def header_badge(context, obj):
    """In the header: the count, linking to the notification centre."""
    return _badge(context, link=True)


def navigation_badge(context, obj):
    """Beside a navigation entry's label (itself a link): the count alone."""
    return _badge(context, link=False)
