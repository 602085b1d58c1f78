"""Reads of notifications: a person's list, unread counts, and who belongs to a cooperative."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from deelbaar.typing import Person, User
from notifications.models import Notification


def notifications_for(
    person: User, *, unread: bool | None = None, kind: str | None = None
) -> QuerySet[Notification]:
    """A person's notifications, newest first, ready to be shown (actor and reader's text)."""
    notifications = Notification.objects.filter(recipient=person).select_related("actor")
    if unread is True:
        notifications = notifications.filter(read_at__isnull=True)
    elif unread is False:
        notifications = notifications.filter(read_at__isnull=False)
    if kind:
        notifications = notifications.filter(kind=kind)
    return notifications


def unread_count(person: Person | None) -> int:
    if person is None or not person.is_authenticated:
        return 0
    return Notification.objects.unread().filter(recipient=person).count()


def unread_counts(person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's unread count, in one query."""
    rows = (
        Notification.objects.unread()
        .filter(recipient_id__in=list(person_ids))
        .values("recipient_id")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(person_ids, 0)
    counts.update({row["recipient_id"]: row["n"] for row in rows})
    return counts


def people_of_cooperative(cooperative_id: int | None, person_ids: Iterable[int]) -> set[int]:
    """Those of `person_ids` who belong to the cooperative: its coordinators, the people of an
    organisation with a membership in it (an applicant's too), the teams of its products.
    One query."""
    person_ids = set(person_ids)
    if not person_ids or cooperative_id is None:
        return set()
    return set(
        get_user_model()
        .objects.filter(pk__in=person_ids)
        .filter(
            Q(coordinator_roles__cooperative_id=cooperative_id)
            | Q(affiliations__organisation__memberships__cooperative_id=cooperative_id)
            | Q(team_roles__product__cooperative_id=cooperative_id)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
