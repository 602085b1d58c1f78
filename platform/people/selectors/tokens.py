"""Personal API tokens: a person's list, and the token a request's secret belongs to (issued and
revoked by `people.services.tokens`)."""

import hashlib
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from deelbaar.typing import User
from people.models import PersonalToken

TOKEN_PREFIX = "dlb_"  # noqa: S105 (not a secret: what every token begins with)
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def tokens_of(user: User) -> QuerySet[PersonalToken]:
    """A person's tokens, newest first: live ones, expired and revoked ones."""
    return PersonalToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_for_secret(secret: str) -> PersonalToken | None:
    """The usable token with this secret and its active owner, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        PersonalToken.objects.usable()
        .select_related("user")
        .filter(digest=digest_of(secret), user__is_active=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token
