"""Notifications: what happened that a person should know of, and how each person wants to hear.

A notification stores its kind and the parameters of its text, never the text itself: the text
is written when it is shown, in the language of whoever reads it (`notifications.texts`).
"""

from typing import Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind
from notifications.texts import render


class Channel(models.TextChoices):
    IMMEDIATE = "immediate", _("At once by e-mail")
    DIGEST = "digest", _("In the daily e-mail")
    OFF = "off", _("Not by e-mail")


# What a person who chose nothing gets: what blocks someone's work at once, the rest once a day.
DEFAULT_CHANNELS = {
    Kind.VERDICT_REQUESTED: Channel.IMMEDIATE,
    Kind.DEADLINE_TOMORROW: Channel.IMMEDIATE,
    Kind.DEADLINE_PASSED: Channel.IMMEDIATE,
}


def default_channel(kind: str) -> str:
    return DEFAULT_CHANNELS.get(kind, Channel.DIGEST)


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one person is told about."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # Who did it (None for what the clock did: deadlines, maintenance ending, failing webhooks).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The cooperative it happened in: a notification never reaches anyone outside it.
    cooperative = models.ForeignKey(
        "cooperative.Cooperative", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # The values the text is written from when shown (names, versions, dates as ISO strings).
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    # Set for what may be told only once (a deadline reminder per increment): a second run of a
    # scheduled job finds it and creates nothing.
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_by_recipient"),
            models.Index(
                fields=["recipient", "kind"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"],
                condition=~Q(key=""),
                name="notification_once",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def text(self) -> str:
        """The text in the active language (the reader's)."""
        return render(self)


class Preference(models.Model):
    """How a person wants to hear of one kind; without a row, `default_channel(kind)`."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.kind} {self.channel}"


class Recipient(models.Model):
    """A person's settings for everything they are told: the language it is written in.

    Without a row, the site's language (`settings.LANGUAGE_CODE`).
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return f"{self.person_id}: {self.language}"


# --- E-mail (notifications/mail.py): what was mailed, so nothing is mailed twice ---------------
class Digest(models.Model):
    """The daily summary one person was sent on one day: at most one a day (the constraint)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    day = models.DateField()
    mail = models.ForeignKey(
        "deelbaar.OutgoingMail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification digest")
        verbose_name_plural = _("notification digests")
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="one_digest_a_day"),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.day}"


class Mailing(models.Model):
    """That a notification was mailed, at once or in a digest: once (the one-to-one)."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="mailing"
    )
    mail = models.ForeignKey(
        "deelbaar.OutgoingMail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.CASCADE, related_name="mailings"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification mailing")
        verbose_name_plural = _("notification mailings")

    def __str__(self):
        return f"{self.notification_id} → {self.mail_id}"
