"""The text of each kind of notification, written when it is shown.

A notification keeps only its kind and parameters, so the same notification reads in Dutch for
one person and in English for another, and a corrected translation corrects old notifications.
Call `render()` with the reader's language active (`translation.override(language_for(user))`
outside a request).
"""

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from notifications.models import Kind


def _date(value) -> str:
    if not value:
        return ""
    try:
        value = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return formats.date_format(value, "j F Y")


def _text(kind: str, p: dict) -> str:
    """The sentence for `kind`; `p` holds the stored parameters, each possibly missing."""
    if kind == Kind.VERDICT_REQUESTED:
        return _(
            "Version %(version)s of %(product)s awaits your verdict, by %(deadline)s."
        ) % _Params({**p, "deadline": _date(p["deadline"])})
    if kind == Kind.DEADLINE_TOMORROW:
        return _(
            "Tomorrow (%(deadline)s) is the last day for verdicts on version %(version)s of "
            "%(product)s."
        ) % _Params({**p, "deadline": _date(p["deadline"])})
    if kind == Kind.DEADLINE_PASSED:
        return _(
            "The deadline (%(deadline)s) for verdicts on version %(version)s of %(product)s "
            "has passed."
        ) % _Params({**p, "deadline": _date(p["deadline"])})
    if kind == Kind.VERDICT_GIVEN:
        if p["accepted"]:
            return _("%(actor)s accepted %(reference)s “%(title)s” in version %(version)s.") % p
        return _("%(actor)s rejected %(reference)s “%(title)s” in version %(version)s.") % p
    if kind == Kind.INCREMENT_DECIDED:
        if p["state"] == "accepted":
            return _("Version %(version)s of %(product)s was accepted.") % p
        return _("Version %(version)s of %(product)s was rejected.") % p
    if kind == Kind.FOLLOW_UP_CREATED:
        return _("Follow-up %(reference)s “%(title)s” was added to the backlog of %(product)s.") % p
    if kind == Kind.TEAM_ADDED:
        return _("%(actor)s added you to the team of %(product)s.") % p
    if kind == Kind.TEAM_REMOVED:
        return _("%(actor)s removed you from the team of %(product)s.") % p
    if kind == Kind.SPRINT_STARTED:
        return _("Sprint %(number)s of %(product)s started.") % p
    if kind == Kind.SPRINT_CLOSED:
        return _("Sprint %(number)s of %(product)s was closed.") % p
    if kind == Kind.MEMBERSHIP_APPLIED:
        return _("%(organisation)s applied for membership of %(cooperative)s.") % p
    if kind == Kind.MEMBERSHIP_DECIDED:
        if p["state"] == "rejected":
            return _("The membership of %(organisation)s in %(cooperative)s was refused.") % p
        return _("The membership of %(organisation)s in %(cooperative)s was approved.") % p
    if kind == Kind.ACCESS_REQUESTED:
        return _("%(actor)s asked for access to %(cooperative)s.") % p
    if kind == Kind.PUBLICATION_REQUESTED:
        return _("%(actor)s asked to publish version %(version)s of %(product)s.") % p
    if kind == Kind.PUBLICATION_DECIDED:
        if p["state"] == "rejected":
            return _("Publication of version %(version)s of %(product)s was refused.") % p
        return _("Publication of version %(version)s of %(product)s was approved.") % p
    if kind == Kind.RELEASE_PUBLISHED:
        return _("Version %(version)s of %(solution)s, which you use, is out.") % p
    if kind == Kind.MAINTENANCE_ENDING:
        return _("Maintenance of %(solution)s, which you use, ends on %(until)s.") % _Params(
            {**p, "until": _date(p["until"])}
        )
    if kind == Kind.REVIEW_POSTED:
        return _("%(organisation)s wrote a review of %(solution)s.") % p
    if kind == Kind.WEBHOOK_FAILING:
        return _("Deliveries to %(url)s have failed for 24 hours.") % p
    return str(Kind(kind).label)


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
