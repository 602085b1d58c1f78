"""The text of each kind of notification, written when it is shown.

A notification keeps only its kind and parameters, so the same notification reads in Dutch for
one person and in English for another, and a corrected translation corrects old notifications.
Call `render()` with the reader's language active (`translation.override(language_for(user))`
outside a request).
"""

import datetime
from collections.abc import Callable

from django.utils import formats
from django.utils.translation import gettext as _

from notifications.kinds import Kind


def _date(value) -> str:
    if not value:
        return ""
    try:
        value = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return formats.date_format(value, "j F Y")


def _deadline(p: dict) -> dict:
    return _Params({**p, "deadline": _date(p["deadline"])})


# The sentence for each kind, written when it is shown (so in the reader's language); `p` holds
# the stored parameters, each possibly missing. A kind not listed reads as its label.
_TEXTS: dict[str, Callable[[dict], str]] = {
    Kind.VERDICT_REQUESTED: lambda p: (
        _("Version %(version)s of %(product)s awaits your verdict, by %(deadline)s.") % _deadline(p)
    ),
    Kind.DEADLINE_TOMORROW: lambda p: (
        _(
            "Tomorrow (%(deadline)s) is the last day for verdicts on version %(version)s of "
            "%(product)s."
        )
        % _deadline(p)
    ),
    Kind.DEADLINE_PASSED: lambda p: (
        _(
            "The deadline (%(deadline)s) for verdicts on version %(version)s of %(product)s "
            "has passed."
        )
        % _deadline(p)
    ),
    Kind.VERDICT_GIVEN: lambda p: (
        _("%(actor)s accepted %(reference)s “%(title)s” in version %(version)s.") % p
        if p["accepted"]
        else _("%(actor)s rejected %(reference)s “%(title)s” in version %(version)s.") % p
    ),
    Kind.INCREMENT_DECIDED: lambda p: (
        _("Version %(version)s of %(product)s was accepted.") % p
        if p["state"] == "accepted"
        else _("Version %(version)s of %(product)s was rejected.") % p
    ),
    Kind.FOLLOW_UP_CREATED: lambda p: (
        _("Follow-up %(reference)s “%(title)s” was added to the backlog of %(product)s.") % p
    ),
    Kind.TEAM_ADDED: lambda p: _("%(actor)s added you to the team of %(product)s.") % p,
    Kind.TEAM_REMOVED: lambda p: _("%(actor)s removed you from the team of %(product)s.") % p,
    Kind.SPRINT_STARTED: lambda p: _("Sprint %(number)s of %(product)s started.") % p,
    Kind.SPRINT_CLOSED: lambda p: _("Sprint %(number)s of %(product)s was closed.") % p,
    Kind.MEMBERSHIP_APPLIED: lambda p: (
        _("%(organisation)s applied for membership of %(cooperative)s.") % p
    ),
    Kind.MEMBERSHIP_DECIDED: lambda p: (
        _("The membership of %(organisation)s in %(cooperative)s was refused.") % p
        if p["state"] == "rejected"
        else _("The membership of %(organisation)s in %(cooperative)s was approved.") % p
    ),
    Kind.ACCESS_REQUESTED: lambda p: _("%(actor)s asked for access to %(cooperative)s.") % p,
    Kind.PUBLICATION_REQUESTED: lambda p: (
        _("%(actor)s asked to publish version %(version)s of %(product)s.") % p
    ),
    Kind.PUBLICATION_DECIDED: lambda p: (
        _("Publication of version %(version)s of %(product)s was refused.") % p
        if p["state"] == "rejected"
        else _("Publication of version %(version)s of %(product)s was approved.") % p
    ),
    Kind.RELEASE_PUBLISHED: lambda p: (
        _("Version %(version)s of %(solution)s, which you use, is out.") % p
    ),
    Kind.MAINTENANCE_ENDING: lambda p: (
        _("Maintenance of %(solution)s, which you use, ends on %(until)s.")
        % _Params({**p, "until": _date(p["until"])})
    ),
    Kind.REVIEW_POSTED: lambda p: _("%(organisation)s wrote a review of %(solution)s.") % p,
    Kind.WEBHOOK_FAILING: lambda p: _("Deliveries to %(url)s have failed for 24 hours.") % p,
}


def _text(kind: str, p: dict) -> str:
    """The sentence for `kind`; `p` holds the stored parameters, each possibly missing."""
    text = _TEXTS.get(kind)
    if text is None:
        return str(Kind(kind).label)
    return text(p)


class _Params(dict):
    """Stored parameters; one that is missing reads as empty, never as an error on a page."""

    def __missing__(self, key):
        return ""


def render(notification) -> str:
    params = _Params(notification.params or {})
    try:
        return _text(notification.kind, params)
    except (KeyError, TypeError, ValueError):
        return str(Kind(notification.kind).label)
