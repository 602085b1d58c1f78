"""Outgoing webhooks against a real HTTP server on 127.0.0.1: signatures, retries with backoff,
timeouts, failure after the last attempt, redelivery, the allow list, rollback, and the
platform's own events turned into deliveries."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from cooperative import services as cooperative_services
from deelbaar.celery import app as celery_app
from deelbaar.errors import DomainError, NotAllowed
from integrations import delivery as sending
from integrations.dispatch import emit
from integrations.models import DeliveryState, WebhookDelivery
from integrations.services import webhooks as services


class Receiver:
    """A webhook receiver on loopback that records every request and answers from a script:
    a list of status codes (the last repeats), or "sleep" to answer after the timeout."""

    def __init__(self, script=(200,), sleep=1.0):
        self.requests = []
        self.script = list(script)
        self.sleep = sleep
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body.decode(),
                    }
                )
                index = min(len(receiver.requests), len(receiver.script)) - 1
                answer = receiver.script[index]
                if answer == "sleep":
                    time.sleep(receiver.sleep)
                    answer = 200
                try:
                    self.send_response(answer)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/deelbaar"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.DEBUG = True  # http to the loopback receiver
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["127.0.0.1"]
    settings.DEELBAAR_WEBHOOK_TIMEOUT = 0.5
    # The first attempt runs in the process also when REDIS_URL points at a real broker.
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield settings
    celery_app.conf.task_always_eager = before


@pytest.fixture
def receiver():
    made = []

    def make(script=(200,), sleep=1.0):
        made.append(Receiver(script, sleep))
        return made[-1]

    yield make
    for r in made:
        r.close()


def subscribe(coordinator, zob, url, events=("release.published",)):
    return services.create_subscription(
        actor=coordinator, cooperative=zob, url=url, events=list(events)
    )


def send(capture, zob, event="release.published", data=None):
    with capture(execute=True):
        deliveries = emit(event, cooperative=zob, data=data or {"id": 1, "version": "1.0.0"})
    return [WebhookDelivery.objects.get(pk=d.pk) for d in deliveries]


# --- Signing and delivering --------------------------------------------------------------------
def test_secret_is_standard_webhooks(coordinator, zob):
    subscription = subscribe(coordinator, zob, "http://127.0.0.1:9/x")
    assert subscription.secret.startswith("whsec_")
    Webhook(subscription.secret)  # decodes: base64 of 32 bytes
    import base64

    assert len(base64.b64decode(subscription.secret.removeprefix("whsec_"))) == 32


def test_delivery_is_signed_and_verifies(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver()
    subscription = subscribe(coordinator, zob, server.url)
    [delivery] = send(django_capture_on_commit_callbacks, zob, data={"id": 7, "version": "2.0"})

    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.delivered_at is not None
    [request] = server.requests
    assert request["path"] == "/hooks/deelbaar"
    payload = Webhook(subscription.secret).verify(request["body"], request["headers"])
    assert payload["type"] == "release.published"
    assert payload["data"] == {"id": 7, "version": "2.0"}
    assert "timestamp" in payload
    assert request["headers"]["webhook-id"] == delivery.message_id
    # Another secret does not verify.
    other = services.new_webhook_secret()
    with pytest.raises(Exception, match="signature"):
        Webhook(other).verify(request["body"], request["headers"])
    [attempt] = delivery.log.all()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    assert delivery.last_duration_ms is not None


def test_only_subscribers_to_the_event_get_it(
    coordinator, zob, dimpact, receiver, django_capture_on_commit_callbacks
):
    server = receiver()
    subscribe(coordinator, zob, server.url, events=["adoption.changed"])
    assert send(django_capture_on_commit_callbacks, zob, "release.published") == []
    switched_off = subscribe(coordinator, zob, server.url, events=["release.published"])
    services.update_subscription(actor=coordinator, subscription=switched_off, active=False)
    assert send(django_capture_on_commit_callbacks, zob, "release.published") == []
    assert send(django_capture_on_commit_callbacks, dimpact, "adoption.changed") == []
    assert server.requests == []


def test_500_then_200_is_one_retry_after_the_backoff(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver([500, 200])
    subscribe(coordinator, zob, server.url)
    before = timezone.now()
    [delivery] = send(django_capture_on_commit_callbacks, zob)

    assert delivery.state == DeliveryState.RETRYING
    assert delivery.last_status_code == 500
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 10 <= wait < 12
    # Not due yet: the sweep leaves it.
    assert sending.deliver_due() == 0
    assert sending.deliver_due(now=delivery.next_attempt_at) == 1

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert [(a.number, a.status_code) for a in delivery.log.all()] == [(1, 500), (2, 200)]
    assert len(server.requests) == 2
    ids = {r["headers"]["webhook-id"] for r in server.requests}
    assert ids == {delivery.message_id}
    # Nothing left to do.
    assert sending.deliver_due(now=timezone.now() + timedelta(days=1)) == 0


def test_a_timeout_is_logged_and_retried(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver(["sleep", 200], sleep=1.5)
    subscribe(coordinator, zob, server.url)
    [delivery] = send(django_capture_on_commit_callbacks, zob)

    assert delivery.state == DeliveryState.RETRYING
    [attempt] = delivery.log.all()
    assert attempt.status_code is None
    assert "timed out" in attempt.error
    assert 400 <= attempt.duration_ms < 1500

    sending.deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.attempts == 2


def test_connection_refused_is_retried(coordinator, zob, django_capture_on_commit_callbacks):
    subscribe(coordinator, zob, "http://127.0.0.1:9/closed")
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.log.get().error


def test_fails_after_the_last_attempt_with_exponential_backoff(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver([503])
    subscribe(coordinator, zob, server.url)
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    waits = []
    while delivery.state == DeliveryState.RETRYING:
        last = delivery.log.order_by("-number").first().at
        waits.append(round((delivery.next_attempt_at - last).total_seconds()))
        sending.deliver_due(now=delivery.next_attempt_at)
        delivery.refresh_from_db()

    assert waits == [10, 60, 300, 1800, 7200, 28800]
    assert delivery.state == DeliveryState.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.attempts == sending.MAX_ATTEMPTS == 7
    assert list(delivery.log.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert len(server.requests) == 7
    # A failed delivery is not swept again.
    assert sending.deliver_due(now=timezone.now() + timedelta(days=30)) == 0


def test_a_redirect_is_not_followed(coordinator, zob, receiver, django_capture_on_commit_callbacks):
    server = receiver([302])
    subscribe(coordinator, zob, server.url)
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.last_status_code == 302
    assert len(server.requests) == 1


def test_an_attempt_is_made_once_even_when_asked_twice(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver([500, 200])
    subscribe(coordinator, zob, server.url)
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    # A Celery retry and the sweep both try attempt 2: one of them sends.
    assert sending.attempt(delivery.pk, expected_attempts=1) is not None
    assert sending.attempt(delivery.pk, expected_attempts=1) is None
    assert len(server.requests) == 2


def test_redeliver_sends_the_same_message_again(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver([200])
    subscription = subscribe(coordinator, zob, server.url)
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    with django_capture_on_commit_callbacks(execute=True):
        services.redeliver(actor=coordinator, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.attempts == 1  # a new series
    assert list(delivery.log.values_list("number", flat=True)) == [1, 2]
    first, second = server.requests
    assert first["body"] == second["body"]
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    Webhook(subscription.secret).verify(second["body"], second["headers"])


def test_rotated_secret_signs_from_then_on(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver()
    subscription = subscribe(coordinator, zob, server.url)
    old = subscription.secret
    rotated = services.rotate_secret(actor=coordinator, subscription=subscription)
    assert rotated.secret != old
    send(django_capture_on_commit_callbacks, zob)
    Webhook(rotated.secret).verify(server.requests[0]["body"], server.requests[0]["headers"])


def test_nothing_is_sent_for_a_rolled_back_transaction(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    server = receiver()
    subscribe(coordinator, zob, server.url)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        emit("release.published", cooperative=zob, data={"id": 1})
        raise RuntimeError("changed my mind")
    assert WebhookDelivery.objects.count() == 0
    assert server.requests == []


# --- The allow list and permissions ------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "https://intern.example.org/hook",
        "http://10.0.0.1/hook",
        "http://localhost:8000/hook",
        "ftp://127.0.0.1/hook",
        "file:///etc/passwd",
        "http://user:pw@127.0.0.1/hook",
        "not a url",
        "",
    ],
)
def test_the_allow_list_refuses_other_targets(coordinator, zob, url):
    with pytest.raises(DomainError) as refused:
        subscribe(coordinator, zob, url)
    assert refused.value.field == "url"


def test_only_https_in_production(coordinator, zob, settings):
    settings.DEBUG = False
    with pytest.raises(DomainError, match="https"):
        subscribe(coordinator, zob, "http://127.0.0.1/hook")
    assert subscribe(coordinator, zob, "https://127.0.0.1/hook").url == "https://127.0.0.1/hook"


def test_a_host_removed_from_the_list_is_not_posted_to(
    coordinator, zob, receiver, settings, django_capture_on_commit_callbacks
):
    server = receiver()
    subscribe(coordinator, zob, server.url)
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["example.org"]
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    assert delivery.state == DeliveryState.RETRYING
    assert "allowed" in delivery.last_error
    assert server.requests == []


def test_an_allowed_name_leading_inside_is_not_posted_to(
    coordinator, zob, receiver, settings, django_capture_on_commit_callbacks
):
    """The name is allowed, the loopback address it resolves to is not (DNS rebinding)."""
    server = receiver()
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["localhost"]
    subscribe(coordinator, zob, server.url.replace("127.0.0.1", "localhost"))
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    assert delivery.state == DeliveryState.RETRYING
    assert "internal address" in delivery.last_error
    assert delivery.log.get().error == delivery.last_error
    assert server.requests == []


def test_unknown_events_and_none_are_refused(coordinator, zob):
    with pytest.raises(DomainError) as refused:
        subscribe(coordinator, zob, "http://127.0.0.1/x", events=["release.deleted"])
    assert refused.value.field == "events"
    with pytest.raises(DomainError):
        subscribe(coordinator, zob, "http://127.0.0.1/x", events=[])


def test_only_the_cooperatives_coordinators_manage_webhooks(
    coordinator, other_coordinator, member_person, zob
):
    for person in (other_coordinator, member_person):
        with pytest.raises(NotAllowed):
            subscribe(person, zob, "http://127.0.0.1/x")
    subscription = subscribe(coordinator, zob, "http://127.0.0.1/x")
    with pytest.raises(NotAllowed):
        services.rotate_secret(actor=other_coordinator, subscription=subscription)
    with pytest.raises(NotAllowed):
        services.delete_subscription(actor=member_person, subscription=subscription)


# --- From the platform's own events ------------------------------------------------------------
def _requests_of(server, subscription):
    return [Webhook(subscription.secret).verify(r["body"], r["headers"]) for r in server.requests]


def test_submitting_an_increment_is_delivered(
    coordinator, zob, product, product_owner, developer, tester, receiver,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from sprints import services as sprints_services
    from tests.sprints.flows import run_sprint

    server = receiver()
    subscription = subscribe(coordinator, zob, server.url, events=["increment.submitted"])
    sprint = run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester],
        estimates=[3], accept=False,
    )  # fmt: skip
    increment = sprints_services.create_increment(
        actor=developer,
        product=product,
        version="0.1.0",
        items=list(product.items.filter(status="done")),
        sprint=sprint,
    )
    with django_capture_on_commit_callbacks(execute=True):
        sprints_services.submit_increment(
            actor=product_owner,
            increment=increment,
            deadline=timezone.localdate() + timedelta(days=3),
            testers=[tester],
        )
    [payload] = _requests_of(server, subscription)
    assert payload["type"] == "increment.submitted"
    assert payload["data"]["id"] == increment.pk
    assert payload["data"]["version"] == "0.1.0"


def test_a_release_is_delivered(
    coordinator, zob, eindhoven, receiver, django_capture_on_commit_callbacks
):
    from solutions.services.publication import record_release
    from tests.solutions.factories import make_solution

    server = receiver()
    subscription = subscribe(
        coordinator, zob, server.url, events=["release.published", "solution.published"]
    )
    solution = make_solution(cooperative=zob, name="Zaaksysteem", developed_by=eindhoven)
    with django_capture_on_commit_callbacks(execute=True):
        first = record_release(actor=coordinator, solution=solution, version="1.0.0")
    with django_capture_on_commit_callbacks(execute=True):
        record_release(actor=coordinator, solution=solution, version="1.1.0")
    payloads = _requests_of(server, subscription)
    assert sorted((p["type"], p["data"]["version"]) for p in payloads) == [
        ("release.published", "1.0.0"),
        ("release.published", "1.1.0"),
        ("solution.published", "1.0.0"),  # the first release only
    ]
    assert all(p["data"]["solution"] == solution.pk for p in payloads)
    assert first.pk in {p["data"]["id"] for p in payloads}


def test_an_activated_membership_is_delivered_once(
    coordinator, zob, woerden_application, receiver, django_capture_on_commit_callbacks
):
    server = receiver()
    subscription = subscribe(coordinator, zob, server.url, events=["membership.activated"])
    membership = cooperative_services.approve_membership(
        actor=coordinator, membership=woerden_application
    )
    with django_capture_on_commit_callbacks(execute=True):
        cooperative_services.record_payment(
            actor=coordinator,
            membership=membership,
            paid_on=timezone.localdate(),
            amount=membership.contribution_due,
        )
    [payload] = _requests_of(server, subscription)
    assert payload["type"] == "membership.activated"
    assert payload["data"]["membership"] == membership.pk
    assert payload["data"]["cooperative"] == zob.slug


def test_a_failing_receiver_does_not_break_the_platform(
    coordinator, zob, eindhoven, django_capture_on_commit_callbacks
):
    from solutions.services.publication import record_release
    from tests.solutions.factories import make_solution

    subscribe(coordinator, zob, "http://127.0.0.1:9/closed")
    solution = make_solution(cooperative=zob, name="Zaaksysteem", developed_by=eindhoven)
    with django_capture_on_commit_callbacks(execute=True):
        release = record_release(actor=coordinator, solution=solution, version="1.0.0")
    assert release.pk
    assert WebhookDelivery.objects.get().state == DeliveryState.RETRYING


def test_the_body_is_json(coordinator, zob, receiver, django_capture_on_commit_callbacks):
    server = receiver()
    subscribe(coordinator, zob, server.url)
    send(django_capture_on_commit_callbacks, zob)
    assert server.requests[0]["headers"]["content-type"] == "application/json"
    assert json.loads(server.requests[0]["body"])["type"] == "release.published"


def test_the_sweep_command_sends_what_is_due(
    coordinator, zob, receiver, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    server = receiver([500, 200])
    subscribe(coordinator, zob, server.url)
    [delivery] = send(django_capture_on_commit_callbacks, zob)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    out = StringIO()
    call_command("deliver_webhooks", stdout=out)
    assert "1 attempt" in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
