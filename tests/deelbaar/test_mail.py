"""Outgoing mail (deelbaar/mail.py): queued on commit, sent by a job, retried, never lost.

Sent to a real SMTP server on the loopback (tests/mailserver.py) through Django's SMTP backend;
the jobs run in this process (the embedded mode's way). tests/production/test_mail.py sends
through a real worker process."""

import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone

from deelbaar import mail as mailing
from deelbaar.celery import app as celery_app
from deelbaar.models import MailState, OutgoingMail
from deelbaar.tasks import send_due_mails
from tests.mailserver import MailServer, parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_process():
    """Jobs run at once in this process, on both passes (with Redis they would go to a worker
    that this test does not start)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def smtp(settings):
    with MailServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


def test_a_queued_mail_is_sent_after_the_commit_not_before(
    in_process, smtp, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Deelbaar <noreply@deelbaar.test>"
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            queued = mailing.queue_mail(
                to=["tester@gemeente.test"],
                subject="Een oplevering wacht op uw oordeel",
                text="Platte tekst, met een link: https://deelbaar.test/x",
                html="<p>HTML met <a href='https://deelbaar.test/x'>link</a></p>",
                headers={"List-Unsubscribe": "<https://deelbaar.test/u>"},
            )
            assert smtp.messages == []  # nothing leaves before the commit
        assert smtp.messages == []
    message = smtp.wait_for(1)[0]
    assert message["Subject"] == "Een oplevering wacht op uw oordeel"
    assert message["To"] == "tester@gemeente.test"
    assert message["From"] == "Deelbaar <noreply@deelbaar.test>"
    assert message["List-Unsubscribe"] == "<https://deelbaar.test/u>"
    text, html = parts(message)
    assert "https://deelbaar.test/x" in text
    assert "<a href='https://deelbaar.test/x'>" in html
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (MailState.SENT, 1)
    assert queued.sent_at is not None


def test_a_rolled_back_transaction_sends_nothing(
    in_process, smtp, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        mailing.queue_mail(to=["a@example.test"], subject="s", text="t")
        raise RuntimeError("rolled back")
    assert OutgoingMail.objects.count() == 0
    assert smtp.messages == []


def test_a_header_cannot_inject_another_header(in_process, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    row = mailing.queue_mail(
        to=["a@example.test"],
        subject="hi\nBcc: x@evil.test",
        text="t",
        headers={"X-A": "1\r\nBcc: y"},
    )
    assert "\n" not in row.subject and "\n" not in row.headers["X-A"]


def test_many_mails_are_queued_in_a_constant_number_of_queries(
    in_process, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for count in (5, 50):
        mails = [
            mailing.Mail(to=[f"t{n}@example.test"], subject="s", text="t") for n in range(count)
        ]
        with (
            django_capture_on_commit_callbacks(execute=False),
            django_assert_max_num_queries(1),
        ):
            mailing.queue_mails(mails)
    assert OutgoingMail.objects.count() == 55


def test_the_outbox_gets_text_and_html(in_process, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        mailing.queue_mail(to=["a@example.test"], subject="s", text="plain", html="<b>html</b>")
    [sent] = django_mail.outbox
    assert sent.body == "plain"
    assert sent.alternatives[0][:2] == ("<b>html</b>", "text/html")


def test_a_failed_send_is_retried_with_backoff_then_recorded_as_failed(
    in_process, settings, caplog, django_capture_on_commit_callbacks
):
    with MailServer(reject=True) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        with django_capture_on_commit_callbacks(execute=True):
            row = mailing.queue_mail(to=["a@example.test"], subject="s", text="t")
        row.refresh_from_db()
        assert (row.state, row.attempts) == (MailState.RETRYING, 1)
        assert "554" in row.last_error
        # Not due yet: the sweep leaves it.
        assert send_due_mails.apply().get() == 0
        row.refresh_from_db()
        assert row.attempts == 1
        now = timezone.now()
        with caplog.at_level(logging.WARNING, logger="deelbaar.mail"):
            for wait in mailing.BACKOFF:
                now += timedelta(seconds=wait + 1)
                with time_machine.travel(now, tick=False):
                    send_due_mails.apply()
        row.refresh_from_db()
        assert (row.state, row.attempts) == (MailState.FAILED, mailing.MAX_ATTEMPTS)
        failed_lines = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(failed_lines) == 1 and f"mail {row.pk}" in failed_lines[0].getMessage()
        # A failed mail is not tried again.
        with time_machine.travel(now + timedelta(days=2), tick=False):
            assert send_due_mails.apply().get() == 0
        assert server.messages == []


def test_a_mail_the_server_refused_once_is_sent_by_the_sweep_later(
    in_process, smtp, settings, django_capture_on_commit_callbacks
):
    smtp.reject = True
    with django_capture_on_commit_callbacks(execute=True):
        row = mailing.queue_mail(to=["a@example.test"], subject="later", text="t")
    smtp.reject = False
    with time_machine.travel(timezone.now() + timedelta(seconds=mailing.BACKOFF[0] + 1)):
        assert send_due_mails.apply().get() == 1
    assert smtp.wait_for(1)[0]["Subject"] == "later"
    row.refresh_from_db()
    assert (row.state, row.attempts) == (MailState.SENT, 2)
    # Sent once: the sweep does not send it again.
    assert send_due_mails.apply().get() == 0


def test_a_mail_whose_job_was_lost_is_sent_by_the_sweep(in_process, smtp):
    with transaction.atomic():
        row = mailing.queue_mail(to=["a@example.test"], subject="lost", text="t")
        transaction.set_rollback(False)
    # Its job never ran (no commit callback here: pytest-django's transaction never commits).
    assert send_due_mails.apply().get() == 0  # a queued mail's own job gets a head start
    with time_machine.travel(timezone.now() + mailing.UNCLAIMED_AFTER + timedelta(seconds=1)):
        assert send_due_mails.apply().get() == 1
    assert smtp.wait_for(1)[0]["Subject"] == "lost"
    row.refresh_from_db()
    assert row.state == MailState.SENT


def test_two_attempts_at_once_send_once(in_process, smtp):
    row = mailing.queue_mail(to=["a@example.test"], subject="once", text="t")
    assert mailing.attempt(row.pk).state == MailState.SENT
    assert mailing.attempt(row.pk) is None
    assert len(smtp.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp+tls://u:p@mail.example.test:587", "smtp.EmailBackend mail.example.test 587 True"),
        ("consolemail://", "console.EmailBackend"),
        ("filemail:///tmp/deelbaar-mails", "filebased.EmailBackend /tmp/deelbaar-mails"),
        ("", "filebased.EmailBackend {data}/mail"),
    ],
)
def test_email_url_configures_the_backend(url, expected, tmp_path):
    script = (
        "from django.conf import settings as s; b = s.EMAIL_BACKEND.rsplit('.', 2); "
        "print('.'.join(b[-2:]), "
        "*( [s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS] if 'smtp' in b[-2] else [] ), "
        "*( [s.EMAIL_FILE_PATH] if 'filebased' in b[-2] else [] ))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deelbaar.settings",
        "EMAIL_URL": url,
        "DEELBAAR_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == expected.format(data=tmp_path.resolve())
