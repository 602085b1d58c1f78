"""`deelbaar deliver_webhooks`: make the outgoing webhook attempts that are due (retries after
their backoff, and deliveries whose job was lost). Run it every minute from cron in the
embedded mode, or schedule the `integrations.deliver_due_webhooks` task with celery beat."""

from django.core.management.base import BaseCommand

from integrations.delivery import deliver_due


class Command(BaseCommand):
    help = "Send the webhook deliveries whose next attempt is due."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="At most this many attempts.")

    def handle(self, *args, limit, **options):
        made = deliver_due(limit=limit)
        self.stdout.write(f"{made} attempt(s) made")
