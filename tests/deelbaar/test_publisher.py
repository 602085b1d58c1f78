"""Events for a channel layer other than the in-memory one (Redis) are sent by the process's
publisher, in the order published, without the publishing request waiting for them."""

import asyncio
import time

from channels.layers import BaseChannelLayer

from deelbaar import events


class SlowLayer(BaseChannelLayer):
    """A layer that takes its time, as Redis far away or busy would."""

    def __init__(self, fail_on=None):
        super().__init__()
        self.sent, self.fail_on = [], fail_on

    async def group_send(self, group, message):
        await asyncio.sleep(0.1)
        if message["event"] == self.fail_on:
            raise ConnectionError("Redis went away")
        self.sent.append((group, message["event"]))


def test_publishing_waits_for_no_send_and_keeps_the_order(monkeypatch, caplog):
    layer = SlowLayer(fail_on="item.changed")
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    start = time.perf_counter()
    for event in ("item.created", "item.changed", "item.moved"):
        events.publish("product.7", event, {"id": 1})
    assert time.perf_counter() - start < 0.1  # three sends take 0.3 s
    assert events.wait_for_sends(timeout=5)
    # One that fails is logged and holds up none after it.
    assert layer.sent == [("product.7", "item.created"), ("product.7", "item.moved")]
    assert "could not publish item.changed to product.7" in caplog.text
