"""Websocket routes, all under /ws/. Apps add their consumers here."""

from django.urls import path

from deelbaar.consumers import NotificationsConsumer
from sprints.consumers import ProductConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    path("ws/products/<int:product_id>/", ProductConsumer.as_asgi()),
]
