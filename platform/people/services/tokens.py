"""Personal API tokens: issued and revoked (the reads, a person's list and the token a secret
belongs to, are in `people.selectors.tokens`).

A token is `dlb_` and 43 random URL-safe characters (256 bits). Only its SHA-256 digest is
stored: a random secret of that length needs no slow hash, and a digest can be looked up by an
index in one query. The secret is returned once, by `issue_token()`; nothing can show it again.
"""

import datetime
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from cooperative.models import Organisation
from deelbaar.errors import DomainError, NotAllowed
from deelbaar.typing import User
from people.models import PersonalToken
from people.selectors.tokens import TOKEN_PREFIX, digest_of


def default_expiry() -> datetime.datetime:
    return timezone.now() + timedelta(days=settings.DEELBAAR_TOKEN_DAYS)


@transaction.atomic
def issue_token(
    *, actor: User | None, user: User, name: str, expires_at: datetime.datetime | None = None
) -> tuple[PersonalToken, str]:
    """Make a token for `user` (only they make their own) and return it with its secret,
    which is shown this once. `expires_at` defaults to DEELBAAR_TOKEN_DAYS from now."""
    if actor is None or actor.pk != user.pk or not user.is_active:
        raise NotAllowed(_("A person makes their own API tokens."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name."), field="name", code="required")
    now = timezone.now()
    expires_at = expires_at or default_expiry()
    if expires_at <= now:
        raise DomainError(_("The expiry date must lie in the future."), field="expires_at")
    if expires_at > now + timedelta(days=settings.DEELBAAR_TOKEN_MAX_DAYS):
        raise DomainError(
            _("A token lasts at most %(days)s days.") % {"days": settings.DEELBAAR_TOKEN_MAX_DAYS},
            field="expires_at",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        digest=digest_of(secret),
        created_at=now,
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action="people.token_issued",
        obj=token,
        changes={"name": [None, name], "expires_at": [None, expires_at.isoformat()]},
    )
    return token, secret


@transaction.atomic
def revoke_token(*, actor: User | None, token: PersonalToken, reason: str = "") -> PersonalToken:
    """Revoke one token of the actor's own; revoking a revoked token changes nothing."""
    if actor is None or actor.pk != token.user_id:
        raise NotAllowed(_("A person revokes their own API tokens."))
    token = PersonalToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_reason = reason[:200] or _("revoked by its owner")
        token.save(update_fields=["revoked_at", "revoked_reason"])
        audit.record(actor=actor, action="people.token_revoked", obj=token, reason=reason)
    return token


@transaction.atomic
def revoke_all_tokens(
    *,
    user: User,
    actor: User | None = None,
    reason: str,
    organisation: Organisation | None = None,
) -> int:
    """Revoke every live token of `user` (removed from an organisation, deactivated): the
    tokens carried what the person could reach, which has changed. Returns how many."""
    live = list(
        PersonalToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    )
    now = timezone.now()
    for token in live:
        token.revoked_at = now
        token.revoked_reason = reason[:200]
        audit.record(
            actor=actor,
            action="people.token_revoked",
            obj=token,
            reason=reason,
            organisation=organisation,
        )
    PersonalToken.objects.bulk_update(live, ["revoked_at", "revoked_reason"])
    return len(live)
