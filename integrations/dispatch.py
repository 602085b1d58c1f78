"""Turning the platform's events into outgoing webhook deliveries.

`emit()` makes one WebhookDelivery per active subscription of the cooperative to the event and
sends each with the Celery job after the transaction commits. `on_event_published` is connected
(integrations/apps.py) to `deelbaar.events.event_published`, which every service's
`publish_on_commit` / `notify_users` sends after its commit, so no other app calls us.
"""

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from deelbaar.celery import enqueue
from integrations.models import WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger(__name__)


def send_on_commit(delivery: WebhookDelivery) -> None:
    pk, attempts = delivery.pk, delivery.attempts
    # integrations/tasks.py, by name: its job imports the delivery, and the services this.
    transaction.on_commit(lambda: enqueue("integrations.deliver_webhook", pk, attempts))


@transaction.atomic
def emit(event: str, *, cooperative, data: dict) -> list[WebhookDelivery]:
    """Deliver `event` with `data` to the cooperative's subscribers to it."""
    event = WebhookEvent(event).value
    cooperative_id = getattr(cooperative, "pk", cooperative)
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(cooperative_id=cooperative_id, active=True)
        if event in s.events
    ]
    if not subscriptions:
        return []
    now = timezone.now()
    payload = {"type": event, "timestamp": now.isoformat(), "data": data}
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=s,
                event=event,
                message_id=f"msg_{uuid.uuid4().hex}",
                payload=payload,
                created_at=now,
                # Due now: if the job is lost, the sweep still sends it.
                next_attempt_at=now,
            )
            for s in subscriptions
        ]
    )
    for delivery in deliveries:
        send_on_commit(delivery)
    return deliveries


# --- From the platform's events ----------------------------------------------------------------
def _group_id(group: str | None, prefix: str) -> int | None:
    if group and group.startswith(prefix + "."):
        try:
            return int(group[len(prefix) + 1 :])
        except ValueError:
            return None
    return None


def _product_cooperative(group):
    from sprints.models import Product

    product_id = _group_id(group, "product")
    return Product.objects.filter(pk=product_id).values_list("cooperative_id", flat=True).first()


def _solution_cooperative(solution_id):
    from solutions.models import Solution

    return Solution.objects.filter(pk=solution_id).values_list("cooperative_id", flat=True).first()


def _first_release(data) -> bool:
    from solutions.models import Release

    return not Release.objects.filter(solution_id=data["solution"], pk__lt=data["id"]).exists()


def _translate(group, event, data) -> list[tuple[str, int | None, dict]]:
    """(webhook event, cooperative id, data) for a platform event; [] for the others.

    Broadcast events (group set) are used, except membership events, which go to people only
    (`notify_users`, group None): each event counts once.
    """
    if group is None:
        if event == "membership.activated":
            from cooperative.models import Cooperative

            cooperative_id = (
                Cooperative.objects.filter(slug=data.get("cooperative"))
                .values_list("pk", flat=True)
                .first()
            )
            return [(WebhookEvent.MEMBERSHIP_ACTIVATED, cooperative_id, data)]
        return []
    if event in ("increment.submitted", "verdict.given"):
        return [(event, _product_cooperative(group), data)]
    if event == "increment.decided":
        if data.get("state") == "accepted":
            return [(WebhookEvent.INCREMENT_ACCEPTED, _product_cooperative(group), data)]
        return []
    if event == "release.published":
        cooperative_id = _solution_cooperative(data.get("solution"))
        found: list[tuple[str, int | None, dict]] = [
            (WebhookEvent.RELEASE_PUBLISHED, cooperative_id, data)
        ]
        if _first_release(data):
            found.append((WebhookEvent.SOLUTION_PUBLISHED, cooperative_id, data))
        return found
    if event == "adoption.changed":
        return [(event, _solution_cooperative(data.get("solution")), data)]
    return []


HANDLED = {
    "increment.submitted",
    "verdict.given",
    "increment.decided",
    "release.published",
    "adoption.changed",
    "membership.activated",
}


def on_event_published(sender, *, group, event, data, **kwargs) -> None:
    if event not in HANDLED:
        return
    try:
        for webhook_event, cooperative_id, payload in _translate(group, event, data):
            if cooperative_id is not None:
                emit(webhook_event, cooperative=cooperative_id, data=payload)
    except Exception:
        # Webhooks must never break the change that caused them (already committed).
        logger.exception("could not make webhook deliveries for %s", event)
