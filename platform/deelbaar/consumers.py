"""Websocket consumers of the project: a person's own notifications."""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from deelbaar.events import MESSAGE_TYPE, user_group

# Close codes in the 4000 range are ours; 4401 mirrors HTTP 401.
CLOSE_UNAUTHENTICATED = 4401


class EventConsumer(AsyncJsonWebsocketConsumer):
    """Forwards events published with `deelbaar.events` and answers pings.

    Subclasses decide who may connect and which groups to join in `groups_for()`.
    """

    async def groups_for(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        groups = await self.groups_for()
        if groups is None:
            await self.close(code=4403)
            return
        self.joined = groups
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Bad input from a client is answered, never allowed to crash the socket.
        if text_data is None:
            await self.send_json({"type": "error", "detail": _("Only text messages are accepted.")})
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json({"type": "error", "detail": _("The message is not valid JSON.")})
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_json(
            {"type": "error", "detail": _('Unknown message; only {"type": "ping"} is understood.')}
        )

    async def dispatch(self, message):
        # Channels first closes stale database connections, in the one database thread, before
        # every handler. Forwarding an event touches no database, and that hop per socket per
        # event queued a fan-out to many sockets of one process behind that single thread.
        if message.get("type") == MESSAGE_TYPE:
            await self.event_message(message)
            return
        await super().dispatch(message)

    async def event_message(self, message):
        await self.send_json({"type": message["event"], "data": message["data"]})


class NotificationsConsumer(EventConsumer):
    """/ws/notifications/: everything addressed to the logged-in person."""

    async def groups_for(self):
        return [user_group(self.scope["user"].pk)]
