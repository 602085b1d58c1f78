"""Marking notifications read: one, all of a person's, or the verdict requests an answer settled."""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from deelbaar.typing import User
from notifications.models import Kind, Notification
from notifications.services.notifying import announce_counts


@transaction.atomic
def mark_read(*, person: User, notification: Notification) -> Notification:
    """Mark one of the person's own notifications read (reading it twice changes nothing)."""
    if notification.recipient_id != person.pk:
        # Views look notifications up among the person's own; this guards every other caller.
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        announce_counts([person.pk])
    return notification


@transaction.atomic
def mark_all_read(*, person: User) -> int:
    """Mark every unread notification of the person read; returns how many were unread."""
    marked = Notification.objects.unread().filter(recipient=person).update(read_at=timezone.now())
    if marked:
        announce_counts([person.pk])
    return marked


# What asked a tester for a verdict on one increment (the request and its deadline reminders).
VERDICT_WAITS = (Kind.VERDICT_REQUESTED, Kind.DEADLINE_TOMORROW, Kind.DEADLINE_PASSED)


@transaction.atomic
def mark_verdict_requests_read(*, person_id: int, increment: models.Model) -> int:
    """The tester answered: the increment's request no longer waits for them, so it stops
    counting as unread (they need not open the centre to clear what they already did)."""
    marked = (
        Notification.objects.unread()
        .filter(
            recipient_id=person_id,
            kind__in=VERDICT_WAITS,
            subject_type=ContentType.objects.get_for_model(increment),
            subject_id=increment.pk,
        )
        .update(read_at=timezone.now())
    )
    if marked:
        announce_counts([person_id])
    return marked
