"""Outgoing webhooks with a real Celery worker on Redis: a failed attempt is retried by Celery
itself (`self.retry(countdown=BACKOFF[...])`), not by the sweep. The eager path is in
test_webhooks.py; this is the worker-mode path, which only runs where REDIS_URL is set."""

import time
import uuid

import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections
from standardwebhooks.webhooks import Webhook

from deelbaar.celery import app as celery_app
from integrations import delivery as sending
from integrations.dispatch import emit
from integrations.models import DeliveryState, WebhookDelivery
from integrations.services import webhooks as services
from integrations.tasks import deliver_webhook
from tests.integrations.test_webhooks import Receiver

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# Short waits, but the first long enough that the test can tell Celery waited for it.
BACKOFF = (0.5, 0.2, 0.2, 0.2, 0.2, 0.2)


@pytest.fixture
def webhook_settings(settings):
    settings.DEBUG = True  # http to the loopback receiver
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["127.0.0.1"]
    settings.DEELBAAR_WEBHOOK_TIMEOUT = 2
    return settings


@pytest.fixture
def worker_queue(monkeypatch):
    """A Celery worker in this process, on Redis, consuming a queue of this test's own, to
    which the delivery job is routed: parallel or repeated runs on the same Redis do not take
    each other's jobs."""
    assert not celery_app.conf.task_always_eager, "REDIS_URL should turn eager mode off"
    queue = f"test-webhooks-{uuid.uuid4().hex[:10]}"
    task = celery_app.tasks[deliver_webhook.name]
    monkeypatch.setattr(task, "queue", queue, raising=False)
    monkeypatch.setattr(task, "_exec_options", None)  # the cached options hold the queue
    # Keep pytest's log capture: the worker would otherwise take over the root logger.
    monkeypatch.setitem(celery_app.conf, "worker_hijack_root_logger", False)

    def close_connections(**kwargs):
        # The worker thread's own database connections: closed after each job, so none is
        # left open on the test database when it is flushed or dropped.
        connections.close_all()

    signals.task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            queues=[queue],
            perform_ping_check=False,
            shutdown_timeout=30,
        ):
            yield queue
    finally:
        signals.task_postrun.disconnect(close_connections)
        # The queue's own keys (its list and kombu's bindings) would otherwise pile up.
        with redis.Redis.from_url(settings.REDIS_URL) as client:
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def wait_for(delivery_id, states, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        if delivery.state in states:
            return delivery
        time.sleep(0.05)
    raise AssertionError(f"delivery {delivery_id} still {delivery.state} after {timeout} s")


def test_a_worker_retries_a_500_after_the_backoff_and_delivers(
    webhook_settings, worker_queue, monkeypatch, coordinator, zob
):
    monkeypatch.setattr(sending, "BACKOFF", BACKOFF)
    receiver = Receiver(script=(500, 200))
    try:
        subscription = services.create_subscription(
            actor=coordinator, cooperative=zob, url=receiver.url, events=["release.published"]
        )
        # Committed for real: the job is sent to the worker after the commit.
        [delivery] = emit("release.published", cooperative=zob, data={"id": 3, "version": "1.2.0"})

        delivery = wait_for(delivery.pk, {DeliveryState.DELIVERED, DeliveryState.FAILED})
        # Nothing more may come after the delivery: no third attempt.
        time.sleep(max(BACKOFF) * 2)
        delivery.refresh_from_db()
    finally:
        receiver.close()

    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.attempts == 2
    assert delivery.last_status_code == 200
    assert delivery.next_attempt_at is None
    log = list(delivery.log.order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 200)]
    # The retry waited for BACKOFF[0], which only the worker's countdown makes it do.
    assert (log[1].at - log[0].at).total_seconds() >= BACKOFF[0]

    assert len(receiver.requests) == 2
    verifier = Webhook(subscription.secret)
    for request in receiver.requests:
        payload = verifier.verify(request["body"], request["headers"])
        assert payload["data"] == {"id": 3, "version": "1.2.0"}
        assert request["headers"]["webhook-id"] == delivery.message_id
    # The same message both times, signed again for its attempt.
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
