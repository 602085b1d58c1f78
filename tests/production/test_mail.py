"""A mail queued by a web-side process is sent by the real worker to a real SMTP server.

The stack's processes get EMAIL_URL pointing at the package's `mail_server` (conftest.py). The
mail is queued by a `deelbaar shell` process (as a view would, in a transaction); the job goes
through Redis to the `celery worker` process, which sends it."""

import requests

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
    # Celery's own retry, after the first backoff (DEELBAAR_MAIL_BACKOFF: 2 s in the stack).
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


NOTIFY = """
import time
from django.db import transaction
from notifications.models import Kind
from notifications.services import notify
from sprints.models import TeamMember, TeamRole
member = TeamMember.objects.select_related("product", "user").filter(role=TeamRole.TESTER).first()
member.user.email = "{email}"
member.user.save(update_fields=["email"])
def once():
    started = time.monotonic()
    with transaction.atomic():
        notify(
            kind=Kind.VERDICT_REQUESTED,
            recipient_ids=[member.user.pk],
            cooperative_id=member.product.cooperative_id,
            subject=member.product,
            params={{"version": "9.9.9", "product": member.product.name, "deadline": "2030-01-01"}},
            url="/products/%d/" % member.product.pk,
        )
    return time.monotonic() - started
once()  # the first loads templates and translations and connects to Redis
elapsed = once()
print(member.user.pk, member.product.pk, round(elapsed, 3))
"""


def test_a_notification_is_mailed_by_the_worker_and_its_unsubscribe_link_works(stack, mail_server):
    # A slow mail server: the transaction that makes the notification does not wait for it.
    mail_server.slow_for["tester-p3@gemeente.test"] = 10
    try:
        output = stack.manage("shell", "-c", NOTIFY.format(email="tester-p3@gemeente.test"))
        person_id, product_id, elapsed = output.strip().splitlines()[-1].split()
        # Each mail takes the server 10 s; the transaction (and its commit) took far less.
        assert float(elapsed) < 8, elapsed
        message, _second = mail_server.wait_for(
            2, timeout=120, where=lambda m: m["To"] == "tester-p3@gemeente.test"
        )
    finally:
        mail_server.slow_for.clear()
    text, html = parts(message)
    link = f"http://127.0.0.1:8000/products/{product_id}/"
    assert link in text and f'href="{link}"' in html
    assert "9.9.9" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # (A long header arrives folded: one space after the colon, or a line break.)
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe in text
    path = unsubscribe.removeprefix("http://127.0.0.1:8000")
    # One click, as a mail program sends it: no session, no CSRF token.
    answer = requests.post(stack.url(0, path), timeout=30)
    assert answer.status_code == 200, answer.text[:500]
    rows = stack.query(
        "SELECT person_id, kind, channel FROM notifications_preference WHERE person_id = %s",
        (int(person_id),),
    )
    assert rows == [(int(person_id), "verdict_requested", "off")]
    # A token changed by hand does nothing.
    forged = path.replace("/unsubscribe/", "/unsubscribe/x")
    assert requests.post(stack.url(0, forged), timeout=30).status_code == 404
