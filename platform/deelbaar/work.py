""" "Mijn werk" (my work): the page a person lands on after signing in, with what awaits them in
every role they hold, on one page.

The platform cannot know the apps above it, so each app contributes its own sections:
`settings.DEELBAAR_WORK_SECTIONS` lists dotted paths of modules with two functions,

- `sections(user) -> list[Section]`: what this person has to do or follow there (nothing when
  they hold no role in that app); each section reads through selectors, in a number of queries
  that does not grow with the data;
- `waiting(user) -> QuerySet | list[QuerySet]`: the things that wait for this person's decision
  there (of one model, or of several); the navigation shows how many beside "Mijn werk",
  counted for all apps in one query (a UNION ALL of these querysets' primary keys). It must
  count what the sections' `waiting` numbers count, or the menu and the page disagree.

An app that adds a queue (access requests, say) adds its module to the list.
"""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class Section:
    """One block of the page: `template` rendered with `context`; `waiting` things in it await
    this person. Lower `order` comes first (what needs a decision before what to follow)."""

    key: str
    title: "StrOrPromise"
    template: str
    context: dict = field(default_factory=dict)
    waiting: int = 0
    order: int = 50


@cache
def _providers():
    return [import_module(path) for path in settings.DEELBAAR_WORK_SECTIONS]


def sections_for(user) -> list[Section]:
    found = []
    for provider in _providers():
        found.extend(provider.sections(user))
    return sorted(found, key=lambda s: s.order)


def waiting_for(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    waiting = [
        queryset.order_by().values_list("pk")
        for provider in _providers()
        for queryset in _as_list(provider.waiting(user))
    ]
    if not waiting:
        return 0
    return waiting[0].union(*waiting[1:], all=True).count()


def _as_list(waiting):
    return list(waiting) if isinstance(waiting, list | tuple) else [waiting]


class WaitingLabel(SafeData):
    """The navigation's "Mijn werk" label. The number waiting is fetched by htmx after the page
    has loaded (`my_work_count`), so no page pays a query for its menu."""

    def __init__(self, label, user):
        self.label = label
        self.user = user

    def __str__(self):
        return format_html(
            '{}<span class="deelbaar-nav__waiting" hx-get="{}" hx-trigger="load" '
            'hx-swap="outerHTML"></span>',
            self.label,
            reverse("my_work_count"),
        )

    __html__ = __str__


@login_required
@require_GET
def my_work_count(request):
    """The badge beside "Mijn werk" in the navigation: how many things wait for this person."""
    count = waiting_for(request.user)
    if not count:
        return HttpResponse("")
    spoken = ngettext("%(count)s waits for you", "%(count)s wait for you", count) % {"count": count}
    response = HttpResponse(
        format_html(
            ' <span class="deelbaar-nav__count" aria-hidden="true">{}</span>'
            '<span class="deelbaar-visually-hidden">({})</span>',
            count,
            spoken,
        )
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def my_work(request):
    sections = sections_for(request.user)
    today = timezone.localdate()
    for section in sections:
        section.html = render_to_string(
            section.template, {**section.context, "today": today}, request=request
        )
    return render(
        request,
        "deelbaar/my_work.html",
        {
            "sections": sections,
            "waiting": sum(s.waiting for s in sections),
        },
    )
