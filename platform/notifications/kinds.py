"""The kinds of notification: a module of their own, so the texts (`notifications.texts`) name
them without importing the models that render those texts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    VERDICT_REQUESTED = "verdict_requested", _("An increment awaits your verdict")
    DEADLINE_TOMORROW = "deadline_tomorrow", _("The verdict deadline is tomorrow")
    DEADLINE_PASSED = "deadline_passed", _("The verdict deadline has passed")
    VERDICT_GIVEN = "verdict_given", _("A verdict was given")
    INCREMENT_DECIDED = "increment_decided", _("An increment was decided")
    FOLLOW_UP_CREATED = "follow_up_created", _("A follow-up item was created")
    TEAM_ADDED = "team_added", _("You were added to a team")
    TEAM_REMOVED = "team_removed", _("You were removed from a team")
    SPRINT_STARTED = "sprint_started", _("A sprint started")
    SPRINT_CLOSED = "sprint_closed", _("A sprint was closed")
    MEMBERSHIP_APPLIED = "membership_applied", _("An organisation applied for membership")
    MEMBERSHIP_DECIDED = "membership_decided", _("A membership application was decided")
    ACCESS_REQUESTED = "access_requested", _("Someone asked for access")
    PUBLICATION_REQUESTED = "publication_requested", _("Publication was requested")
    PUBLICATION_DECIDED = "publication_decided", _("A publication request was decided")
    RELEASE_PUBLISHED = "release_published", _("A new release of a solution you use")
    MAINTENANCE_ENDING = "maintenance_ending", _("Maintenance of a solution you use ends soon")
    REVIEW_POSTED = "review_posted", _("A new review of your solution")
    WEBHOOK_FAILING = "webhook_failing", _("A webhook subscription keeps failing")
