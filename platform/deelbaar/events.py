"""The one way the platform publishes live events to websockets.

Services call `publish_on_commit()` inside their transaction: the event leaves only once the
change is committed, so no one is told about something that was rolled back.
"""

import asyncio
import atexit
import json
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# The handler name consumers implement (`event_message`) for messages of this type.
MESSAGE_TYPE = "event.message"

# Sent after the commit, once per event published: to a broadcast group (`group` set, e.g.
# "product.7") or, from `notify_users`, to people (`group` None). Arguments: group, event, data.
# Other apps hook onto the platform's events here (the integrations' outgoing webhooks) without
# each service having to call them.
event_published = Signal()


def user_group(user_id: int) -> str:
    """The group a person's notification sockets join."""
    return f"notifications.user.{user_id}"


def _message(event: str, data: dict) -> dict:
    # Round-trip through JSON so Decimals, dates and UUIDs become plain values that every
    # channel layer can carry (msgpack on Redis cannot).
    return {
        "type": MESSAGE_TYPE,
        "event": event,
        "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    }


SEND_TIMEOUT = 5
# Sends waiting for the publisher at most; past this (Redis gone for a while) new events are
# dropped, and logged, rather than kept in memory without end.
MAX_WAITING = 10_000
_publisher_loop = None
_publisher_queue = None
_publisher_lock = threading.Lock()
_waiting = 0
_all_sent = threading.Event()
_all_sent.set()


async def _send_in_order(queue: asyncio.Queue) -> None:
    """Sends what is queued one after the other, so events arrive in the order published."""
    global _waiting
    while True:
        layer, group, message = await queue.get()
        try:
            await asyncio.wait_for(layer.group_send(group, message), SEND_TIMEOUT)
        except Exception:
            # A live update is a courtesy: the change itself is committed and a reload shows it.
            logger.exception("could not publish %s to %s", message.get("event"), group)
        finally:
            with _publisher_lock:
                _waiting -= 1
                if not _waiting:
                    _all_sent.set()


async def _start_sender() -> asyncio.Queue:
    queue = asyncio.Queue()
    # Kept on the queue: a task only weakly referenced by the loop could be collected.
    queue.sender = asyncio.get_running_loop().create_task(_send_in_order(queue))
    return queue


def _publisher() -> tuple[asyncio.AbstractEventLoop, asyncio.Queue]:
    """One long-lived loop per process for sending to Redis, and the queue of what it sends.

    channels-redis keeps its connections per event loop; async_to_sync would give each event a
    fresh loop and so a fresh connection (measured: 2.5 ms an event, against 0.5 ms here).
    """
    global _publisher_loop, _publisher_queue
    with _publisher_lock:
        if _publisher_loop is None or _publisher_loop.is_closed():
            _publisher_loop = asyncio.new_event_loop()
            threading.Thread(
                target=_publisher_loop.run_forever, name="deelbaar-publisher", daemon=True
            ).start()
            _publisher_queue = asyncio.run_coroutine_threadsafe(
                _start_sender(), _publisher_loop
            ).result(SEND_TIMEOUT)
        return _publisher_loop, _publisher_queue


def wait_for_sends(timeout: float = SEND_TIMEOUT) -> bool:
    """Wait until every event queued for the channel layer has been sent (or given up on);
    False if some are still waiting after `timeout` seconds."""
    return _all_sent.wait(timeout)


# A process that ends (a command, a job's worker shutting down) sends what it queued first.
atexit.register(wait_for_sends)


def _send(layer, group: str, message: dict) -> None:
    global _waiting
    if isinstance(layer, InMemoryChannelLayer):
        # In-memory queues belong to the server's own loop, which async_to_sync reaches.
        async_to_sync(layer.group_send)(group, message)
        return
    # Queued for the publisher's loop, in order: the request that published (a move, say)
    # answers without waiting for Redis.
    loop, queue = _publisher()
    with _publisher_lock:
        if _waiting >= MAX_WAITING:
            logger.error(
                "dropped %s to %s: %d events wait already", message["event"], group, _waiting
            )
            return
        _waiting += 1
        _all_sent.clear()
    loop.call_soon_threadsafe(queue.put_nowait, (layer, group, message))


def publish(group: str, event: str, data: dict) -> None:
    """Send `event` with `data` to everyone in `group` now: on the in-memory layer at once, to
    Redis through the process's publisher (in the order published, without waiting for it)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        _send(layer, group, _message(event, data))
    except Exception:
        # A live update is a courtesy: the change itself is committed and a reload shows it.
        logger.exception("could not publish %s to %s", event, group)


def _announce(group: str | None, event: str, data: dict) -> None:
    try:
        event_published.send(sender=None, group=group, event=event, data=data)
    except Exception:
        # A receiver's fault must not undo or hide the committed change.
        logger.exception("a receiver of %s failed", event)


def publish_on_commit(
    group: str, event: str, data: dict, *, using: str | None = None, announce: bool = True
) -> None:
    """Send the event once the current transaction commits (at once outside one)."""
    message = _message(event, data)

    def send():
        publish(group, event, message["data"])
        if announce:
            _announce(group, event, message["data"])

    transaction.on_commit(send, using=using)


def notify_users(user_ids, event: str, data: dict) -> None:
    """Notify each person, after the current transaction commits; announced once."""
    user_ids = set(user_ids)
    for user_id in user_ids:
        publish_on_commit(user_group(user_id), event, data, announce=False)
    if user_ids:
        message = _message(event, data)
        transaction.on_commit(lambda: _announce(None, event, message["data"]))
