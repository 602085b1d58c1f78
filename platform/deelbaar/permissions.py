"""The one permission mechanism: object rules from each app's rules.py, checked on the server.

Use `allowed()` and `require()` rather than `user.has_perm()`: Django lets an active superuser
pass every `has_perm`, which would silently bypass business rules such as segregation of
duties. Administrators get exactly the powers the rules give them.
"""

import rules

from deelbaar.errors import NotAllowed


def allowed(user, permission: str, obj=None) -> bool:
    return bool(user is not None and user.is_active and rules.has_perm(permission, user, obj))


def require(user, permission: str, obj=None, message=None) -> None:
    if not allowed(user, permission, obj):
        raise NotAllowed(message)
