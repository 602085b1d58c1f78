"""Sign-in with the municipality's identity provider (OpenID Connect, authorisation code flow).

mozilla-django-oidc does the protocol (as in Open Zaak and Open Forms); this module adds what
Deelbaar needs around it:

- **Configuration from the environment** (settings.py's OIDC_* block): an issuer, whose
  `/.well-known/openid-configuration` names the endpoints (read at the first sign-in and kept
  per process), or the endpoints themselves. Without a client id and an issuer or endpoints
  the identity provider is off: the login page shows no button and these views answer 404.
- **Matching on a verified e-mail address only.** The address comes from the claim
  `OIDC_EMAIL_CLAIM` and counts only when `OIDC_EMAIL_VERIFIED_CLAIM` is true. Accounts are
  never created here: an unknown person is told to ask their organisation's admin for an
  invitation.
- **Strict tokens**: the ID token's signature (the provider's JWKS), algorithm, audience (our
  client id), issuer (when configured), expiry and nonce are all checked; PKCE is used. A token
  that fails any check is refused with a page, not a server error.

Invitations (for the people app): to let a person accept an invitation by signing in with their
organisation's account, put the invitation's own reference in the session under
`PENDING_INVITATION_SESSION_KEY` and send them to `reverse("oidc_authentication_init")`. Register
one handler with `register_invitation_handler()` in your AppConfig.ready(); after the provider
vouched for the person, it is called as
`handler(request=, invitation=<the session value>, email=<verified address>, user=<the account
with that address, or None>, claims=<all claims>)` and returns the account to sign in (created or
linked, affiliation recorded) or None to refuse. The session key is removed before it is called,
so an invitation is tried once. Without a pending invitation the handler is not called.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger(__name__)

PENDING_INVITATION_SESSION_KEY = "signin.pending_invitation"

_invitation_handler: Callable | None = None


def register_invitation_handler(handler: Callable) -> None:
    """Let `handler` accept a pending invitation on an identity-provider sign-in (see above)."""
    global _invitation_handler
    _invitation_handler = handler


def enabled() -> bool:
    """Whether sign-in with the identity provider is configured."""
    return bool(
        settings.OIDC_RP_CLIENT_ID
        and (settings.OIDC_OP_ISSUER or settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    )


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str


@lru_cache(maxsize=8)
def _discover(issuer: str) -> dict:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was asked for.
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise SuspiciousOperation(f"the discovery document of {issuer} names another issuer")
    return document


def endpoints() -> Endpoints:
    """The provider's endpoints: each set explicitly, else from the issuer's discovery."""
    issuer = settings.OIDC_OP_ISSUER
    explicit = {
        "authorization": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo": settings.OIDC_OP_USER_ENDPOINT,
        "jwks": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    if issuer and not all(explicit.values()):
        document = _discover(issuer)
        discovered = {
            "authorization": document.get("authorization_endpoint", ""),
            "token": document.get("token_endpoint", ""),
            "userinfo": document.get("userinfo_endpoint", ""),
            "jwks": document.get("jwks_uri", ""),
        }
        explicit = {name: value or discovered[name] for name, value in explicit.items()}
    return Endpoints(issuer=issuer, **explicit)


def _is_true(value) -> bool:
    # Providers send a JSON boolean; a few send the string "true".
    return value is True or (isinstance(value, str) and value.lower() == "true")


class IdentityProviderBackend(OIDCAuthenticationBackend):
    """Signs in the one active account whose e-mail address the provider vouches for.

    Why a sign-in was refused is left on the request (`signin_refusal`) for the callback's page.
    Endpoints are looked up lazily: Django builds every backend for each password sign-in too.
    """

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: endpoints().token)
    OIDC_OP_USER_ENDPOINT = property(lambda self: endpoints().userinfo)
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: endpoints().jwks)

    def authenticate(self, request, **kwargs):
        if not enabled() or request is None or "nonce" not in kwargs:
            # A password sign-in, or the provider is off: not ours.
            return None
        return super().authenticate(request, **kwargs)

    def _refuse(self, reason: str) -> None:
        self.request.signin_refusal = reason

    def _verify_jws(self, payload, key):
        """The token's signature, algorithm, audience, issuer and expiry, every one checked."""
        try:
            header = jwt.get_unverified_header(payload)
            if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation("the token's algorithm is not the one agreed")
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER or None,
                options={"require": ["exp", "iat", "sub"]},
                leeway=60,
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint's for the same subject."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("the userinfo endpoint answered for another subject")
            claims.update(extra)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = claims.get(settings.OIDC_EMAIL_CLAIM)
        if not isinstance(email, str) or "@" not in email:
            self._refuse("no_email")
            return None
        if not _is_true(claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM)):
            self._refuse("unverified")
            return None
        users = list(self.UserModel.objects.filter(email__iexact=email, is_active=True)[:2])
        if len(users) > 1:
            # Two accounts share the address: picking one could hand over the wrong account.
            logger.warning("identity provider sign-in: several accounts have the same address")
            self._refuse("ambiguous")
            return None
        user = users[0] if users else None
        pending = self.request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        if pending is not None and _invitation_handler is not None:
            user = _invitation_handler(
                request=self.request, invitation=pending, email=email, user=user, claims=claims
            )
        if user is None:
            self._refuse("unknown")
        return user


def _require_enabled():
    if not enabled():
        raise Http404("sign-in with an identity provider is not configured")


def refusal_page(request, reason: str, status: int):
    """The page telling a person why their organisation's sign-in did not let them in."""
    return render(request, "signin/oidc_refused.html", {"reason": reason}, status=status)


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """Sends the person to the provider (state, nonce and PKCE kept in the session)."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_OP_AUTH_ENDPOINT = property(lambda self: endpoints().authorization)

    def get(self, request):
        _require_enabled()
        try:
            return super().get(request)
        except (requests.RequestException, ValueError, SuspiciousOperation) as error:
            logger.warning("identity provider unreachable: %s", error)
            return refusal_page(request, "unreachable", 503)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back; refusals are pages that say why."""

    def get(self, request):
        _require_enabled()
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            logger.warning("identity provider sign-in refused: %s", error)
            return refusal_page(request, "invalid", 400)
        except (requests.RequestException, ValueError) as error:
            logger.warning("identity provider unreachable: %s", error)
            return refusal_page(request, "unreachable", 502)

    def login_failure(self):
        reason = getattr(self.request, "signin_refusal", "failed")
        status = 400 if reason == "failed" else 403
        return refusal_page(self.request, reason, status)
