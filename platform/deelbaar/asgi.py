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

# The garbage collector, tuned for a long-running server (issue 10). With Python's default
# (a young collection per 700 objects left behind; each request leaves ~600 in reference
# cycles) every twelfth API request paid 3-7 ms for a middle-generation collection, and now
# and then one paid 20-130 ms for the whole heap: that was the backlog page's p95. Everything
# loaded at start-up is frozen out of the collector's sight, and young collections come every
# GC_THRESHOLD objects instead: one request in ~80 pays for one. GC_THRESHOLD=700 restores
# Python's default.
gc.collect()
gc.freeze()
gc.set_threshold(int(os.environ.get("GC_THRESHOLD", "50000")), *gc.get_threshold()[1:])
