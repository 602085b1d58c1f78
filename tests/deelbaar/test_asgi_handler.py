"""The ASGI application runs each request's middleware and view in one hop to its thread
(deelbaar/handler.py): Django's own ASGI handler hopped between the event loop and the
request's thread seven times for a page with Deelbaar's middleware (issue 10)."""

import asgiref.sync
import pytest
from channels.testing import HttpCommunicator
from django.http import HttpResponse
from django.urls import path

from deelbaar.asgi import application, django_asgi_app
from deelbaar.handler import OneHopASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hops(monkeypatch):
    """Counts the hops from the event loop to a thread and back (sync_to_async and
    async_to_sync calls) of what runs meanwhile."""
    counted = {"to_thread": 0, "to_loop": 0}
    to_thread, to_loop = asgiref.sync.SyncToAsync.__call__, asgiref.sync.AsyncToSync.__call__

    async def counting_to_thread(self, *args, **kwargs):
        counted["to_thread"] += 1
        return await to_thread(self, *args, **kwargs)

    def counting_to_loop(self, *args, **kwargs):
        counted["to_loop"] += 1
        return to_loop(self, *args, **kwargs)

    monkeypatch.setattr(asgiref.sync.SyncToAsync, "__call__", counting_to_thread)
    monkeypatch.setattr(asgiref.sync.AsyncToSync, "__call__", counting_to_loop)
    return counted


@pytest.fixture(autouse=True)
def host(settings):
    settings.ALLOWED_HOSTS = ["testserver"]


async def get(path_):
    communicator = HttpCommunicator(application, "GET", path_, headers=[(b"host", b"testserver")])
    return await communicator.get_response(timeout=10)


async def test_a_request_makes_three_hops(hops):
    assert isinstance(django_asgi_app, OneHopASGIHandler)
    await get("/api/v1/solutions/")  # warm: the first request loads what it needs
    hops.update(to_thread=0, to_loop=0)
    response = await get("/api/v1/solutions/")
    assert response["status"] == 200
    # At most: the request_started signal's receivers (the test run disconnects Django's own),
    # the middleware with the view, and the response's close (request_finished); nothing back
    # to the loop in between. Django's handler made seven.
    assert hops["to_thread"] <= 3 and hops["to_loop"] == 0


async def coroutine_view(request):
    return HttpResponse("async")


urlpatterns = [path("coroutine/", coroutine_view)]


async def test_a_coroutine_view_still_answers(settings):
    settings.ROOT_URLCONF = __name__
    response = await get("/coroutine/")
    assert response["status"] == 200 and response["body"] == b"async"
