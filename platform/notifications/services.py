"""Creating notifications and marking them read.

`notify()` is the one way a notification is made: from the platform's events after their
commit (`notifications.receivers`) and from the scheduled jobs (deadlines, maintenance). It
leaves out the person who acted and anyone outside the cooperative, stores kind and parameters
(the text is written when shown, in the reader's language), creates every row in one insert,
hands them to the mail queue, and tells each recipient's open pages the new unread count.
"""

import importlib.util
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from deelbaar.events import publish_on_commit, user_group
from deelbaar.typing import User
from notifications import selectors
from notifications.models import Kind, Notification

# The event a person's sockets receive when their unread count changes.
UNREAD_EVENT = "notifications.unread"


def _queue_mails(notifications: list[Notification]) -> None:
    """The e-mail half (`notifications.mail`) decides per person and kind what to send when."""
    if importlib.util.find_spec("notifications.mail") is None:
        # The mail half is a module of its own; without it, notifications are in-app only.
        return
    from notifications.mail import queue_mails_for

    queue_mails_for([n.pk for n in notifications])


def _announce_counts(person_ids: Iterable[int]) -> None:
    counts = selectors.unread_counts(person_ids)
    for person_id, count in counts.items():
        publish_on_commit(user_group(person_id), UNREAD_EVENT, {"unread": count}, announce=False)


@transaction.atomic
def notify(
    *,
    kind: str,
    recipient_ids: Iterable[int | None],
    cooperative_id: int | None,
    subject: models.Model | None = None,
    actor_id: int | None = None,
    params: dict | None = None,
    url: str = "",
    key: str = "",
) -> list[Notification]:
    """Tell each of `recipient_ids` (but the actor, and only people of the cooperative) of
    `kind`. With `key`, each person is told of it once: a second call creates nothing for them.
    Returns the notifications made. A constant number of queries, whatever the recipients."""
    kind = Kind(kind).value
    given = {person_id for person_id in recipient_ids if person_id is not None} - {actor_id}
    people = selectors.people_of_cooperative(cooperative_id, given)
    if key and people:
        told = Notification.objects.filter(kind=kind, key=key, recipient_id__in=people).values_list(
            "recipient_id", flat=True
        )
        people -= set(told)
    if not people:
        return []
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=person_id,
                kind=kind,
                actor_id=actor_id,
                cooperative_id=cooperative_id,
                subject_type=subject_type,
                subject_id=subject.pk if subject is not None else None,
                params=params or {},
                url=url,
                key=key,
                created_at=now,
            )
            for person_id in sorted(people)
        ]
    )
    _queue_mails(notifications)
    _announce_counts(people)
    return notifications


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
        _announce_counts([person.pk])
    return notification


@transaction.atomic
def mark_all_read(*, person: User) -> int:
    """Mark every unread notification of the person read; returns how many were unread."""
    marked = Notification.objects.unread().filter(recipient=person).update(read_at=timezone.now())
    if marked:
        _announce_counts([person.pk])
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
        _announce_counts([person_id])
    return marked
