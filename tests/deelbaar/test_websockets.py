"""/ws/ through the real ASGI app: authentication, origin check, notifications, bad input.

Each test runs on the in-memory channel layer and, when REDIS_URL is set, on Redis.
"""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from deelbaar import events
from deelbaar.asgi import application

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("channel_layer_settings", ["memory", "redis"], indirect=True),
]


@database_sync_to_async
def session_cookie_for(user):
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


async def connect(cookie=None, origin="http://127.0.0.1:8000"):
    headers = [(b"origin", origin.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def test_anonymous_socket_is_refused(channel_layer_settings):
    _communicator, connected, code = await connect()
    assert not connected
    assert code == 4401


async def test_foreign_origin_is_refused(channel_layer_settings, user):
    cookie = await session_cookie_for(user)
    _communicator, connected, _ = await connect(cookie, origin="https://evil.example")
    assert not connected


async def test_person_receives_own_notification_only(channel_layer_settings, make_user):
    alice = await database_sync_to_async(make_user)("alice")
    bob = await database_sync_to_async(make_user)("bob")
    alice_socket, ok_a, _ = await connect(await session_cookie_for(alice))
    bob_socket, ok_b, _ = await connect(await session_cookie_for(bob))
    assert ok_a and ok_b

    await database_sync_to_async(events.publish)(
        events.user_group(alice.pk), "membership.approved", {"membership": 7}
    )
    message = await alice_socket.receive_json_from(timeout=5)
    assert message == {"type": "membership.approved", "data": {"membership": 7}}
    assert await bob_socket.receive_nothing(timeout=0.3)

    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_publish_on_commit_waits_for_the_commit(channel_layer_settings, user):
    from decimal import Decimal

    from django.db import transaction

    socket, connected, _ = await connect(await session_cookie_for(user))
    assert connected

    def change_then_fail():
        with transaction.atomic():
            events.notify_users([user.pk], "rolled.back", {})
            raise RuntimeError("the change failed")

    def change_and_commit():
        with transaction.atomic():
            events.notify_users([user.pk, user.pk], "committed", {"amount": Decimal("12.50")})

    with pytest.raises(RuntimeError):
        await database_sync_to_async(change_then_fail)()
    assert await socket.receive_nothing(timeout=0.3)

    await database_sync_to_async(change_and_commit)()
    message = await socket.receive_json_from(timeout=5)
    # Decimals travel as strings on every layer; a duplicate recipient is told once.
    assert message == {"type": "committed", "data": {"amount": "12.50"}}
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_ping_and_bad_messages_get_answers_not_crashes(channel_layer_settings, user):
    socket, connected, _ = await connect(await session_cookie_for(user))
    assert connected
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}

    await socket.send_to(text_data="{not json")
    reply = await socket.receive_json_from(timeout=5)
    assert reply["type"] == "error" and "JSON" in reply["detail"]

    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"

    await socket.send_json_to(["a", "list"])
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"

    # Still open and working after all that.
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


async def test_disconnect_leaves_the_group(channel_layer_settings, user):
    socket, connected, _ = await connect(await session_cookie_for(user))
    assert connected
    await socket.disconnect()
    await asyncio.sleep(0.05)
    # Publishing to a group nobody listens to is harmless.
    await database_sync_to_async(events.publish)(events.user_group(user.pk), "late", {})
