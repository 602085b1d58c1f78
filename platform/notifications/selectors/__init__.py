"""Reads of the notifications app (one module so far, `notifications`); every public name is
importable from `notifications.selectors`."""

from notifications.selectors.notifications import (
    notifications_for,
    people_of_cooperative,
    unread_count,
    unread_counts,
)

__all__ = ["notifications_for", "people_of_cooperative", "unread_count", "unread_counts"]
