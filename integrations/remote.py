"""Which remote addresses the platform may reach: git repositories and webhook targets.

Only hosts in `settings.DEELBAAR_ALLOWED_REMOTE_HOSTS` (an exact name, or ".example.org" for a
domain and its subdomains) may be reached, so no one can make the platform fetch from or post to
arbitrary internal addresses. Local paths are accepted only where the caller allows them (git
repositories, when `settings.DEELBAAR_GIT_ALLOW_LOCAL_PATHS`). file://, ext:: and every other
transport are refused.

A name on the list is also checked where it leads, just before each connection
(`check_addresses`): every address it resolves to that is not public (loopback, private,
link-local, reserved) must itself be on the list. So a DNS record changed after its host was
allowed cannot turn the platform against the internal network; an organisation whose git host
is internal lists that host's address too.

The name is resolved once (`checked_addresses`) and the connection goes to the addresses that
were checked, so a zero-TTL answer cannot pass the check and lead elsewhere on a second lookup:
webhooks connect to the address itself (the Host header, TLS SNI and the certificate stay those
of the name), git over http(s) gets it through curl (`http.curloptResolve`). git over ssh cannot
be pinned that way: ssh resolves the name itself, so for ssh the check narrows the window but
cannot close it; allow ssh hosts whose DNS you trust.
"""

import ipaddress
import re
import socket
from pathlib import PurePosixPath
from typing import NoReturn
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from deelbaar.errors import DomainError

# git's scp-like syntax: [user@]host:path, where the host has no slash before the colon.
SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/:\s]+)@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*|/.+)$")
REPOSITORY_SCHEMES = ("https", "ssh")


def host_allowed(host: str) -> bool:
    """Whether `host` is on the allow list: an exact name, or under a ".domain" entry."""
    host = (host or "").strip().rstrip(".").lower()
    if not host:
        return False
    for entry in settings.DEELBAAR_ALLOWED_REMOTE_HOSTS:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


def _refuse(message: str) -> NoReturn:
    raise DomainError(message, field="url", code="remote_refused")


def is_local_path(url: str) -> bool:
    return url.startswith("/")


def check_remote_url(url: str, *, allow_local: bool = False, schemes=REPOSITORY_SCHEMES) -> None:
    """Raise DomainError(field="url") unless the platform may reach `url`.

    `schemes` are the URL schemes accepted (https and ssh for git; a webhook passes its own);
    scp-like addresses (git@host:path) count as ssh. A local path must be absolute and is
    accepted only with `allow_local`.
    """
    url = (url or "").strip()
    _check_characters(url)
    if is_local_path(url):
        _check_local_path(url, allow_local=allow_local)
        return
    scp = SCP_LIKE.match(url)
    if scp and "://" not in url:
        if "ssh" not in schemes:
            _refuse(_("Only these kinds of address are allowed: %(schemes)s.") % _names(schemes))
        _check_host(scp.group("host"))
        return
    _check_address(url, allow_local=allow_local, schemes=schemes)


# What no address may be, whatever its kind, each with why it is refused.
_MALFORMED = (
    (lambda url: not url, lambda: _("Give the address of the repository.")),
    (
        lambda url: any(c.isspace() or ord(c) < 32 for c in url),
        lambda: _("An address contains no spaces or control characters."),
    ),
    # git would read it as an option.
    (lambda url: url.startswith("-"), lambda: _("An address does not start with a hyphen.")),
    # git's remote helpers (ext::, fd::) run commands.
    (
        lambda url: "::" in url.split("/", 1)[0],
        lambda: _("This kind of transport is not allowed."),
    ),
)


def _check_characters(url: str) -> None:
    for malformed, message in _MALFORMED:
        if malformed(url):
            _refuse(message())


def _check_local_path(url: str, *, allow_local: bool) -> None:
    if not allow_local:
        _refuse(_("Local paths are not allowed here; give an https or ssh address."))
    if ".." in PurePosixPath(url).parts:
        _refuse(_("A local path may not contain '..'."))


def _check_address(url: str, *, allow_local: bool, schemes) -> None:
    """An address with a scheme (https://, ssh://): one allowed here, naming a host that may
    be reached."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme or "://" not in url:
        _refuse(
            _("Give an https or ssh address%(local)s.")
            % {"local": _(", or an absolute local path") if allow_local else ""}
        )
    if scheme not in schemes:
        _refuse(_("Only these kinds of address are allowed: %(schemes)s.") % _names(schemes))
    try:
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        _refuse(_("The address is malformed."))
    if not host:
        _refuse(_("The address names no host."))
    _check_host(host)


def refuse_credentials(url: str) -> None:
    """Raise DomainError(field="url", code="credentials") when a repository address carries
    credentials: any user information in an http(s) address (a token may stand in the user
    name), a password in any other, or a query string or fragment in any address but a local
    path (`?token=…`, `#ghp_…`: git has no use for either, and hosts take tokens there). An
    address is shown to everyone who may see the repository; a token goes into the
    repository's write-only access token instead. ssh's user name (ssh://git@host/…,
    git@host:…) is no secret and stays allowed."""
    url = (url or "").strip()
    if not is_local_path(url) and ("?" in url or "#" in url):
        raise DomainError(
            _(
                "The address contains a query string or fragment (a part after ? or #), which "
                "may hold a secret. Give the address without it and put a token in the access "
                "token field instead: the address is shown to everyone who may see the "
                "repository."
            ),
            field="url",
            code="credentials",
        )
    if "://" not in url:
        return  # a local path, or scp-like (whose user part cannot hold a colon)
    try:
        parts = urlsplit(url)
    except ValueError:
        return  # check_remote_url refuses it as malformed
    if "@" not in parts.netloc:
        return
    if parts.scheme.lower() in ("https", "http") or parts.password is not None:
        raise DomainError(
            _(
                "The address contains a user name or password. Give the address without them "
                "and put a token in the access token field instead: the address is shown to "
                "everyone who may see the repository."
            ),
            field="url",
            code="credentials",
        )


def _names(schemes) -> dict:
    return {"schemes": ", ".join(schemes)}


def _check_host(host: str) -> None:
    if not host_allowed(host):
        _refuse(
            _("The platform may not connect to %(host)s: it is not on the list of allowed hosts.")
            % {"host": host}
        )


def host_of(url: str) -> str | None:
    """The host a repository or webhook address connects to; None for a local path."""
    url = (url or "").strip()
    if is_local_path(url):
        return None
    scp = SCP_LIKE.match(url)
    if scp and "://" not in url:
        return scp.group("host")
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _resolve(host: str) -> list[str] | None:
    """The addresses `host` resolves to, in resolution order without repeats; None when it
    does not resolve."""
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = str(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
        if address not in addresses:
            addresses.append(address)
    return addresses


def _internal(addresses) -> list[str]:
    return sorted(
        a for a in addresses if not ipaddress.ip_address(a).is_global and not host_allowed(a)
    )


def internal_addresses(host: str) -> list[str]:
    """The addresses `host` resolves to that are not public and not on the allow list."""
    return _internal(_resolve(host) or [])


def checked_addresses(url: str) -> list[str]:
    """Resolve `url`'s host once and return the addresses to connect to, in resolution order;
    call it right before connecting and connect to these, not to the name.

    Raise DomainError(field="url") when the host resolves to an internal address that is not
    itself allowed, or does not resolve at all (a name that fails now and answers a second
    lookup could lead anywhere). A local path gives [] (nothing to pin); an IP address gives
    itself.
    """
    host = host_of(url)
    if not host:
        return []
    addresses = _resolve(host)
    if not addresses:
        _refuse(_("The host of %(url)s could not be found.") % {"url": url})
    refused = _internal(addresses)
    if refused:
        _refuse(
            _(
                "%(host)s leads to an internal address (%(addresses)s) that is not on the list "
                "of allowed hosts."
            )
            % {"host": host, "addresses": ", ".join(refused)}
        )
    return addresses


def check_addresses(url: str) -> None:
    """`checked_addresses` for a caller that cannot pin the connection to the addresses."""
    checked_addresses(url)


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address((host or "").strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def check_webhook_url(url: str) -> str:
    """Refuse a target the platform may not post to: https only (http too when DEBUG), a host
    on settings.DEELBAAR_ALLOWED_REMOTE_HOSTS (the repositories' check), no credentials."""
    url = (url or "").strip()
    if not url:
        raise DomainError(_("Give the URL to send to."), field="url", code="required")
    check_remote_url(url, schemes=("https", "http") if settings.DEBUG else ("https",))
    try:
        parts = urlsplit(url)
    except ValueError:
        raise DomainError(_("The address is malformed."), field="url", code="invalid") from None
    # Any "@" in the host part, even an empty user (https://:secret@host/): the receiver's
    # credentials belong in its own check of the signature, not in the address. A query string
    # stays allowed (receivers route on it), as only the coordinators see the URL.
    if "@" in parts.netloc:
        raise DomainError(
            _("The URL may not contain a user name or password."),
            field="url",
            code="credentials",
        )
    if len(url) > 500:
        raise DomainError(_("The URL is too long."), field="url", code="max_length")
    return url
