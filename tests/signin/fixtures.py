"""A real OpenID Connect provider process (tests/signin/provider.py) and Deelbaar configured
to use it, plus helpers that walk a person through sign-in as a browser would."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from signin import oidc

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "deelbaar-test"
CLIENT_SECRET = "provider-test-secret"


def free_port() -> int:
    """A port the system has free now, for the provider process to listen on. The system hands
    out its ephemeral ports in turn, so parallel test workers are not given the same one, as
    they could be when each probed a fixed range for the first free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Provider:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"}  # plain http on the loopback
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.signin.provider",
                "--port",
                str(self.port),
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{self.url}/.well-known/openid-configuration", timeout=1)
                return
            except requests.ConnectionError as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    problem = self.process.stderr.read()
                    raise RuntimeError(f"the provider did not start: {problem}") from error
                time.sleep(0.1)

    def tamper(self, on: bool = True):
        requests.post(f"{self.url}/test/tamper", data={"on": str(on).lower()}, timeout=5)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def provider():
    running = Provider()
    yield running
    running.stop()


@pytest.fixture
def identity_provider(settings, provider):
    """Deelbaar configured (as from the environment) to sign in with the test provider."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = provider.url
    oidc._discover.cache_clear()
    provider.tamper(False)
    yield provider
    provider.tamper(False)
    oidc._discover.cache_clear()


def sign_in_at_provider(client, provider, email, *, verified=True, next_url="/", **headers):
    """Start at Deelbaar's button, sign in on the provider's page, follow it back to Deelbaar.

    Returns Deelbaar's answer to the provider's redirect (the callback).
    """
    start = client.get("/accounts/oidc/authenticate/", {"next": next_url}, **headers)
    assert start.status_code == 302, start.content[:300]
    location = start["Location"]
    assert location.startswith(f"{provider.url}/authorize?")
    assert requests.get(location, timeout=10).status_code == 200  # the provider's sign-in page
    form = {"email": email}
    if verified:
        form["email_verified"] = "true"
    answer = requests.post(location, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/accounts/oidc/callback/"
    return client.get(f"{back.path}?{back.query}", **headers)
