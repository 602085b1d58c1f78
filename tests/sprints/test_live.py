"""The live product channel: /ws/products/<id>/ and the testers' notifications.

Everything goes through the real ASGI app (origin check, session authentication, routing) on
the in-memory channel layer and, when REDIS_URL is set, on Redis. The changes are made by the
services in a transaction; the events must arrive once it commits.

The last test runs two real server processes sharing one Redis and one PostgreSQL database: a
change made through one server's API reaches a socket held by the other.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client
from django.utils.timezone import localdate

from deelbaar.asgi import application
from people.services.tokens import issue_token
from sprints import services
from sprints.models import ItemStatus
from tests.conftest import REDIS_URL

LAYERS = pytest.mark.parametrize("channel_layer_settings", ["memory", "redis"], indirect=True)
pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "http://127.0.0.1:8000"


@database_sync_to_async
def session_cookie_for(user):
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


async def open_socket(path, user=None):
    headers = [(b"origin", ORIGIN.encode())]
    if user is not None:
        headers.append((b"cookie", (await session_cookie_for(user)).encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def next_event(communicator, event, timeout=5):
    """The data of the next `event` on this socket, skipping other events on the way."""
    deadline = asyncio.get_running_loop().time() + timeout
    seen = []
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise AssertionError(f"no {event} within {timeout}s; saw {seen}")
        message = await communicator.receive_json_from(timeout=remaining)
        if message["type"] == event:
            return message["data"]
        seen.append(message["type"])


def call(service, **kwargs):
    """Run a service (one transaction, committed) from async test code."""
    return database_sync_to_async(service)(**kwargs)


@LAYERS
async def test_everyone_on_the_product_sees_each_change(
    channel_layer_settings, product, product_owner, developer, tester, second_tester
):
    owner_socket, ok_owner, _ = await open_socket(f"/ws/products/{product.pk}/", product_owner)
    developer_socket, ok_developer, _ = await open_socket(f"/ws/products/{product.pk}/", developer)
    assert ok_owner and ok_developer
    sockets = (owner_socket, developer_socket)

    first = await call(
        services.create_item,
        actor=developer,
        product=product,
        title="Aanvraag indienen",
        acceptance_criteria=["De aanvrager krijgt een ontvangstbevestiging"],
        estimate=5,
    )
    for communicator in sockets:
        data = await next_event(communicator, "item.created")
        assert (data["id"], data["reference"], data["ready"]) == (first.pk, "SUB-1", True)

    second = await call(
        services.create_item,
        actor=product_owner,
        product=product,
        title="Aanvraag intrekken",
        acceptance_criteria=["Intrekken kan tot het besluit"],
        estimate=3,
    )
    await call(services.move_item, actor=product_owner, item=second, to="top")
    for communicator in sockets:
        assert (await next_event(communicator, "item.created"))["id"] == second.pk
        moved = await next_event(communicator, "item.moved")
        assert moved["id"] == second.pk and moved["position"] < first.position

    sprint = await call(
        services.plan_sprint, actor=product_owner, product=product, start=localdate()
    )
    await call(services.commit_items, actor=product_owner, sprint=sprint, items=[first, second])
    await call(services.start_sprint, actor=product_owner, sprint=sprint)
    for communicator in sockets:
        started = await next_event(communicator, "sprint.started")
        assert started == {
            "id": sprint.pk,
            "number": 1,
            "state": "active",
            "actor": product_owner.pk,
        }

    for item in (first, second):
        await call(services.set_item_status, actor=developer, item=item, status=ItemStatus.DONE)
    increment = await call(
        services.create_increment,
        actor=developer,
        product=product,
        version="0.1.0",
        items=[first, second],
        sprint=sprint,
    )
    await call(
        services.submit_increment,
        actor=product_owner,
        increment=increment,
        deadline=localdate() + timedelta(days=3),
    )
    for communicator in sockets:
        assert (await next_event(communicator, "increment.submitted"))["id"] == increment.pk
    verdict = await call(
        services.give_verdict,
        actor=tester,
        increment=increment,
        item=first,
        accepted=False,
        remarks="De bevestiging noemt het verkeerde bedrag.",
    )
    for communicator in sockets:
        # The follow-up bug is created inside the verdict's transaction, so it comes first.
        follow_up = await next_event(communicator, "item.created")
        assert follow_up["kind"] == "bug" and follow_up["reference"] == "SUB-3"
        given = await next_event(communicator, "verdict.given")
        assert given == {
            "id": verdict.pk,
            "increment": increment.pk,
            "item": first.pk,
            "accepted": False,
            "outcome": "rejected",
            "tester": tester.pk,
        }

    # The last outstanding outcome decides the increment, which the acceptance page follows.
    await call(
        services.give_verdict,
        actor=tester,
        increment=increment,
        item=second,
        accepted=False,
        remarks="Intrekken na het besluit kan nog.",
    )
    for communicator in sockets:
        decided = await next_event(communicator, "increment.decided")
        assert decided == {
            "id": increment.pk,
            "version": "0.1.0",
            "state": "rejected",
            "actor": tester.pk,
        }

    for communicator in sockets:
        await communicator.disconnect()


@LAYERS
async def test_a_failed_change_publishes_nothing(
    channel_layer_settings, product, product_owner, make_item
):
    item = await database_sync_to_async(make_item)("Formulier")
    socket, connected, _ = await open_socket(f"/ws/products/{product.pk}/", product_owner)
    assert connected
    with pytest.raises(services.DomainError):
        await call(services.move_item, actor=product_owner, item=item, after=item)
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


@LAYERS
async def test_only_people_who_may_view_the_product_can_listen(
    channel_layer_settings, product, outsider_person, zob, eindhoven, product_owner
):
    _socket, connected, code = await open_socket(f"/ws/products/{product.pk}/", outsider_person)
    assert (connected, code) == (False, 4403)
    _socket, connected, code = await open_socket(f"/ws/products/{product.pk}/")
    assert (connected, code) == (False, 4401)
    _socket, connected, code = await open_socket("/ws/products/999999/", product_owner)
    assert (connected, code) == (False, 4403)

    # Listening to one product says nothing about another.
    other = await call(
        services.create_product,
        actor=product_owner,
        cooperative=zob,
        owner=eindhoven,
        name="Inwonerscloud",
        key="INW",
    )
    other_socket, connected, _ = await open_socket(f"/ws/products/{other.pk}/", product_owner)
    assert connected
    await call(services.create_item, actor=product_owner, product=product, title="Elders")
    assert await other_socket.receive_nothing(timeout=0.3)
    await other_socket.disconnect()


@LAYERS
async def test_the_asked_tester_is_notified_of_a_submitted_increment(
    channel_layer_settings, product, product_owner, developer, tester, second_tester, active_sprint
):
    inbox, connected, _ = await open_socket("/ws/notifications/", tester)
    assert connected
    not_asked, connected, _ = await open_socket("/ws/notifications/", second_tester)
    assert connected
    items = await database_sync_to_async(lambda: list(active_sprint.items.all()))()
    for item in items:
        await call(services.set_item_status, actor=developer, item=item, status=ItemStatus.DONE)
    increment = await call(
        services.create_increment, actor=developer, product=product, version="0.1.0", items=items
    )
    deadline = localdate() + timedelta(days=4)
    await call(
        services.submit_increment,
        actor=product_owner,
        increment=increment,
        deadline=deadline,
        testers=[tester],
    )
    data = await next_event(inbox, "increment.submitted")
    assert data == {
        "id": increment.pk,
        "version": "0.1.0",
        "product": product.pk,
        "deadline": deadline.isoformat(),
        "actor": product_owner.pk,
    }
    assert await not_asked.receive_nothing(timeout=0.3)
    await inbox.disconnect()
    await not_asked.disconnect()


# --- several server processes ----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    """The URL of the test database (not the one DATABASE_URL names), for the servers."""
    db = django_settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_serving(port, process, log, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"server on port {port} exited with {process.returncode}; see {log}"
            )
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # answering at all is enough; health is not what this test checks
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"server on port {port} did not start within {timeout}s")


@pytest.fixture
def two_servers(transactional_db, settings, tmp_path):
    """Two uvicorn processes on the test database and one Redis, with a channel prefix of their
    own that the test process shares."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": prefix},
        }
    }
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "CHANNELS_PREFIX": prefix,
        "DEELBAAR_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "deelbaar.settings",
    }
    servers, logs = [], []
    try:
        for _ in range(2):
            port = _free_port()
            log = (tmp_path / f"server-{port}.log").open("w")
            logs.append(log)
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "deelbaar.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--lifespan",
                    "off",
                    "--log-level",
                    "warning",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                # A file, not a pipe: a pipe nobody reads would stall a chatty server.
                stderr=log,
            )
            servers.append((port, process, log.name))
        for port, process, log_name in servers:
            _wait_until_serving(port, process, log_name)
        yield [port for port, _process, _log in servers]
    finally:
        # Stopped before the test database is flushed, so no server holds a connection to it.
        for _port, process, _log in servers:
            process.terminate()
        for _port, process, _log in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


@pytest.mark.redis
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the servers need a database they can share; the SQLite test database is in memory",
)
async def test_servers_share_events_through_redis(two_servers, product, product_owner, developer):
    from websockets.asyncio.client import connect

    port_a, port_b = two_servers

    async def listen(port, user):
        cookie = await session_cookie_for(user)
        return await connect(
            f"ws://127.0.0.1:{port}/ws/products/{product.pk}/",
            additional_headers={"Cookie": cookie},
            origin=f"http://127.0.0.1:{port}",
            open_timeout=10,
        )

    on_a = await listen(port_a, product_owner)
    on_b = await listen(port_b, developer)
    try:
        # Both sockets are joined once they answer a ping through their own server.
        for websocket in (on_a, on_b):
            await websocket.send(json.dumps({"type": "ping"}))
            assert json.loads(await asyncio.wait_for(websocket.recv(), 5)) == {"type": "pong"}
        # A change made in a third process (this one) reaches the sockets of both servers.
        item = await call(
            services.create_item, actor=developer, product=product, title="Over twee servers"
        )
        for websocket in (on_a, on_b):
            message = json.loads(await asyncio.wait_for(websocket.recv(), 5))
            assert message["type"] == "item.created"
            assert message["data"]["id"] == item.pk

        # A change made through server B's API reaches the socket on server A.
        token = await database_sync_to_async(
            lambda: issue_token(actor=developer, user=developer, name="t")[1]
        )()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port_b}/api/v1/products/{product.pk}/backlog/",
            data=json.dumps({"title": "Via server B"}).encode(),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            method="POST",
        )
        response = await asyncio.to_thread(urllib.request.urlopen, request, timeout=10)
        created = json.loads(response.read())
        message = json.loads(await asyncio.wait_for(on_a.recv(), 5))
        assert message["type"] == "item.created"
        assert message["data"]["id"] == created["id"]
        assert message["data"]["title"] == "Via server B"
    finally:
        await on_a.close()
        await on_b.close()
