"""Background jobs of the project itself."""

import socket

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from deelbaar import mail as mailing
from deelbaar.models import MailState


@shared_task(name="deelbaar.ping")
def ping() -> dict:
    """Answer from whichever process runs the job: proof that a worker picks jobs up."""
    return {"pong": True, "host": socket.gethostname(), "at": timezone.now().isoformat()}


@shared_task(name="deelbaar.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Remove expired sessions (daily, on the beat schedule in settings)."""
    call_command("clearsessions")


def _retried_by_celery(countdown: float) -> bool:
    # As the webhook deliveries (integrations/tasks.py): a wait longer than half the broker's
    # visibility timeout is left to the sweep, or Redis would hand the message out again.
    return countdown <= settings.CELERY_VISIBILITY_TIMEOUT / 2


@shared_task(bind=True, name="deelbaar.send_mail", max_retries=8, ignore_result=True)
def send_mail(self, mail_id: int) -> str:
    """One attempt at an outgoing mail (deelbaar/mail.py); a failed one is retried after its
    backoff, by Celery when the wait is short, else by the sweep. In the embedded mode every
    retry is the sweep's (the `deelbaar send_notifications` command)."""
    sent = mailing.attempt(mail_id)
    if sent is None:
        return "skipped"
    if sent.state == MailState.RETRYING and not self.request.is_eager:
        countdown = mailing.BACKOFF[sent.attempts - 1]
        if _retried_by_celery(countdown):
            raise self.retry(args=(mail_id,), countdown=countdown)
    return sent.state


@shared_task(name="deelbaar.send_due_mails", ignore_result=True)
def send_due_mails() -> int:
    """Send every mail whose (next) attempt is due; beat runs it every minute."""
    return mailing.send_due()
