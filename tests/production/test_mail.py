"""A mail queued by a web-side process is sent by the real worker to a real SMTP server.

The stack's processes get EMAIL_URL pointing at the package's `mail_server` (conftest.py). The
mail is queued by a `deelbaar shell` process (as a view would, in a transaction); the job goes
through Redis to the `celery worker` process, which sends it."""

from tests.mailserver import parts
from tests.production.stack import wait_until

QUEUE = """
from django.db import transaction
from deelbaar.mail import queue_mail
with transaction.atomic():
    mail = queue_mail(
        to=["tester@gemeente.test"],
        subject="Via de worker {marker}",
        text="Zie https://deelbaar.test/o/1",
        html="<p><a href='https://deelbaar.test/o/1'>open</a></p>",
        headers={{"List-Unsubscribe": "<https://deelbaar.test/u/{marker}>"}},
    )
print(mail.pk)
"""


def test_a_queued_mail_is_sent_by_the_worker(stack, mail_server):
    marker = "p1"
    pk = int(stack.manage("shell", "-c", QUEUE.format(marker=marker)).strip().splitlines()[-1])
    [message] = mail_server.wait_for(
        1, timeout=60, where=lambda m: m["Subject"] == f"Via de worker {marker}"
    )
    assert message["From"] == "Deelbaar <noreply@deelbaar.test>"
    assert message["List-Unsubscribe"] == f"<https://deelbaar.test/u/{marker}>"
    text, html = parts(message)
    assert "https://deelbaar.test/o/1" in text and "href='https://deelbaar.test/o/1'" in html
    attempts = wait_until(
        lambda: stack.query(
            "SELECT attempts FROM deelbaar_outgoingmail WHERE id = %s AND state = 'sent'", (pk,)
        ),
        timeout=30,
        what="the mail recorded as sent",
        stack=stack,
    )
    assert attempts == [(1,)]
    assert "deelbaar.send_mail" in stack.worker.log()


def test_a_refused_mail_is_retried_by_the_worker_and_then_sent(stack, mail_server):
    mail_server.reject = True
    try:
        pk = int(stack.manage("shell", "-c", QUEUE.format(marker="p2")).strip().splitlines()[-1])
        wait_until(
            lambda: stack.query(
                "SELECT 1 FROM deelbaar_outgoingmail WHERE id = %s AND state = 'retrying'", (pk,)
            ),
            timeout=60,
            what="the refused mail waiting for its retry",
            stack=stack,
        )
    finally:
        mail_server.reject = False
    # Celery's own retry, after the first backoff (30 s).
    mail_server.wait_for(1, timeout=90, where=lambda m: m["Subject"] == "Via de worker p2")
    wait_until(
        lambda: stack.query(
            "SELECT attempts FROM deelbaar_outgoingmail WHERE id = %s AND state = 'sent'", (pk,)
        ),
        timeout=30,
        what="the mail recorded as sent on its second attempt",
        stack=stack,
    )
    assert stack.query("SELECT attempts FROM deelbaar_outgoingmail WHERE id = %s", (pk,)) == [(2,)]
