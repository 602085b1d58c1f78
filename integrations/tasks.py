"""Every background job of the integrations, in the one module Celery's autodiscovery imports
(`app.autodiscover_tasks()` loads each app's `tasks.py` and nothing else): a job defined
elsewhere is unknown to a real `celery -A deelbaar worker`, which then drops it as an
unregistered task. tests/production/test_registered_tasks.py compares a real worker's
registered jobs with every job the code defines.

The jobs' bodies live in the services and the delivery, which this module imports; they queue a
job by its name (`deelbaar.celery.enqueue`) and never import this module, so the modules of the
app import each other without a cycle (.importlinter).

Outgoing webhooks: `integrations.deliver_webhook` makes one attempt. With a real worker a failed
attempt whose wait (`integrations.delivery.BACKOFF`) fits well inside the broker's visibility
timeout is retried by Celery itself (`self.retry(countdown=...)`); longer waits are left to
`integrations.deliver_due_webhooks`, the sweep over deliveries whose `next_attempt_at` has
passed, which beat runs every minute: a message held by a worker for longer than the visibility
timeout would be handed out again meanwhile. In the embedded mode jobs run eagerly, in the
request that committed the event, and every retry is left to the sweep (the `deelbaar
deliver_webhooks` command there). Every attempt first claims its number, so no attempt is ever
sent twice.
"""

from celery import shared_task
from django.conf import settings

from integrations import delivery as sending
from integrations.services import releases, repositories

# No job's result is read: the database records what each did. Not storing results also keeps
# queueing a job from waiting on the result store when Redis is down.


# acks_late with reject_on_worker_lost: a sync whose worker process died is handed to another
# worker instead of being lost; the sync's lease (see services/repositories.py) keeps a
# redelivered job from running beside one that is still alive.
@shared_task(
    name="integrations.sync_repository",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def sync_repository(repository_id: int, requested_by: int | None = None) -> str:
    """Sync the repository's mirror and import its new commits (see the service)."""
    return repositories.sync_repository(repository_id, requested_by=requested_by)


@shared_task(name="integrations.recover_stalled_syncs", ignore_result=True)
def recover_stalled_syncs() -> int:
    """Queue a sync again for every repository whose sync lost its worker (no heartbeat within
    the lease); beat runs it every half lease."""
    return repositories.recover_stalled_syncs()


def _retried_by_celery(countdown: float) -> bool:
    # Half the visibility timeout: the message is then acked long before Redis hands it out
    # again.
    return countdown <= settings.CELERY_VISIBILITY_TIMEOUT / 2


@shared_task(
    bind=True,
    name="integrations.deliver_webhook",
    max_retries=len(sending.BACKOFF),
    ignore_result=True,
)
def deliver_webhook(self, delivery_id: int, expected_attempts: int | None = None) -> str:
    delivery = sending.attempt(delivery_id, expected_attempts=expected_attempts)
    if delivery is None:
        return "skipped"
    if delivery.state == "retrying" and not self.request.is_eager:
        countdown = sending.BACKOFF[delivery.attempts - 1]
        if _retried_by_celery(countdown):
            raise self.retry(args=(delivery_id, delivery.attempts), countdown=countdown)
    return delivery.state


@shared_task(name="integrations.deliver_due_webhooks", ignore_result=True)
def deliver_due_webhooks() -> int:
    """Make every attempt that is due; beat runs it every minute."""
    return sending.deliver_due()


@shared_task(name="integrations.tag_release", ignore_result=True)
def tag_release(release_id: int) -> str | None:
    """Tag the release in its product's repository (see integrations/services/releases.py)."""
    tag = releases.tag_release(release_id)
    return tag.name if tag is not None else None
