"""Reading outgoing webhooks: subscriptions and their delivery log."""

from django.db.models import Count, Prefetch

from cooperative.selectors import coordinated_cooperatives
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscriptions_visible_to(user):
    """The subscriptions of the cooperatives the person coordinates."""
    return (
        WebhookSubscription.objects.filter(cooperative__in=coordinated_cooperatives(user))
        .select_related("cooperative")
        .annotate(delivery_count=Count("deliveries"))
        .order_by("cooperative__name", "url", "pk")
    )


def subscriptions_of(cooperative):
    return (
        WebhookSubscription.objects.filter(cooperative=cooperative)
        .select_related("cooperative")
        .annotate(delivery_count=Count("deliveries"))
        .order_by("url", "pk")
    )


def subscription(pk):
    return WebhookSubscription.objects.select_related("cooperative").filter(pk=pk).first()


def deliveries_of(subscription):
    """The delivery log, newest first, each with its attempts: a constant number of queries."""
    return (
        WebhookDelivery.objects.filter(subscription=subscription)
        .select_related("subscription__cooperative")
        .prefetch_related(Prefetch("log", queryset=WebhookAttempt.objects.order_by("number")))
        .order_by("-created_at", "-pk")
    )


def delivery(subscription, pk):
    return (
        WebhookDelivery.objects.select_related("subscription__cooperative")
        .filter(subscription=subscription, pk=pk)
        .first()
    )
