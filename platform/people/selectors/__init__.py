"""Reads of the people app, with their joins decided once, one module per part of the work:

- `invitations`: accounts by address, a team's organisations, the invitations a person sees
  (every public name of it is importable from `people.selectors`).
- `newcomers`: what joining a cooperative costs, and the queue of requests for access.
- `tokens`: a person's API tokens, and the token a secret belongs to.
"""

from people.selectors.invitations import (
    account_for_email,
    invitations_of,
    invitations_visible_to,
    team_organisations,
)

__all__ = [
    "account_for_email",
    "invitations_of",
    "invitations_visible_to",
    "team_organisations",
]
