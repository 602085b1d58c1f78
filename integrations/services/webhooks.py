"""Outgoing webhooks: a cooperative's coordinators subscribe URLs to its events, rotate the
secrets and redeliver a delivery."""

import base64
import secrets
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from cooperative.models import Cooperative
from deelbaar.errors import Conflict, DomainError
from deelbaar.permissions import require
from deelbaar.typing import User
from integrations.models import (
    DeliveryState,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from integrations.remote import check_webhook_url

SECRET_PREFIX = "whsec_"  # noqa: S105  (the Standard Webhooks prefix, not a secret)


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _events(given: Any) -> list[str]:
    events: list[str] = list(dict.fromkeys(given or []))
    if not events:
        raise DomainError(_("Choose at least one event."), field="events", code="required")
    unknown = [e for e in events if e not in WebhookEvent.values]
    if unknown:
        raise DomainError(
            _("Unknown event: %(events)s.") % {"events": ", ".join(map(str, unknown))},
            field="events",
            code="invalid_choice",
        )
    return events


def _record(
    actor: User, action: str, subscription: WebhookSubscription, changes: dict | None = None
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=subscription,
        cooperative=subscription.cooperative,
        changes=changes or {},
    )


@transaction.atomic
def create_subscription(
    *,
    actor: User,
    cooperative: Cooperative,
    url: str,
    events: Any,
    description: str = "",
    active: bool = True,
) -> WebhookSubscription:
    """Subscribe `url` to `events`; the secret is generated here (read it once from the
    returned object)."""
    require(actor, "integrations.manage_webhooks", cooperative)
    subscription = WebhookSubscription.objects.create(
        cooperative=cooperative,
        url=check_webhook_url(url),
        events=_events(events),
        description=(description or "").strip()[:200],
        active=active,
        secret=new_webhook_secret(),
        created_by=actor,
    )
    _record(
        actor,
        "integrations.webhook_created",
        subscription,
        {"url": [None, subscription.url], "events": [None, subscription.events]},
    )
    return subscription


def _locked(subscription: WebhookSubscription) -> WebhookSubscription:
    return (
        WebhookSubscription.objects.select_for_update(of=("self",))
        .select_related("cooperative")
        .get(pk=subscription.pk)
    )


@transaction.atomic
def update_subscription(
    *, actor: User, subscription: WebhookSubscription, **fields: Any
) -> WebhookSubscription:
    """Change url, events, description or active."""
    require(actor, "integrations.manage_webhooks", subscription.cooperative)
    subscription = _locked(subscription)
    changes = {}
    checks: dict[str, Callable[[Any], Any]] = {
        "url": check_webhook_url,
        "events": _events,
        "description": lambda v: (v or "").strip()[:200],
        "active": bool,
    }
    for name, value in fields.items():
        if name not in checks:
            raise DomainError(_("This field cannot be changed."), field=name, code="invalid")
        value = checks[name](value)
        if getattr(subscription, name) != value:
            changes[name] = [getattr(subscription, name), value]
            setattr(subscription, name, value)
    if changes:
        subscription.save()
        _record(actor, "integrations.webhook_changed", subscription, changes)
    return subscription


@transaction.atomic
def rotate_secret(*, actor: User, subscription: WebhookSubscription) -> WebhookSubscription:
    """A new secret; deliveries from now on are signed with it (read it once)."""
    require(actor, "integrations.manage_webhooks", subscription.cooperative)
    subscription = _locked(subscription)
    subscription.secret = new_webhook_secret()
    subscription.save(update_fields=["secret"])
    _record(actor, "integrations.webhook_secret_rotated", subscription)
    return subscription


@transaction.atomic
def delete_subscription(*, actor: User, subscription: WebhookSubscription) -> None:
    require(actor, "integrations.manage_webhooks", subscription.cooperative)
    subscription = _locked(subscription)
    _record(actor, "integrations.webhook_deleted", subscription, {"url": [subscription.url, None]})
    subscription.delete()


@transaction.atomic
def redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again: the same message id, a new series of attempts (after commit)."""
    from integrations.dispatch import send_on_commit

    require(actor, "integrations.manage_webhooks", delivery.subscription.cooperative)
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("subscription__cooperative")
        .get(pk=delivery.pk)
    )
    if not delivery.subscription.active:
        raise Conflict(
            _("The subscription is switched off; switch it on to redeliver."), field="active"
        )
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    _record(
        actor,
        "integrations.webhook_redelivered",
        delivery.subscription,
        {"delivery": [None, delivery.message_id]},
    )
    send_on_commit(delivery)
    return delivery
