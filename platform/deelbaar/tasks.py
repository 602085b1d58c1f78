"""Background jobs of the project itself."""

import socket

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone


@shared_task(name="deelbaar.ping")
def ping() -> dict:
    """Answer from whichever process runs the job: proof that a worker picks jobs up."""
    return {"pong": True, "host": socket.gethostname(), "at": timezone.now().isoformat()}


@shared_task(name="deelbaar.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Remove expired sessions (daily, on the beat schedule in settings)."""
    call_command("clearsessions")
