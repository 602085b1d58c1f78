"""Sending one attempt of an outgoing webhook (Standard Webhooks) and recording it.

One attempt is: claim the next attempt number (so a retry, a sweep and a redelivery never send
the same attempt twice), sign the stored body with the subscription's secret, POST it with a
short timeout, following no redirects, using no proxy and connecting to the addresses
the host name was checked to lead to (remote.py), and log the status code, duration and
error. A 2xx answer delivers; anything else schedules the next attempt with exponential backoff
(`BACKOFF`), and the delivery fails after the last.
"""

import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from deelbaar.errors import DomainError
from integrations.models import DeliveryState, WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)

# The wait before each retry: 10 s, 1 min, 5 min, 30 min, 2 h, 8 h. So a delivery gets at most
# len(BACKOFF) + 1 = 7 attempts.
BACKOFF = (10, 60, 5 * 60, 30 * 60, 2 * 3600, 8 * 3600)
MAX_ATTEMPTS = len(BACKOFF) + 1
USER_AGENT = "Deelbaar-Webhooks/1"
# How much of an error or answer is kept in the log.
ERROR_LIMIT = 500


def timeout() -> float:
    return float(getattr(settings, "DEELBAAR_WEBHOOK_TIMEOUT", 5))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx: not delivered


def _pinned(connection_class):
    """`connection_class` connecting to the checked addresses (in order, the first that
    answers) instead of looking the host name up again; everything else (Host header, TLS SNI
    and certificate check) still uses the name."""

    class Pinned(connection_class):
        def __init__(self, *args, addresses=(), **kwargs):
            super().__init__(*args, **kwargs)
            self._addresses = list(addresses)
            # http.client keeps this per instance (for tests to replace), so set it here.
            self._create_connection = self._connect_pinned

        def _connect_pinned(self, address, timeout, source_address=None):
            _host, port = address
            error = None
            for ip in self._addresses:
                try:
                    return socket.create_connection((ip, port), timeout, source_address)
                except OSError as failed:
                    error = failed
            raise error or OSError("no address to connect to")

    return Pinned


_PinnedHTTPConnection = _pinned(http.client.HTTPConnection)
_PinnedHTTPSConnection = _pinned(http.client.HTTPSConnection)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, addresses):
        super().__init__()
        self.addresses = addresses

    def http_open(self, req):
        return self.do_open(_PinnedHTTPConnection, req, addresses=self.addresses)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, addresses):
        super().__init__()
        self.addresses = addresses

    def https_open(self, req):
        return self.do_open(
            _PinnedHTTPSConnection, req, context=self._context, addresses=self.addresses
        )


def _opener(addresses: list[str]):
    """No proxy, no redirects, and connections to `addresses` only (see remote.py)."""
    handlers = [urllib.request.ProxyHandler({}), _NoRedirect()]
    if addresses:
        handlers += [_PinnedHTTPHandler(addresses), _PinnedHTTPSHandler(addresses)]
    return urllib.request.build_opener(*handlers)


def body_of(delivery: WebhookDelivery) -> str:
    """The exact bytes (as text) that are signed and sent; the same on every attempt."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)


def sign(secret: str, message_id: str, body: str, at=None) -> dict:
    """The Standard Webhooks headers for `body`."""
    at = at or timezone.now()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body),
    }


@dataclass
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: str, headers: dict) -> Outcome:
    """POST once; never raises for network trouble (it is the outcome)."""
    from integrations.remote import check_webhook_url, checked_addresses

    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        # The allow list may have changed since the subscription was made.
        check_webhook_url(url)
        addresses = checked_addresses(url)
    except DomainError as error:
        return Outcome(None, 0, str(error.message))
    request = urllib.request.Request(  # noqa: S310  (http(s) only: checked above)
        url,
        data=body.encode(),
        method="POST",
        headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    try:
        with _opener(addresses).open(request, timeout=timeout()) as response:
            response.read(ERROR_LIMIT)
            return Outcome(response.status, took(), "")
    except urllib.error.HTTPError as error:
        try:
            detail = error.read(ERROR_LIMIT).decode(errors="replace")
        except Exception:
            detail = ""
        finally:
            error.close()
        return Outcome(error.code, took(), detail[:ERROR_LIMIT])
    except TimeoutError:
        return Outcome(None, took(), f"timed out after {timeout():g} s")
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            return Outcome(None, took(), f"timed out after {timeout():g} s")
        return Outcome(None, took(), str(reason)[:ERROR_LIMIT])
    except (OSError, ValueError) as error:
        return Outcome(None, took(), str(error)[:ERROR_LIMIT] or error.__class__.__name__)


def _claim(delivery_id: int, expected_attempts: int | None) -> WebhookDelivery | None:
    """Take attempt number attempts + 1, or None if someone else did or nothing is due."""
    rows = WebhookDelivery.objects.filter(
        pk=delivery_id,
        state__in=[DeliveryState.PENDING, DeliveryState.RETRYING],
        subscription__active=True,
    )
    if expected_attempts is not None:
        rows = rows.filter(attempts=expected_attempts)
    delivery = rows.select_related("subscription").first()
    if delivery is None or delivery.attempts >= MAX_ATTEMPTS:
        return None
    taken = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=None
    )
    if not taken:
        return None
    delivery.attempts += 1
    return delivery


def attempt(delivery_id: int, *, expected_attempts: int | None = None) -> WebhookDelivery | None:
    """Make the next attempt of a delivery and record it; returns the delivery as it ends up,
    or None when there was nothing to send (delivered, failed, or claimed by another)."""
    delivery = _claim(delivery_id, expected_attempts)
    if delivery is None:
        return None
    subscription = delivery.subscription
    body = body_of(delivery)
    outcome = post(subscription.url, body, sign(subscription.secret, delivery.message_id, body))
    now = timezone.now()
    with transaction.atomic():
        number = (delivery.log.aggregate(n=Max("number"))["n"] or 0) + 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
        )
        delivery.last_status_code = outcome.status_code
        delivery.last_duration_ms = outcome.duration_ms
        delivery.last_error = outcome.error
        if outcome.ok:
            delivery.state = DeliveryState.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.state = DeliveryState.RETRYING
            delivery.next_attempt_at = now + timedelta(seconds=BACKOFF[delivery.attempts - 1])
        delivery.save(
            update_fields=[
                "state",
                "next_attempt_at",
                "delivered_at",
                "last_status_code",
                "last_duration_ms",
                "last_error",
            ]
        )
    if not outcome.ok:
        logger.info(
            "webhook %s to %s, attempt %s: %s %s",
            delivery.message_id,
            subscription.url,
            delivery.attempts,
            outcome.status_code,
            outcome.error,
        )
    return delivery


def due(now=None):
    """Deliveries whose next attempt is due (the sweep's work)."""
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(
        state__in=[DeliveryState.PENDING, DeliveryState.RETRYING],
        next_attempt_at__lte=now,
        subscription__active=True,
    ).order_by("next_attempt_at", "pk")


def deliver_due(now=None, limit: int = 100) -> int:
    """Make the due attempts now, one each; returns how many were made."""
    made = 0
    for delivery_id, attempts in due(now).values_list("pk", "attempts")[:limit]:
        if attempt(delivery_id, expected_attempts=attempts) is not None:
            made += 1
    return made
