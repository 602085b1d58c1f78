"""Every state change of the people app, one module per part of the work:

- `invitations`: invite, resend, revoke, find and accept an invitation (what other apps call to
  bring a person in; every public name of it is importable from `people.services`).
- `newcomers`: ask a cooperative for access without an account; approve or decline a request.
- `tokens`: issue and revoke personal API tokens.
- `identity_provider`: accept an invitation by signing in with the organisation's provider.
"""

from people.services.invitations import (
    INVITATION_DAYS,
    TOKEN_BYTES,
    InvitationUnusable,
    accept,
    find,
    free_username,
    invitation_link,
    invitation_path,
    invite,
    resend,
    revoke,
    token_hash,
)

__all__ = [
    "INVITATION_DAYS",
    "TOKEN_BYTES",
    "InvitationUnusable",
    "accept",
    "find",
    "free_username",
    "invitation_link",
    "invitation_path",
    "invite",
    "resend",
    "revoke",
    "token_hash",
]
