"""/api/v1/me/notifications/: a person's own notifications. Someone else's is not found (404)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications import selectors, services
from notifications.api.serializers import (
    MarkedSerializer,
    NotificationFilterSerializer,
    NotificationSerializer,
)
from notifications.models import Kind, Notification


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List your notifications, newest first"),
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="true: only unread"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
        ],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Show one of your notifications")),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """What you were told about: verdicts asked and given, sprints, memberships, releases..."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    lookup_value_converter = "int"
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        notifications = selectors.notifications_for(self.request.user).select_related(
            "subject_type"
        )
        if self.action == "list":
            filters = NotificationFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            notifications = selectors.notifications_for(
                self.request.user,
                # Absent means both (a missing boolean would otherwise read as false).
                unread=filters.validated_data.get("unread")
                if "unread" in self.request.query_params
                else None,
                kind=filters.validated_data.get("kind"),
            ).select_related("subject_type")
        return notifications

    @extend_schema(
        request=None,
        responses=NotificationSerializer,
        summary=gettext_lazy("Mark one of your notifications read"),
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.mark_read(person=request.user, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses=MarkedSerializer,
        summary=gettext_lazy("Mark all your notifications read"),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = services.mark_all_read(person=request.user)
        return Response(
            MarkedSerializer(
                {"marked": marked, "unread": selectors.unread_count(request.user)}
            ).data
        )
