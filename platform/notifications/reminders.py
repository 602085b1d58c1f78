"""The notifications the clock makes: deadline tomorrow and passed, maintenance ending, webhooks
failing. `send_reminders()` runs hourly (tasks.py, or `deelbaar send_notifications`); each
reminder is made once per person and object (the notifications' keys)."""

from datetime import timedelta

from django.utils import timezone

from notifications import receivers
from notifications.models import Kind


def send_reminders(*, today=None) -> int:
    """Deadline tomorrow, deadline passed (within the last week), maintenance ending within
    90 days and webhook subscriptions failing for 24 hours; each once per person and object
    (the notifications' keys). The number made."""
    from solutions.models import Solution
    from sprints.models import Increment, IncrementState

    today = today or timezone.localdate()
    made = 0
    waiting = Increment.objects.filter(state=IncrementState.SUBMITTED).select_related("product")
    for increment in waiting.filter(deadline=today + timedelta(days=1)):
        made += len(receivers.notify_deadline(increment, Kind.DEADLINE_TOMORROW))
    for increment in waiting.filter(deadline__lt=today, deadline__gte=today - timedelta(days=7)):
        made += len(receivers.notify_deadline(increment, Kind.DEADLINE_PASSED))
    ending = Solution.objects.filter(
        maintenance_until__gte=today, maintenance_until__lte=today + timedelta(days=90)
    )
    for solution in ending:
        made += len(receivers.notify_maintenance_ending(solution))
    made += _failing_webhooks(receivers)
    return made


FAILING_FOR = timedelta(hours=24)


def _failing_webhooks(receivers, now=None) -> int:
    """Subscriptions whose deliveries have gone undelivered for 24 hours since their last
    success: the coordinators are told once per such run of failures (keyed on its start)."""
    from integrations.models import DeliveryState, WebhookDelivery, WebhookSubscription

    cutoff = (now or timezone.now()) - FAILING_FOR
    undelivered = [DeliveryState.RETRYING, DeliveryState.FAILED]
    suspects = WebhookSubscription.objects.filter(
        active=True,
        deliveries__state__in=undelivered,
        deliveries__created_at__lte=cutoff,
    ).distinct()
    made = 0
    for subscription in suspects.select_related("cooperative"):
        deliveries = WebhookDelivery.objects.filter(subscription=subscription)
        last_success = (
            deliveries.filter(state=DeliveryState.DELIVERED)
            .order_by("-delivered_at")
            .values_list("delivered_at", flat=True)
            .first()
        )
        failing = deliveries.filter(state__in=undelivered)
        if last_success is not None:
            failing = failing.filter(created_at__gt=last_success)
        since = failing.order_by("created_at").values_list("created_at", flat=True).first()
        if since is not None and since <= cutoff:
            made += len(receivers.notify_webhook_failing(subscription, since=since))
    return made
