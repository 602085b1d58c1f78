"""The main navigation: one list, so every page shows the same menu. Apps append entries."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    login_required: bool = False


ENTRIES: list[Entry] = [
    Entry(_("Home"), "home"),
    Entry(_("Cooperatives"), "cooperative:list"),
    Entry(_("Products"), "sprints:product_list", login_required=True),
    Entry(_("Inbox"), "sprints:inbox", login_required=True),
    Entry(_("API"), "api:docs"),
]


def main_navigation(request):
    """Context processor: the entries this visitor may see, with the current one marked."""
    user = getattr(request, "user", None)
    logged_in = bool(user and user.is_authenticated)
    items = []
    for entry in ENTRIES:
        if entry.login_required and not logged_in:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        # A section is current on its own pages too, except the home page.
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": entry.label, "url": url, "current": current})
    return {"main_navigation": items}
