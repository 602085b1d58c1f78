"""Connections go where the address check said, and nowhere else: git follows no http
redirect, and git over http(s) and webhooks connect to the addresses that were checked rather
than looking the name up a second time (DNS rebinding between check and connect).

The git tests use plain http servers on 127.0.0.1. Repositories may only be linked over https
or ssh (REPOSITORY_SCHEMES), so they call integrations.git.update_mirror and the release tag
push directly: that bypasses check_remote_url, but not the address check and pinning, which
are what is tested here."""

import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import git
import pytest

from integrations import git as mirrors
from integrations.models import DeliveryState
from integrations.services import releases
from tests.integrations.test_webhooks import Receiver, send, subscribe

REAL_GETADDRINFO = socket.getaddrinfo


class Server:
    """An HTTP server on 127.0.0.1 that records each request's path and Host header."""

    def __init__(self, handler_class):
        self.requests = []
        server = self

        class Recording(handler_class):
            def log_request(self, *args):
                server.requests.append((self.path, self.headers.get("Host")))

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def redirecting_to(target: str):
    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_GET

    return Redirect


class Answers404(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET


@pytest.fixture
def servers():
    made = []

    def make(handler_class):
        made.append(Server(handler_class))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.fixture
def mirrors_dir(settings, tmp_path):
    settings.DEELBAAR_GIT_MIRRORS_DIR = tmp_path / "mirrors"
    settings.DEELBAAR_GIT_TIMEOUT = 20


@pytest.fixture
def work(work):
    work.commit("one")
    return work


@pytest.fixture
def resolver(monkeypatch):
    """A fake DNS for names under .test: `answers[name]` is a list of addresses per lookup
    (the last repeats); everything else resolves for real. `asked[name]` counts lookups."""

    class Resolver:
        answers = {}
        asked = {}

        def getaddrinfo(self, host, port, *args, **kwargs):
            name = str(host).lower()
            if name not in self.answers:
                return REAL_GETADDRINFO(host, port, *args, **kwargs)
            self.asked[name] = self.asked.get(name, 0) + 1
            script = self.answers[name]
            address = script[min(self.asked[name], len(script)) - 1]
            return REAL_GETADDRINFO(address, port, *args, **kwargs)

    fake = Resolver()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


# --- Redirects ---------------------------------------------------------------------------------
def test_git_refuses_redirects():
    assert "http.followRedirects=false" in mirrors.SAFE_CONFIG


@pytest.mark.parametrize("first", ["clone", "fetch"])
def test_a_fetch_redirected_elsewhere_fails_without_reaching_it(
    settings, mirrors_dir, servers, work, first
):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["127.0.0.1"]
    inside = servers(Answers404)
    allowed = servers(redirecting_to(f"http://127.0.0.1:{inside.port}"))
    if first == "fetch":
        mirrors.update_mirror(1, str(work.path))  # a mirror exists: the next update fetches

    with pytest.raises(mirrors.GitFailure):
        mirrors.update_mirror(1, f"http://127.0.0.1:{allowed.port}/x.git")

    assert allowed.requests[0][0] == "/x.git/info/refs?service=git-upload-pack"
    assert inside.requests == []


def test_a_tag_push_redirected_elsewhere_stays_local(settings, mirrors_dir, servers, work):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["127.0.0.1"]
    inside = servers(Answers404)
    allowed = servers(redirecting_to(f"http://127.0.0.1:{inside.port}"))
    path = mirrors.update_mirror(1, str(work.path))
    with git.Repo(path) as repo:
        repo.create_tag("v1.0.0", ref=work.repo.head.commit.hexsha)

    repository = SimpleNamespace(
        url=f"http://127.0.0.1:{allowed.port}/x.git", access_username="", access_token=""
    )
    assert not releases._push(path, repository, "v1.0.0")
    assert allowed.requests[0][0] == "/x.git/info/refs?service=git-receive-pack"
    assert inside.requests == []


# --- Pinning git to the checked addresses ------------------------------------------------------
@pytest.mark.parametrize(
    "url, addresses, expected",
    [
        (
            "https://git.example.org/a/b.git",
            ["192.0.2.7"],
            ["-c", "http.curloptResolve=git.example.org:443:192.0.2.7"],
        ),
        (
            "https://Git.Example.org:8443/a/b.git",
            ["192.0.2.7", "2001:db8::7"],
            ["-c", "http.curloptResolve=git.example.org:8443:192.0.2.7,[2001:db8::7]"],
        ),
        (
            "http://git.example.org/a.git",
            ["192.0.2.7"],
            ["-c", "http.curloptResolve=git.example.org:80:192.0.2.7"],
        ),
        ("ssh://git@git.example.org/a.git", ["192.0.2.7"], []),  # ssh resolves by itself
        ("git@git.example.org:a.git", ["192.0.2.7"], []),
        ("https://192.0.2.7/a.git", ["192.0.2.7"], []),  # nothing to look up
        ("/srv/git/a.git", [], []),
    ],
)
def test_pin_config(url, addresses, expected):
    assert mirrors.pin_config(url, addresses) == expected


def test_git_connects_to_the_checked_address_not_to_a_new_lookup(
    settings, mirrors_dir, servers, work, resolver
):
    """pinned.test resolves (in this process only) to 127.0.0.1 for the check; git's own
    lookup would find nothing (.test is reserved), so the clone can only succeed when curl is
    told the checked address."""
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["pinned.test", "127.0.0.1"]
    bare = work.path.parent / "served" / "x.git"
    subprocess.run(["git", "clone", "--bare", "--quiet", str(work.path), str(bare)], check=True)
    subprocess.run(["git", "update-server-info"], cwd=bare, check=True)

    class Files(SimpleHTTPRequestHandler):  # git's "dumb" http: plain files, no query
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(bare.parent), **kwargs)

    served = servers(Files)
    resolver.answers["pinned.test"] = ["127.0.0.1", "10.0.0.1"]

    path = mirrors.update_mirror(1, f"http://pinned.test:{served.port}/x.git")

    assert mirrors.branch_head(path, "main") == work.repo.head.commit.hexsha
    assert served.requests
    assert {host for _path, host in served.requests} == {f"pinned.test:{served.port}"}
    assert resolver.asked["pinned.test"] == 1


def test_pinned_git_still_refuses_a_name_leading_inside(settings, mirrors_dir, resolver):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["pinned.test"]
    resolver.answers["pinned.test"] = ["169.254.169.254"]
    with pytest.raises(mirrors.GitFailure, match="internal address"):
        mirrors.update_mirror(1, "https://pinned.test/x.git")


def test_a_name_that_does_not_resolve_is_not_fetched(settings, mirrors_dir):
    """A name that fails the check's lookup is not handed to git to look up again."""
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["nowhere.invalid"]
    with pytest.raises(mirrors.GitFailure, match="could not be found"):
        mirrors.update_mirror(1, "https://nowhere.invalid/x.git")
    assert not mirrors.mirror_path(1).exists()


# --- Pinning webhooks to the checked addresses -------------------------------------------------
@pytest.fixture
def webhooks(settings):
    settings.DEBUG = True  # http to the loopback receiver
    settings.DEELBAAR_WEBHOOK_TIMEOUT = 0.5
    from deelbaar.celery import app as celery_app

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield settings
    celery_app.conf.task_always_eager = before


@pytest.fixture
def receiver():
    made = []
    yield lambda: made.append(Receiver()) or made[-1]
    for r in made:
        r.close()


@pytest.mark.django_db
def test_a_webhook_for_localhost_goes_to_the_checked_address(
    webhooks, coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver()
    webhooks.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["localhost", "127.0.0.1"]
    url = server.url.replace("127.0.0.1", "localhost")
    subscribe(coordinator, zob, url)
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    assert delivery.state == DeliveryState.DELIVERED
    [request] = server.requests
    assert request["headers"]["host"] == f"localhost:{server.server.server_address[1]}"


@pytest.mark.django_db
def test_a_webhook_goes_to_the_checked_address_even_when_the_name_now_leads_elsewhere(
    webhooks, coordinator, zob, receiver, resolver, django_capture_on_commit_callbacks
):
    """The check sees 127.0.0.1 (allowed); a second lookup would say 10.0.0.1 (never allowed,
    and nothing answers there). The delivery reaches the receiver: there is no second lookup."""
    server = receiver()
    port = server.server.server_address[1]
    webhooks.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["rebind.test", "127.0.0.1"]
    resolver.answers["rebind.test"] = ["127.0.0.1", "10.0.0.1"]
    subscribe(coordinator, zob, f"http://rebind.test:{port}/hooks")

    [delivery] = send(django_capture_on_commit_callbacks, zob)

    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    [request] = server.requests
    assert request["headers"]["host"] == f"rebind.test:{port}"
    assert resolver.asked["rebind.test"] == 1


@pytest.mark.django_db
def test_a_webhook_to_a_name_that_does_not_resolve_is_not_sent(
    webhooks, coordinator, zob, django_capture_on_commit_callbacks
):
    webhooks.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["nowhere.invalid"]
    subscribe(coordinator, zob, "http://nowhere.invalid/hooks")
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    assert delivery.state == DeliveryState.RETRYING
    assert "could not be found" in delivery.last_error


def _certificate(tmp_path, name: str):
    """A self-signed certificate for `name` (only), as (cert, key) paths."""
    cert, key = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.django_db
@pytest.mark.parametrize(
    "certificate_for, delivered", [("rebind.test", True), ("other.test", False)]
)
def test_a_pinned_https_webhook_checks_the_certificate_of_the_name(
    webhooks,
    coordinator,
    zob,
    receiver,
    resolver,
    tmp_path,
    monkeypatch,
    certificate_for,
    delivered,
    django_capture_on_commit_callbacks,
):
    """Connected to 127.0.0.1, TLS still sends and verifies the name: a certificate for
    rebind.test is accepted, one for another name is not (nor would one for 127.0.0.1 be)."""
    cert, key = _certificate(tmp_path, certificate_for)
    server = receiver()
    serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serving.load_cert_chain(cert, key)
    server.server.socket = serving.wrap_socket(server.server.socket, server_side=True)
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(ssl, "_create_default_https_context", lambda: trusting)
    port = server.server.server_address[1]
    webhooks.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["rebind.test", "127.0.0.1"]
    resolver.answers["rebind.test"] = ["127.0.0.1", "10.0.0.1"]
    subscribe(coordinator, zob, f"https://rebind.test:{port}/hooks")

    [delivery] = send(django_capture_on_commit_callbacks, zob)

    if delivered:
        assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
        assert server.requests[0]["headers"]["host"] == f"rebind.test:{port}"
    else:
        assert delivery.state == DeliveryState.RETRYING
        assert "certificate" in delivery.last_error.lower()
        assert server.requests == []
