"""Django's ASGI handler, with each request's middleware, view and response in one thread.

Deelbaar's views and most of its middleware are synchronous. Django's own ASGI handler builds
its chain of middleware for an event loop: wherever a synchronous piece meets an asynchronous
one it hops between the loop and the request's thread, and back. With the middleware of
settings.MIDDLEWARE that came to about six hops a request (into the chain, back to the loop
for the URL resolver, out again for each view middleware's process_view and for the view,
and back for each), each waiting for the other thread to be scheduled and to get the GIL:
/healthz answered in 9.6 ms under uvicorn against 5 ms in process (issue 10).

This handler builds the chain as the WSGI handler does, all synchronous, and runs it with one
hop into the request's thread (thread-sensitive, as Django runs every synchronous view, so
database connections stay with their thread). The request_started and request_finished
signals and the sending of the response stay as Django's ASGI handler does them; so does
everything else: a coroutine view still works (it is run with async_to_sync, as under WSGI).
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


def get_asgi_application() -> OneHopASGIHandler:
    """As django.core.asgi.get_asgi_application, with the one-hop handler."""
    import django

    django.setup(set_prefix=False)
    return OneHopASGIHandler()
