"""Every state change of the notifications app:

- `notifying`: `notify()`, the one way a notification is made, and the unread counts it announces.
- `marking`: marking notifications read.

Every public name is importable from `notifications.services` (the receivers, views and API call
them so).
"""

from notifications.services.marking import (
    VERDICT_WAITS,
    mark_all_read,
    mark_read,
    mark_verdict_requests_read,
)
from notifications.services.notifying import UNREAD_EVENT, announce_counts, notify

__all__ = [
    "UNREAD_EVENT",
    "VERDICT_WAITS",
    "announce_counts",
    "mark_all_read",
    "mark_read",
    "mark_verdict_requests_read",
    "notify",
]
