"""How each git host proves that an incoming push hook came from it.

- GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the
  repository's hook secret; delivery id `X-GitHub-Delivery`, event `X-GitHub-Event`.
- GitLab: `X-Gitlab-Token: <the secret itself>`; delivery id `Idempotency-Key` (the same on
  every retry, GitLab 17.4 and later) or else `X-Gitlab-Event-UUID`; event `X-Gitlab-Event`.
- Gitea: `X-Gitea-Signature: <hex HMAC-SHA256 of the raw body>`; delivery id
  `X-Gitea-Delivery`, event `X-Gitea-Event`.

Every comparison is constant-time (`hmac.compare_digest`) and runs over the exact bytes
received, never over re-serialised JSON. A missing signature is `Unsigned` (401); a signature
that does not match, or a repository without a secret, is `BadSignature` (403).
"""

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from deelbaar.errors import DomainError
from integrations.models import HookProvider


class Unsigned(DomainError):
    """The request carries no signature or token at all."""

    status_code = 401
    default_code = "unsigned"
    default_message = _("The hook is not signed.")


class BadSignature(DomainError):
    """The request is signed, but not with this repository's secret (or not over this body)."""

    status_code = 403
    default_code = "bad_signature"
    default_message = _("The hook's signature does not match this repository's secret.")


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `body` keyed with `secret`, as GitHub and Gitea compute it."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _same(expected: str, given: str) -> bool:
    # Bytes, so a header with characters outside ASCII is a mismatch, not a TypeError.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _verify_github(secret: str, given: str, body: bytes) -> bool:
    prefix, _sep, digest = given.partition("=")
    return prefix == "sha256" and _same(hmac_sha256_hex(secret, body), digest.strip().lower())


def _verify_gitlab(secret: str, given: str, body: bytes) -> bool:
    return _same(secret, given)


def _verify_gitea(secret: str, given: str, body: bytes) -> bool:
    return _same(hmac_sha256_hex(secret, body), given.strip().lower())


@dataclass(frozen=True)
class Scheme:
    """One provider's headers and how its signature is checked."""

    signature_header: str
    delivery_headers: tuple[str, ...]
    event_header: str
    push_events: frozenset[str]
    check: Callable[[str, str, bytes], bool]


SCHEMES: dict[str, Scheme] = {
    HookProvider.GITHUB: Scheme(
        signature_header="X-Hub-Signature-256",
        delivery_headers=("X-GitHub-Delivery",),
        event_header="X-GitHub-Event",
        push_events=frozenset({"push"}),
        check=_verify_github,
    ),
    HookProvider.GITLAB: Scheme(
        signature_header="X-Gitlab-Token",
        delivery_headers=("Idempotency-Key", "X-Gitlab-Event-UUID"),
        event_header="X-Gitlab-Event",
        push_events=frozenset({"Push Hook"}),
        check=_verify_gitlab,
    ),
    HookProvider.GITEA: Scheme(
        signature_header="X-Gitea-Signature",
        delivery_headers=("X-Gitea-Delivery",),
        event_header="X-Gitea-Event",
        push_events=frozenset({"push"}),
        check=_verify_gitea,
    ),
}


def scheme_for(provider: str) -> Scheme | None:
    return SCHEMES.get(provider)


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header by name, whatever its case (Django's request.headers or a plain dict)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value).strip()
    return ""


def verify(provider: str, *, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Raise `Unsigned` or `BadSignature` unless `body` is signed with `secret` as the
    provider signs it."""
    scheme = SCHEMES[provider]
    given = _header(headers, scheme.signature_header)
    if not given:
        raise Unsigned(
            _("The hook is not signed: the %(header)s header is missing.")
            % {"header": scheme.signature_header},
            field=scheme.signature_header,
        )
    # An empty secret would accept an empty GitLab token: a repository without one accepts
    # nothing.
    if not secret or not scheme.check(secret, given, body):
        raise BadSignature(field=scheme.signature_header)


def delivery_id(provider: str, headers: Mapping[str, str]) -> str:
    """The provider's id of this delivery, or "" when it sent none."""
    for name in SCHEMES[provider].delivery_headers:
        if value := _header(headers, name):
            return value
    return ""


def event(provider: str, headers: Mapping[str, str]) -> str:
    return _header(headers, SCHEMES[provider].event_header)
