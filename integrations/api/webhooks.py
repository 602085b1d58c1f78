"""Outgoing webhooks under /api/v1/: `webhooks` (a cooperative's subscriptions; the secret is
shown on creation and on rotation only), `webhooks/{id}/deliveries` (the log, with attempts) and
`webhooks/{id}/deliveries/{delivery_id}/redeliver`.

Only the cooperative's coordinators (`integrations.manage_webhooks`) see its subscriptions: to
anyone else a subscription does not exist (404). Creating one for a cooperative one does not
coordinate answers 403.
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from deelbaar.permissions import allowed, require
from integrations.api.serializers import (
    DeliverySerializer,
    SubscriptionChangeSerializer,
    SubscriptionInputSerializer,
    SubscriptionSerializer,
    SubscriptionWithSecretSerializer,
)
from integrations.models import (
    WebhookDelivery,
    WebhookSubscription,
)
from integrations.selectors import webhooks as selectors
from integrations.services import webhooks as services


# --- Serializers -------------------------------------------------------------------------------
def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _subscription(request, pk) -> WebhookSubscription:
    """A subscription of a cooperative the person coordinates, else 404."""
    found = selectors.subscription(pk)
    if found is None or not allowed(
        request.user, "integrations.manage_webhooks", found.cooperative
    ):
        raise Http404
    return found


# --- Views -------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the webhook subscriptions you manage")),
    retrieve=extend_schema(summary=gettext_lazy("Show a webhook subscription")),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a webhook subscription"),
        request=SubscriptionChangeSerializer,
    ),
    destroy=extend_schema(summary=gettext_lazy("Delete a webhook subscription")),
)
class WebhookViewSet(viewsets.GenericViewSet):
    """A cooperative's outgoing webhooks (Standard Webhooks), for its coordinators."""

    serializer_class = SubscriptionSerializer
    queryset = WebhookSubscription.objects.none()
    lookup_value_converter = "int"
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        rows = selectors.subscriptions_visible_to(self.request.user)
        cooperative = self.request.query_params.get("cooperative")
        if cooperative:
            rows = rows.filter(cooperative__slug=cooperative)
        return rows

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary=gettext_lazy("Subscribe a URL to a cooperative's events"),
        request=SubscriptionInputSerializer,
        responses={201: SubscriptionWithSecretSerializer},
    )
    def create(self, request):
        # The body is validated before anything reads it: it may be any JSON, not an object.
        data = _valid(SubscriptionInputSerializer, request)
        cooperative = data.pop("cooperative")
        require(request.user, "integrations.manage_webhooks", cooperative)
        subscription = services.create_subscription(
            actor=request.user, cooperative=cooperative, **data
        )
        return Response(
            SubscriptionWithSecretSerializer(subscription).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        subscription = _subscription(request, pk)
        data = _valid(SubscriptionChangeSerializer, request)
        subscription = services.update_subscription(
            actor=request.user, subscription=subscription, **data
        )
        return Response(self.get_serializer(selectors.subscription(subscription.pk)).data)

    def destroy(self, request, pk=None):
        services.delete_subscription(actor=request.user, subscription=_subscription(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=gettext_lazy("Give the subscription a new secret (shown once)"),
        request=None,
        responses={200: SubscriptionWithSecretSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription = services.rotate_secret(
            actor=request.user, subscription=_subscription(request, pk)
        )
        return Response(SubscriptionWithSecretSerializer(subscription).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("The delivery log of a webhook subscription")),
    retrieve=extend_schema(summary=gettext_lazy("Show a delivery with its attempts")),
)
class DeliveryViewSet(viewsets.GenericViewSet):
    """Deliveries of one subscription, newest first, each with its attempts."""

    serializer_class = DeliverySerializer
    queryset = WebhookDelivery.objects.none()
    lookup_value_converter = "int"
    filter_backends = []

    def _subscription(self):
        return _subscription(self.request, self.kwargs["webhook_pk"])

    def list(self, request, webhook_pk=None):
        rows = selectors.deliveries_of(self._subscription())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _delivery(self, pk):
        found = selectors.delivery(self._subscription(), pk)
        if found is None:
            raise Http404
        return found

    def retrieve(self, request, webhook_pk=None, pk=None):
        rows = selectors.deliveries_of(self._subscription()).filter(pk=pk)
        found = rows.first()
        if found is None:
            raise Http404
        return Response(self.get_serializer(found).data)

    @extend_schema(
        summary=gettext_lazy("Send a delivery again (same message id, new attempts)"),
        request=None,
        responses={202: DeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, webhook_pk=None, pk=None):
        delivery = services.redeliver(actor=request.user, delivery=self._delivery(pk))
        found = selectors.deliveries_of(delivery.subscription).filter(pk=delivery.pk).first()
        return Response(self.get_serializer(found).data, status=status.HTTP_202_ACCEPTED)


webhook_list = WebhookViewSet.as_view({"get": "list", "post": "create"})
webhook_detail = WebhookViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)
webhook_rotate = WebhookViewSet.as_view({"post": "rotate_secret"})
delivery_list = DeliveryViewSet.as_view({"get": "list"})
delivery_detail = DeliveryViewSet.as_view({"get": "retrieve"})
delivery_redeliver = DeliveryViewSet.as_view({"post": "redeliver"})

urlpatterns = [
    path("webhooks/", webhook_list, name="webhook-list"),
    path("webhooks/<int:pk>/", webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/rotate-secret/", webhook_rotate, name="webhook-rotate-secret"),
    path("webhooks/<int:webhook_pk>/deliveries/", delivery_list, name="webhook-delivery-list"),
    path(
        "webhooks/<int:webhook_pk>/deliveries/<int:pk>/",
        delivery_detail,
        name="webhook-delivery-detail",
    ),
    path(
        "webhooks/<int:webhook_pk>/deliveries/<int:pk>/redeliver/",
        delivery_redeliver,
        name="webhook-delivery-redeliver",
    ),
]
