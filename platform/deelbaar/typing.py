"""Types the apps share in their annotations (checked by mypy, see pyproject.toml).

`Person` is whoever asks: a signed-in account or the anonymous visitor (`request.user`); the
rules and the selectors that answer "who may see what" take either. A service's `actor` has
signed in and is a `User`.
"""

from django.contrib.auth.models import AnonymousUser, User

Person = User | AnonymousUser

__all__ = ["Person", "User"]
