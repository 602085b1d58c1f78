"""The scheduled jobs of notifications (Celery autodiscovery imports this module; see
integrations/tasks.py). Beat runs them (settings.CELERY_BEAT_SCHEDULE); in the embedded mode
the `deelbaar send_notifications` command does the same, from cron or the demo."""

from celery import shared_task


@shared_task(name="notifications.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Deadline tomorrow / passed and maintenance ending: each once per person and object."""
    from notifications import reminders

    return reminders.send_reminders()


@shared_task(name="notifications.send_digests", ignore_result=True)
def send_digests() -> int:
    """The daily digest: one mail per person a day, each notification in one digest."""
    from notifications import mail

    return mail.send_digests()
