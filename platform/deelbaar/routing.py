"""Websocket routes, all under /ws/. Apps add their consumers here."""

from django.urls import path

from deelbaar.consumers import NotificationsConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
]
