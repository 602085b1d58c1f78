"""The allow list of remote hosts for repositories (shared with webhook targets)."""

import socket

import pytest

from deelbaar.errors import DomainError
from integrations import remote
from integrations.remote import (
    check_addresses,
    check_remote_url,
    checked_addresses,
    host_allowed,
    internal_addresses,
)


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["github.com", ".gitlab.example.org"]


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/vng/sub.git",
        "ssh://git@github.com/vng/sub.git",
        "git@github.com:vng/sub.git",
        "https://gitlab.example.org/a/b.git",
        "https://code.gitlab.example.org/a/b.git",
        "ssh://git@GitHub.com:22/vng/sub.git",
    ],
)
def test_allowed(url):
    check_remote_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/sub.git",
        "https://github.com.evil.org/sub.git",
        "https://notgitlab.example.org/sub.git",
        "http://github.com/vng/sub.git",
        "file:///etc/passwd",
        "ext::sh -c touch% /tmp/pwned",
        "fd::17",
        "git://github.com/vng/sub.git",
        "git@169.254.169.254:meta",
        "https://127.0.0.1/sub.git",
        "--upload-pack=touch /tmp/x",
        "/srv/git/sub.git",
        "relative/path",
        "",
        "https://github.com:notaport/x",
    ],
)
def test_refused(url):
    with pytest.raises(DomainError) as error:
        check_remote_url(url)
    assert error.value.field == "url"


def test_local_paths_only_when_allowed():
    check_remote_url("/srv/git/sub.git", allow_local=True)
    with pytest.raises(DomainError):
        check_remote_url("/srv/git/../../etc", allow_local=True)
    with pytest.raises(DomainError):
        check_remote_url("file:///srv/git/sub.git", allow_local=True)


def test_other_schemes_on_request():
    check_remote_url("https://github.com/hook", schemes=("https",))
    with pytest.raises(DomainError):
        check_remote_url("git@github.com:vng/sub.git", schemes=("https",))


def test_host_allowed():
    assert host_allowed("gitlab.example.org")
    assert host_allowed("GITHUB.COM.")
    assert not host_allowed("")
    assert not host_allowed("xgithub.com")


# --- Where an allowed name leads ---------------------------------------------------------------
def test_allowed_name_leading_to_loopback_is_refused(settings):
    """A name on the list whose DNS points inside (as after a rebinding) is refused right
    before connecting, unless its addresses are on the list too."""
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["localhost"]
    check_remote_url("https://localhost/sub.git")  # the name itself is allowed
    assert "127.0.0.1" in internal_addresses("localhost")
    with pytest.raises(DomainError) as refused:
        check_addresses("https://localhost/sub.git")
    assert refused.value.field == "url"
    assert "internal address" in str(refused.value.message)
    assert "127.0.0.1" in str(refused.value.message)

    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["localhost", "127.0.0.1", "::1"]
    check_addresses("https://localhost/sub.git")
    check_addresses("git@localhost:sub.git")


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "192.168.0.1", "169.254.169.254", "127.0.0.2", "fd00::1", "::1"]
)
def test_internal_address_literals_must_be_listed_themselves(settings, address):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = [".example.org"]
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(DomainError):
        check_addresses(f"https://{host}/x")
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = [address]
    check_addresses(f"https://{host}/x")


def test_public_and_unresolvable_names_and_local_paths_pass_the_address_check():
    assert internal_addresses("8.8.8.8") == []
    assert internal_addresses("nowhere.invalid") == []  # the connection will say so
    check_addresses("/srv/git/sub.git")


# --- The addresses to connect to ---------------------------------------------------------------
def test_checked_addresses_are_what_the_one_lookup_gave_in_order(settings, monkeypatch):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["git.example.org", "10.0.0.5"]
    looked_up = []

    def getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0))
            for a in ("8.8.4.4", "10.0.0.5", "8.8.4.4")
        ]

    monkeypatch.setattr(remote.socket, "getaddrinfo", getaddrinfo)
    assert checked_addresses("https://git.example.org/a.git") == ["8.8.4.4", "10.0.0.5"]
    assert looked_up == ["git.example.org"]


def test_checked_addresses_refuse_as_the_check_does(settings):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["localhost"]
    with pytest.raises(DomainError, match="internal address"):
        checked_addresses("https://localhost/sub.git")
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["nowhere.invalid"]
    with pytest.raises(DomainError, match="could not be found") as refused:
        checked_addresses("https://nowhere.invalid/sub.git")
    assert refused.value.field == "url"


def test_checked_addresses_of_literals_and_local_paths(settings):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["127.0.0.1", "::1"]
    assert checked_addresses("https://127.0.0.1/x") == ["127.0.0.1"]
    assert checked_addresses("https://[::1]:8443/x") == ["::1"]
    assert checked_addresses("/srv/git/sub.git") == []
