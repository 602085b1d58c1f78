"""Reading outgoing webhooks: subscriptions and their delivery log."""

from django.db.models import Count, Prefetch, QuerySet

from cooperative.models import Cooperative
from cooperative.selectors import coordinated_cooperatives
from deelbaar.typing import Person
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscriptions_visible_to(user: Person) -> QuerySet[WebhookSubscription]:
    """The subscriptions of the cooperatives the person coordinates."""
    return (
        WebhookSubscription.objects.filter(cooperative__in=coordinated_cooperatives(user))
        .select_related("cooperative")
        .annotate(delivery_count=Count("deliveries"))
        .order_by("cooperative__name", "url", "pk")
    )


def subscriptions_of(cooperative: Cooperative) -> QuerySet[WebhookSubscription]:
    return (
        WebhookSubscription.objects.filter(cooperative=cooperative)
        .select_related("cooperative")
        .annotate(delivery_count=Count("deliveries"))
        .order_by("url", "pk")
    )


def subscription(pk: int | str) -> WebhookSubscription | None:
    return WebhookSubscription.objects.select_related("cooperative").filter(pk=pk).first()


def deliveries_of(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """The delivery log, newest first, each with its attempts: a constant number of queries."""
    return (
        WebhookDelivery.objects.filter(subscription=subscription)
        .select_related("subscription__cooperative")
        .prefetch_related(Prefetch("log", queryset=WebhookAttempt.objects.order_by("number")))
        .order_by("-created_at", "-pk")
    )


def delivery(subscription: WebhookSubscription, pk: int | str) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.select_related("subscription__cooperative")
        .filter(subscription=subscription, pk=pk)
        .first()
    )
