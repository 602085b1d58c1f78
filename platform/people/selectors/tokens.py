"""Personal API tokens: a person's list, and the token a request's secret belongs to (issued and
revoked by `people.services.tokens`)."""

import hashlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from deelbaar import statements
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
    token = _usable_token(digest_of(secret))
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


def _usable_token(digest: str) -> PersonalToken | None:
    """`PersonalToken.objects.usable()` with this digest and an active owner, owner read
    along: written out, since every API request asks it (statements.py says why)."""
    now = statements.datetime_parameter(timezone.now())
    found = statements.tuples(_USABLE_TOKEN, [digest, now, True])
    if not found:
        return None
    token: PersonalToken
    token, token.user = statements.objects(found[0], PersonalToken, _Person)
    return token


_Person = get_user_model()
_USABLE_TOKEN = (
    f"SELECT {statements.columns(PersonalToken)}, {statements.columns(_Person)} "  # noqa: S608
    f'FROM "{PersonalToken._meta.db_table}" INNER JOIN "{_Person._meta.db_table}" '
    f"ON {statements.column(PersonalToken, 'user')} = {statements.column(_Person, 'id')} "
    f"WHERE {statements.column(PersonalToken, 'digest')} = %s "
    f"AND {statements.column(PersonalToken, 'revoked_at')} IS NULL "
    f"AND {statements.column(PersonalToken, 'expires_at')} > %s "
    f"AND {statements.column(_Person, 'is_active')} = %s"
)
