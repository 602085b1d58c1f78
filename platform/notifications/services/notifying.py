"""Creating notifications, and telling a person's open pages their unread count.

`notify()` is the one way a notification is made: from the platform's events after their
commit (`notifications.receivers`) and from the scheduled jobs (deadlines, maintenance). It
leaves out the person who acted and anyone outside the cooperative, stores kind and parameters
(the text is written when shown, in the reader's language), creates every row in one insert,
hands them to the mail queue, and tells each recipient's open pages the new unread count.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from deelbaar.events import publish_on_commit, user_group
from notifications import selectors
from notifications.mail import queue_mails_for
from notifications.models import Kind, Notification

# The event a person's sockets receive when their unread count changes.
UNREAD_EVENT = "notifications.unread"


def _queue_mails(notifications: list[Notification]) -> None:
    """The e-mail half (`notifications.mail`) decides per person and kind what to send when."""
    queue_mails_for([n.pk for n in notifications])


def announce_counts(person_ids: Iterable[int]) -> None:
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
    announce_counts(people)
    return notifications
