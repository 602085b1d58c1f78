"""The platform's own records: the outgoing mail queue (see deelbaar/mail.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RETRYING = "retrying", _("retrying")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutgoingMail(models.Model):
    """One mail to send, and what became of it. Written in the transaction that decides to send
    it, so a mail whose job never ran (Redis away at the commit, a worker killed mid-send) is
    still here to be picked up by the sweep, and a mail that failed for good stays visible."""

    to = models.JSONField(help_text="The recipients' addresses.")
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=998)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=MailState.choices, default=MailState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt may be made; while an attempt runs, the end of its lease (so the
    # sweep does not take a mail that is being sent).
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mails")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="mail_due_idx")]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)} ({self.state})"
