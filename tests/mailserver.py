"""A real SMTP server on the loopback (aiosmtpd) that keeps what it receives, for the mail tests.

    with MailServer() as server:
        settings.EMAIL_URL = server.url   # or EMAIL_HOST/EMAIL_PORT
        ...
        message = server.wait_for(1)[0]   # an email.message.EmailMessage

`reject=True` answers every message with a permanent failure (554), to test retries; `delay`
makes it slow.
"""

import asyncio
import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        delay = max(
            [self.server.delay, *(self.server.slow_for.get(a, 0) for a in envelope.rcpt_tos)]
        )
        if delay:
            await asyncio.sleep(delay)
        if self.server.reject:
            return "554 5.7.1 Rejected by the test"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.server.messages.append(message)
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self, *, reject: bool = False, delay: float = 0):
        self.reject = reject
        # Seconds the server takes to accept a message: a slow mail server; `slow_for` maps
        # recipients to such seconds (only their mails are slow).
        self.delay = delay
        self.slow_for = {}
        self.messages = []
        self.envelopes = []
        self.lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_for(self, count: int, timeout: float = 30, where=None):
        """The first `count` messages (that satisfy `where`), waiting up to `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [m for m in self.messages if where is None or where(m)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} mails arrived within {timeout} s")
            time.sleep(0.05)


def parts(message) -> tuple[str, str | None]:
    """The plain text and the HTML (or None) of a received message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return text.get_content(), html.get_content() if html is not None else None
