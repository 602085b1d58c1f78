"""Outgoing e-mail: queued in the caller's transaction, sent by a background job.

`queue_mail()` (or `queue_mails()` for many at once, in a constant number of queries) writes an
`OutgoingMail` row and, once the transaction commits, queues the `deelbaar.send_mail` job for it;
a request never waits for a mail server. Sending uses Django's mail framework, configured from
`EMAIL_URL` (settings.py).

One attempt: claim it (a conditional update that also takes a lease, so the job, a retry and
the sweep never send the same mail at once), send, record. A failure is logged and retried
after `BACKOFF`; after the last attempt the mail is marked failed and logged as an error, and
stays in the table (and the admin) for someone to look at. With a real worker Celery retries the
job itself while the wait is short; longer waits, and mails whose job was never queued or was
lost, are left to `deelbaar.send_due_mails`, the sweep beat runs every minute (the
`deelbaar send_notifications` command runs it too, for the embedded mode and cron).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from deelbaar.celery import enqueue
from deelbaar.models import MailState, OutgoingMail

logger = logging.getLogger(__name__)

# The wait before each retry (DEELBAAR_MAIL_BACKOFF): by default 30 s, 2 min, 10 min, 1 h,
# 6 h, so at most six attempts over ~7 h.
BACKOFF: tuple[int, ...] = tuple(settings.DEELBAAR_MAIL_BACKOFF)
MAX_ATTEMPTS = len(BACKOFF) + 1
# An attempt that has not recorded its outcome after this long (its worker died) may be made
# again by the sweep.
LEASE = timedelta(minutes=10)
# A queued mail whose job has not claimed it after this long is taken by the sweep (the job was
# never queued, or was lost).
UNCLAIMED_AFTER = timedelta(minutes=2)
ERROR_LIMIT = 1000


@dataclass
class Mail:
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    headers: dict = field(default_factory=dict)


def absolute_url(path: str) -> str:
    """A link for a mail: a path on Deelbaar made whole with DEELBAAR_BASE_URL (mails are read
    outside the request that sent them); a whole URL stays as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.DEELBAAR_BASE_URL}{path}"


def queue_mail(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict | None = None,
) -> OutgoingMail:
    """Send a mail in the background once the current transaction commits (at once outside
    one). `text` is the plain body; `html`, if given, its HTML alternative."""
    return queue_mails([Mail(to=to, subject=subject, text=text, html=html, headers=headers or {})])[
        0
    ]


def queue_mails(mails: Iterable[Mail]) -> list[OutgoingMail]:
    """Queue many mails with one insert; one job per mail, each retried on its own."""
    now = timezone.now()
    rows = [
        OutgoingMail(
            to=list(mail.to),
            from_email=settings.DEFAULT_FROM_EMAIL,
            subject=_one_line(mail.subject),
            text=mail.text,
            html=mail.html or "",
            headers={str(k): _one_line(str(v)) for k, v in (mail.headers or {}).items()},
            next_attempt_at=now,
        )
        for mail in mails
    ]
    for row in rows:
        if not row.to or not all(isinstance(a, str) and "@" in a for a in row.to):
            raise ValueError(f"not a list of addresses: {row.to!r}")
    if not rows:
        return []
    created = OutgoingMail.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    if any(pk is None for pk in ids):  # pragma: no cover - every supported database returns ids
        raise RuntimeError("the database did not return the new mails' ids")
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return created


def _one_line(value: str) -> str:
    # A header (and the subject) never carries a line break: no header injection.
    return " ".join(value.splitlines()).strip()


def _enqueue(ids: list[int]) -> None:
    for pk in ids:
        try:
            enqueue("deelbaar.send_mail", pk)
        except Exception:
            # The broker is away: the mail stays queued and the sweep sends it.
            logger.warning("mail %s: could not queue its job; the sweep will send it", pk)


def attempt(mail_id: int) -> OutgoingMail | None:
    """Make the next attempt at one mail if it is due and nobody else is making it; the mail
    afterwards, or None when there was nothing to do."""
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(
        pk=mail_id,
        state__in=[MailState.QUEUED, MailState.RETRYING],
        next_attempt_at__lte=now,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return None
    mail = OutgoingMail.objects.get(pk=mail_id)
    try:
        message = EmailMultiAlternatives(
            subject=mail.subject,
            body=mail.text,
            from_email=mail.from_email,
            to=mail.to,
            headers=mail.headers,
            connection=get_connection(fail_silently=False),
        )
        if mail.html:
            message.attach_alternative(mail.html, "text/html")
        message.send()
    except Exception as error:
        return _failed(mail, error)
    mail.state = MailState.SENT
    mail.sent_at = timezone.now()
    mail.last_error = ""
    mail.save(update_fields=["state", "sent_at", "last_error"])
    logger.info(
        "mail %s sent to %d recipient(s) (attempt %d)", mail.pk, len(mail.to), mail.attempts
    )
    return mail


def _failed(mail: OutgoingMail, error: Exception) -> OutgoingMail:
    mail.last_error = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
    if mail.attempts >= MAX_ATTEMPTS:
        mail.state = MailState.FAILED
        logger.error(
            "mail %s to %s failed for good after %d attempts: %s",
            mail.pk,
            ", ".join(mail.to),
            mail.attempts,
            mail.last_error,
        )
    else:
        mail.state = MailState.RETRYING
        mail.next_attempt_at = timezone.now() + timedelta(seconds=BACKOFF[mail.attempts - 1])
        logger.warning(
            "mail %s: attempt %d failed, next in %d s: %s",
            mail.pk,
            mail.attempts,
            BACKOFF[mail.attempts - 1],
            mail.last_error,
        )
    mail.save(update_fields=["state", "next_attempt_at", "last_error"])
    return mail


def due_ids(limit: int = 500) -> list[int]:
    now = timezone.now()
    from django.db.models import Q

    due = OutgoingMail.objects.filter(
        Q(state=MailState.RETRYING, next_attempt_at__lte=now)
        | Q(state=MailState.QUEUED, next_attempt_at__lte=now - UNCLAIMED_AFTER)
        # A queued mail whose attempt's lease ran out (its worker died mid-send).
        | Q(state=MailState.QUEUED, attempts__gt=0, next_attempt_at__lte=now)
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def send_due() -> int:
    """Make every attempt that is due; the number of mails sent."""
    sent = 0
    for pk in due_ids():
        mail = attempt(pk)
        if mail is not None and mail.state == MailState.SENT:
            sent += 1
    return sent


def delivery_description() -> str:
    """Where mails go, in words, for `deelbaar demo` to print."""
    backend = settings.EMAIL_BACKEND
    if backend.endswith("filebased.EmailBackend"):
        return f"written as files to {settings.EMAIL_FILE_PATH}"
    if backend.endswith("console.EmailBackend"):
        return "printed on this console"
    if backend.endswith("smtp.EmailBackend"):
        return f"sent through the SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return f"handed to {backend}"
