"""The Redis channel layer survives a Redis restart: the next websocket connects and receives.

The layer keeps a pool of connections per event loop. When Redis restarts, every pooled
connection is dead, and the first command sent on one failed: the next websocket's handshake
ended in a 500. This starts a real redis-server of its own, restarts it, and connects again.
"""

import shutil
import socket
import subprocess
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from deelbaar import events
from deelbaar.asgi import application

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# Helper 3's range on the shared machine; the first free port in it is taken.
PORTS = range(18301, 18399)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


class RedisServer:
    """A redis-server of the test's own, on one port, that can be restarted."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (CI's Redis pass has it)"
        # No persistence: the restarted server starts empty, as after a crash.
        options = {"port": str(self.port), "bind": "127.0.0.1", "save": "", "appendonly": "no"}
        self.process = subprocess.Popen(
            [binary, *(arg for name, value in options.items() for arg in (f"--{name}", value))],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "redis-server exited"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self):
        self.stop()
        self.start()


@pytest.fixture
def redis_server():
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def layer_on(settings, redis_server):
    # Exactly the production layer (settings.py), on the test's own server.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": f"redis://127.0.0.1:{redis_server.port}/0",
                        **django_settings.CHANNEL_LAYER_REDIS_OPTIONS,
                    }
                ]
            },
        }
    }


async def open_socket(client):
    name = django_settings.SESSION_COOKIE_NAME
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"cookie", f"{name}={client.cookies[name].value}".encode()),
        ],
    )
    connected, code = await communicator.connect(timeout=5)
    assert connected, code
    return communicator


async def round_trip(communicator, user, kind):
    await database_sync_to_async(events.notify_users)([user.pk], kind, {})
    assert (await communicator.receive_json_from(timeout=5))["type"] == kind


async def test_the_first_websocket_after_a_redis_restart_connects_and_receives(
    layer_on, redis_server, user
):
    client = Client()
    await database_sync_to_async(client.force_login)(user)
    # Fill the pool: a socket that joins its group, receives and leaves again, and a health
    # check (its own layer, its own pool).
    first = await open_socket(client)
    await round_trip(first, user, "before")
    await first.disconnect()
    assert (await database_sync_to_async(client.get)("/healthz")).status_code == 200

    redis_server.restart()

    second = await open_socket(client)
    try:
        await round_trip(second, user, "after")
    finally:
        await second.disconnect()
    assert (await database_sync_to_async(client.get)("/healthz")).status_code == 200
