"""API authentication by personal token: `Authorization: Token dlb_…` (people/services/tokens.py).

DRF's TokenAuthentication reads the header; the token is looked up by its digest. A revoked or
expired token, or one whose owner was deactivated, is refused with 401 like an unknown one.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from people.selectors.tokens import token_for_secret


class PersonalTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = token_for_secret(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid: unknown, expired or revoked.")
            )
        return token.user, token
