"""`deelbaar send_notifications`: what beat schedules, for the embedded mode and cron.

Makes the deadline and maintenance reminders, sends the daily digests and every mail whose
(re)try is due. Idempotent: a second run (the same day) sends nothing twice. Run it from cron,
e.g. hourly: the digest goes out on the first run of each day.
"""

from django.core.management.base import BaseCommand

from deelbaar import mail as outgoing
from notifications import mail, reminders


class Command(BaseCommand):
    help = "Make deadline/maintenance reminders, send daily digests and due mails (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-digest", action="store_true", help="Reminders and due mails only."
        )

    def handle(self, *args, no_digest=False, **options):
        made = reminders.send_reminders()
        digests = 0 if no_digest else mail.send_digests()
        sent = outgoing.send_due()
        self.stdout.write(
            f"{made} reminder notification(s), {digests} digest(s) queued, {sent} due mail(s) sent."
        )
