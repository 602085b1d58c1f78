""" "Mijn werk" (my work): the page a person lands on after signing in, with what awaits them in
every role they hold, on one page.

The platform cannot know the apps above it, so each app contributes its own sections:
`settings.DEELBAAR_WORK_SECTIONS` lists dotted paths of modules with two functions,

- `sections(user) -> list[Section]`: what this person has to do or follow there (nothing when
  they hold no role in that app); each section reads through selectors, in a number of queries
  that does not grow with the data;
- `waiting(user) -> int`: how many things wait for this person's decision there, counted cheaply;
  the navigation shows the sum beside "Mijn werk".

An app that adds a queue (access requests, say) adds its module to the list.
"""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET


@dataclass
class Section:
    """One block of the page: `template` rendered with `context`; `waiting` things in it await
    this person. Lower `order` comes first (what needs a decision before what to follow)."""

    key: str
    title: str
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
    return sum(provider.waiting(user) for provider in _providers())


class WaitingLabel(SafeData):
    """The navigation's "Mijn werk" label with the number waiting, counted only when the menu is
    drawn (not for htmx partials)."""

    def __init__(self, label, user):
        self.label = label
        self.user = user

    def __str__(self):
        count = waiting_for(self.user)
        if not count:
            return format_html("{}", self.label)
        spoken = ngettext("%(count)s waits for you", "%(count)s wait for you", count) % {
            "count": count
        }
        return format_html(
            '{} <span class="deelbaar-nav__count" aria-hidden="true">{}</span>'
            '<span class="deelbaar-visually-hidden">({})</span>',
            self.label,
            count,
            spoken,
        )

    __html__ = __str__


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
