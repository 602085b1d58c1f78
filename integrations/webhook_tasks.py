"""Background jobs of the outgoing webhooks.

`integrations.deliver_webhook` makes one attempt. With a real worker (REDIS_URL) a failed
attempt is retried by Celery itself: `self.retry(countdown=...)` after the backoff of
`integrations.delivery.BACKOFF`. In the embedded mode tasks run eagerly, in the request that
committed the event: the first attempt is made there, inline, but an eager retry would block
the request for hours, so retries are left to `integrations.deliver_due_webhooks` (also the
`deelbaar deliver_webhooks` command), a sweep over deliveries whose `next_attempt_at` has
passed; schedule it every minute (celery beat or cron). The sweep is harmless beside a worker:
every attempt first claims its number, so no attempt is ever sent twice.
"""

from celery import shared_task

from integrations import delivery as sending


@shared_task(bind=True, name="integrations.deliver_webhook", max_retries=len(sending.BACKOFF))
def deliver_webhook(self, delivery_id: int, expected_attempts: int | None = None) -> str:
    delivery = sending.attempt(delivery_id, expected_attempts=expected_attempts)
    if delivery is None:
        return "skipped"
    if delivery.state == "retrying" and not self.request.is_eager:
        raise self.retry(
            args=(delivery_id, delivery.attempts),
            countdown=sending.BACKOFF[delivery.attempts - 1],
        )
    return delivery.state


@shared_task(name="integrations.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    """Make every attempt that is due; schedule it every minute."""
    return sending.deliver_due()
