"""A websocket with nothing to say keeps its wait on the Redis channel layer.

channels_redis waits for a message with a blocking pop of `brpop_timeout` (5 s) and pops again
when nothing came; redis-py 8 stops every read after 5 s by default. With the layer's one retry
on a new connection, an idle websocket's wait failed after two pops ("Timeout reading from"), so
every quiet socket closed with 1011 every ten seconds and its page reconnected; a wait stopped
(its websocket closed) in the retry ran on to that timeout, which held the browser tests' server
for ten seconds after such a page. With the layer configured as settings.py configures it, an
idle wait must outlast several pops without an error, and a stopped wait must stop at once.
"""

import asyncio
import time

import pytest
from channels.layers import get_channel_layer

pytestmark = pytest.mark.redis


async def _idle(layer, seconds):
    """What became of a wait on which nothing arrived for this long."""
    channel = await layer.new_channel()
    try:
        await asyncio.wait_for(layer.receive(channel), seconds)
    except TimeoutError:
        # asyncio's own timeout: nothing arrived, nothing failed. redis-py's TimeoutError
        # ("Timeout reading from …") is not a builtin TimeoutError and propagates.
        return "quiet"
    return "a message"


async def _stopped_after(layer, seconds):
    """How long a wait took to stop when stopped after this long."""
    channel = await layer.new_channel()
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(seconds)
    start = time.monotonic()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    return time.monotonic() - start


async def _quiet_sockets(layer):
    pop = layer.brpop_timeout
    # Stopped early, and in the second pop (where the retry after a read timeout used to be).
    stops = [0.05, pop + 1.0, pop + 2.5]
    return await asyncio.gather(
        _idle(layer, 2 * pop + 1.5), *(_stopped_after(layer, when) for when in stops)
    )


def test_a_quiet_wait_outlasts_the_pops_and_a_stopped_one_stops_at_once():
    idle, *stopping = asyncio.run(_quiet_sockets(get_channel_layer()))
    assert idle == "quiet"
    assert max(stopping) < 1.0, stopping
