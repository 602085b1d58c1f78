"""The main navigation: one list, so every page shows the same menu. Apps append entries."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from deelbaar.work import WaitingLabel


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    login_required: bool = False
    # Shows the person's unread notifications beside the label (filled in by the page).
    counts_unread: bool = False


ENTRIES: list[Entry] = [
    Entry(_("Home"), "home"),
    # What awaits the person, with how many things wait for their decision (deelbaar/work.py).
    Entry(_("My work"), "my_work", login_required=True),
    Entry(_("Library"), "solutions:catalogue"),
    Entry(_("Cooperatives"), "cooperative:list"),
    Entry(_("Products"), "sprints:product_list", login_required=True),
    Entry(_("Inbox"), "sprints:inbox", login_required=True, counts_unread=True),
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
        items.append(
            {
                "label": entry.label,
                "url": url,
                "current": False,
                "counts_unread": entry.counts_unread,
            }
        )
    # "Mijn werk" says how many things await the person's decision (counted only when drawn).
    # Not while the session waits for its second factor (signin's middleware marks it): the
    # count's URL would answer 403 until the code is entered.
    if logged_in and not getattr(request, "second_factor_pending", False):
        mine = reverse("my_work")
        for item in items:
            if item["url"] == mine:
                item["label"] = WaitingLabel(item["label"], user)
    # A section is current on its own pages too (the home page only on itself); where
    # sections nest, such as /products/inbox/ in /products/, the deepest one wins.
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["current"] = True
    return {"main_navigation": items}
