"""People tests reuse the cooperative and sprints worlds (built through the services).

Eva applied for Eindhoven, so she is its first admin; Maarten applied for MijnGemeenteDichtbij
(mgd), so he is its admin. Mails are sent by jobs run in this process (the embedded mode's way,
on both passes) to Django's test outbox, or to a real SMTP server where a test says so.
"""

import pytest
from django.core import mail as django_mail

from deelbaar.celery import app as celery_app


@pytest.fixture(autouse=True)
def mails_in_process(settings):
    """Jobs (the mail queue's) run at once here, also on the Redis pass, where they would go to
    a worker this test does not start."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEELBAAR_BASE_URL = "https://deelbaar.test"
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def outbox():
    django_mail.outbox = []
    return django_mail.outbox


def link_in(message) -> str:
    """The invitation link in a mail's text (its path, to open with the test client)."""
    for word in message.body.split():
        if "/invitations/accept/" in word:
            return word.removeprefix("https://deelbaar.test")
    raise AssertionError(f"no invitation link in {message.body!r}")


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]
