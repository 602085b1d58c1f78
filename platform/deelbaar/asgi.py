"""ASGI entry point: HTTP through Django, websockets under /ws/ through Channels."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")

from deelbaar.handler import get_asgi_application

# Django must be set up before anything imports models, so this comes first. Each request's
# middleware and view run in one hop to its thread (deelbaar/handler.py).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from deelbaar.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The origin check refuses pages of other sites that try to open a socket with the
        # visitor's cookies (cross-site websocket hijacking).
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# What start-up loaded (Django, the apps, their modules: ~120,000 objects) is frozen out of the
# garbage collector's sight (issue 10). A full collection then walks only what requests left
# behind: in the HTTP bench the worst took 31 ms instead of 134. Raising the young generation's
# threshold as well (tried: 2,000, 10,000, 50,000) made the backlog page's p95 worse in most
# alternating runs (50,000: in 5 of 6), each collection walking more objects: it stays 700.
gc.collect()
gc.freeze()
