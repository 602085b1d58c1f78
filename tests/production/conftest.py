"""The production stack (tests/production/stack.py), started once for this folder's tests:
two uvicorn processes and a `celery worker --beat`, as docker-compose.yml runs them.

Every test here is marked `production` and needs PostgreSQL and Redis; without them (the
embedded pass) it is skipped, never passed: both are done by tests/conftest.py."""

import pytest

from tests.mailserver import MailServer
from tests.production.receiver import make_certificate
from tests.production.stack import Stack


@pytest.fixture(scope="package")
def certificate(tmp_path_factory):
    """The webhook receiver's certificate, which the worker trusts."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="package")
def mail_server():
    """A real SMTP server on the loopback: the stack's processes send their mails to it."""
    with MailServer() as server:
        yield server


@pytest.fixture(scope="package")
def stack(tmp_path_factory, certificate, mail_server):
    """Package-scoped rather than session-scoped: the worker takes jobs from Celery's default
    queue, and must be gone before other tests of the session queue jobs there."""
    cert_path, _key = certificate
    running = Stack(
        tmp_path_factory.mktemp("stack"),
        extra_env={
            "DEELBAAR_GIT_ALLOW_LOCAL_PATHS": "true",
            "DEELBAAR_ALLOWED_REMOTE_HOSTS": "127.0.0.1",
            "DEELBAAR_GIT_TIMEOUT": "60",
            "SSL_CERT_FILE": str(cert_path),
            # A dead worker's sync lease expires after this (production: 60 s), so the killed
            # sync of test_worker_killed.py is taken over sooner; the sweep runs every half lease.
            "DEELBAAR_SYNC_LEASE_SECONDS": "10",
            # A refused mail's first retry after 2 s instead of 30 (test_mail.py waits for it).
            "DEELBAAR_MAIL_BACKOFF": "2,120,600,3600,21600",
            "EMAIL_URL": mail_server.url,
            "DEFAULT_FROM_EMAIL": "Deelbaar <noreply@deelbaar.test>",
        },
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()
