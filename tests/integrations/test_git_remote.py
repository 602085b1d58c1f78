"""The allow list of remote hosts for repositories (shared with webhook targets)."""

import pytest

from deelbaar.errors import DomainError
from integrations.remote import check_remote_url, host_allowed


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
