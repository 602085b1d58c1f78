"""`deelbaar demo`: migrate, load the demo cooperatives, print the logins, serve."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


def parse_addr(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--addr must be HOST:PORT, such as 127.0.0.1:8000; got {addr!r}.")
    return host.strip("[]"), int(port)


class Command(BaseCommand):
    help = "Set up the database, load the demo data (idempotently), print the logins and serve."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to serve on.")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare the demo and print the logins, but do not serve.",
        )

    def handle(self, *args, addr, no_serve, **options):
        host, port = parse_addr(addr)
        if not os.environ.get("DEELBAAR_BASE_URL"):
            # Links in mails lead to the address the demo serves on, not to the default port.
            settings.DEELBAAR_BASE_URL = f"http://{addr}"
        call_command("migrate", interactive=False, verbosity=0)
        logins = []
        for dotted in settings.DEELBAAR_DEMO_LOADERS:
            logins.extend(import_string(dotted)() or [])

        self.stdout.write(self.style.SUCCESS("Deelbaar demo is ready. Logins:"))
        width = max(len(login.role) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role:<{width}}  {login.username} / {login.password}")
        # Reminders and digests as cron would make them (notifications/mail.py).
        call_command("send_notifications", verbosity=0, stdout=self.stdout)
        from deelbaar.mail import delivery_description

        self.stdout.write(f"Mails are {delivery_description()} (set EMAIL_URL to change that).")
        if no_serve:
            return
        self.stdout.write(f"Serving on http://{addr}/ (Ctrl+C stops it).")
        import uvicorn

        uvicorn.run(**server_options(host, port))


def server_options(host: str, port: int) -> dict:
    """How the demo runs uvicorn (uvicorn.Config's arguments)."""
    return {
        "app": "deelbaar.asgi:application",
        "host": host,
        "port": port,
        "log_level": "info",
        "lifespan": "off",
        # As docker-compose.yml's --no-server-header: no "server: uvicorn" telling which
        # server (and so which weaknesses) to try.
        "server_header": False,
    }
