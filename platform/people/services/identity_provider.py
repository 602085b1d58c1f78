"""Accepting an invitation by signing in with the organisation's identity provider.

The accept page (people.views.accept_with_identity_provider) puts the link's token in the session
under signin's `PENDING_INVITATION_SESSION_KEY` and starts the sign-in; once the provider vouched
for a verified e-mail address, signin calls `accept_pending()` (registered in
PeopleConfig.ready() when the signin app is installed). The address must be the one invited: the
link was sent there, and the provider says it is theirs.
"""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest

from deelbaar.errors import DomainError
from deelbaar.typing import User
from people.services import invitations as services

logger = logging.getLogger(__name__)


def accept_pending(
    *,
    request: HttpRequest,
    invitation: str,
    email: str | None,
    user: User | None,
    claims: dict[str, Any],
) -> User | None:
    """Accept the invitation whose token is `invitation` for the person the provider vouched for;
    returns the account to sign in, or `user` unchanged (None refuses) when it cannot be."""
    try:
        pending = services.find(invitation)
    except services.InvitationUnusable as error:
        logger.info("identity-provider acceptance refused: %s", error.reason)
        return user
    if (email or "").strip().lower() != pending.email:
        logger.info("identity-provider acceptance refused: another address than the invited one")
        return user
    try:
        with transaction.atomic():
            if user is None:
                first = str(claims.get("given_name", ""))[:150]
                last = str(claims.get("family_name", ""))[:150]
                user = get_user_model().objects.create_user(
                    username=services.free_username(first, last, pending.email),
                    email=pending.email,
                    first_name=first,
                    last_name=last,
                )
                user.set_unusable_password()  # they sign in through their provider
                user.save(update_fields=["password"])
            _invitation, user = services.accept(token=invitation, user=user)
    except DomainError as error:
        logger.info("identity-provider acceptance refused: %s", error.message)
        return None if user is None or user.pk is None else user
    return user
