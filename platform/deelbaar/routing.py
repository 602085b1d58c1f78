"""Websocket routes, all under /ws/.

The core has its own (a person's notifications); an app above it adds its consumers from its
`AppConfig.ready()` with `add_websocket_route()`, because the core may not import the apps
(docs/decisions/0007). asgi.py reads the list after setup, when every app is ready.
"""

from django.urls import path

from deelbaar.consumers import NotificationsConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
]


def add_websocket_route(route: str, consumer) -> None:
    """Route `route` (e.g. "ws/products/<int:product_id>/") to `consumer`, once."""
    if any(str(pattern.pattern) == route for pattern in websocket_urlpatterns):
        return
    websocket_urlpatterns.append(path(route, consumer.as_asgi()))
