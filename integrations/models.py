"""Integrations: git repositories linked to products (synced with GitPython, commits linked to
backlog items), incoming push hooks, release tags, and outgoing webhooks with their delivery
log."""

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_hook_secret() -> str:
    return secrets.token_urlsafe(32)


if TYPE_CHECKING:
    from integrations.services.repositories import QueuedSync


class SyncState(models.TextChoices):
    NEW = "new", _("not synced yet")
    QUEUED = "queued", _("waiting to sync")
    SYNCING = "syncing", _("syncing")
    SYNCED = "synced", _("synced")
    FAILED = "failed", _("failed")


class Repository(models.Model):
    """A product's git repository. The platform keeps a bare mirror of it under the data
    folder (`integrations.git.mirror_path()`), fetched by a background job."""

    product = models.ForeignKey(
        "sprints.Product",
        on_delete=models.CASCADE,
        related_name="repositories",
        verbose_name=_("product"),
    )
    # https or ssh URL, or, where settings allow it, a local path.
    url = models.CharField(_("URL or path"), max_length=500)
    default_branch = models.CharField(_("default branch"), max_length=200, default="main")
    # Credentials for reading (and pushing tags to) the repository over https: a deploy token
    # or access token, with the user name the host wants beside it (GitLab's deploy tokens
    # have their own; blank: any). Never part of `url`, never shown back, never written into
    # the mirror's config: git gets it per command in its environment (integrations/git.py).
    access_username = models.CharField(_("user name for the token"), max_length=200, blank=True)
    access_token = models.CharField(_("access token"), max_length=500, blank=True)
    # Shared with the git host to sign or authenticate its push hooks.
    hook_secret = models.CharField(_("hook secret"), max_length=100, default=new_hook_secret)
    state = models.CharField(
        _("state"), max_length=20, choices=SyncState.choices, default=SyncState.NEW
    )
    state_message = models.TextField(_("message"), blank=True)
    head_sha = models.CharField(_("head"), max_length=40, blank=True)
    # Progress of the running sync: commits imported of commits found.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    sync_started_at = models.DateTimeField(_("sync started at"), null=True, blank=True)
    # The running sync's lease: its token, and when it last said it is alive. A lease not
    # renewed within DEELBAAR_SYNC_LEASE_SECONDS belongs to a dead worker and may be taken.
    sync_lease = models.CharField(max_length=32, blank=True)
    sync_heartbeat_at = models.DateTimeField(_("sync last alive at"), null=True, blank=True)
    # A sync asked for while another ran (a push arriving mid-sync): the running one queues
    # one more when it ends, so those commits do not wait for the next push.
    sync_again = models.BooleanField(default=False)
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)
    # What the last sync read from publiccode.yml at the head: the file's text and the commit
    # it was read at (both blank when there is no file), the values offered for the solution's
    # metadata (JSON-ready: dates as ISO strings), and every problem with its key path.
    publiccode_text = models.TextField(_("publiccode.yml"), blank=True)
    publiccode_sha = models.CharField(_("publiccode.yml read at"), max_length=40, blank=True)
    publiccode_fields = models.JSONField(default=dict, blank=True)
    # [{"path", "code", "messages": {language: message}}]: each message in every language of
    # the site, made at sync time, so a page and the API answer in the reader's language
    # without parsing and validating the file again on every read (lists stay cheap), and the
    # problems of reading the file (too large, unreadable), which no text can reproduce, too.
    publiccode_problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["product", "url"]
        verbose_name = _("repository")
        verbose_name_plural = _("repositories")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "url"], name="repository_unique_per_product"
            ),
            models.CheckConstraint(
                name="repository_state_known", condition=Q(state__in=SyncState.values)
            ),
        ]

    def __str__(self):
        return f"{self.product.key}: {self.url}"


class Commit(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="commits")
    sha = models.CharField(_("SHA"), max_length=40)
    author_name = models.CharField(_("author"), max_length=300, blank=True)
    author_email = models.CharField(_("author's e-mail"), max_length=300, blank=True)
    authored_at = models.DateTimeField(_("authored at"))
    committed_at = models.DateTimeField(_("committed at"), db_index=True)
    message = models.TextField(_("message"), blank=True)
    parents = models.JSONField(_("parents"), default=list, blank=True)
    # Backlog items whose reference (SUB-42) the message mentions.
    items = models.ManyToManyField(
        "sprints.BacklogItem", blank=True, related_name="commits", verbose_name=_("items")
    )

    class Meta:
        ordering = ["-committed_at", "sha"]
        verbose_name = _("commit")
        verbose_name_plural = _("commits")
        constraints = [
            models.UniqueConstraint(fields=["repository", "sha"], name="commit_unique_sha"),
        ]

    def __str__(self):
        return self.sha[:10]

    @property
    def summary(self) -> str:
        return self.message.split("\n", 1)[0]


class HookProvider(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    GITEA = "gitea", "Gitea"


class HookDelivery(models.Model):
    """An incoming push hook, kept by its delivery id so a repeated delivery counts once."""

    # Set by integrations.services.hooks.receive_push on the delivery it returns; never stored.
    outcome: str
    queued: "QueuedSync | None"

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="hook_deliveries"
    )
    provider = models.CharField(_("provider"), max_length=20, choices=HookProvider.choices)
    delivery_id = models.CharField(_("delivery id"), max_length=200)
    event = models.CharField(_("event"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("incoming hook delivery")
        verbose_name_plural = _("incoming hook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "provider", "delivery_id"], name="hook_delivery_once"
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.delivery_id}"


class HookBodyDigest(models.Model):
    """The SHA-256 of a push hook's signed body, kept for DEELBAAR_HOOK_REPLAY_WINDOW: the same
    body again, under any delivery id, is a replay and is ignored. Older digests are pruned."""

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="hook_body_digests"
    )
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository", "digest"], name="hook_body_once"),
        ]

    def __str__(self):
        return self.digest[:12]


class ReleaseTag(models.Model):
    """The annotated tag made in a product's repository when a release is published, and the
    changelog since the previous tag."""

    release = models.OneToOneField(
        "solutions.Release", on_delete=models.CASCADE, related_name="tag", verbose_name=_("release")
    )
    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="tags", verbose_name=_("repository")
    )
    name = models.CharField(_("tag"), max_length=200)
    sha = models.CharField(_("tagged commit"), max_length=40, blank=True)
    pushed = models.BooleanField(_("pushed"), default=False)
    message = models.TextField(_("message"), blank=True)
    changelog = models.TextField(_("changelog"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("release tag")
        verbose_name_plural = _("release tags")

    def __str__(self):
        return self.name


class WebhookEvent(models.TextChoices):
    INCREMENT_SUBMITTED = "increment.submitted", _("increment submitted")
    VERDICT_GIVEN = "verdict.given", _("verdict given")
    INCREMENT_ACCEPTED = "increment.accepted", _("increment accepted")
    SOLUTION_PUBLISHED = "solution.published", _("solution published")
    RELEASE_PUBLISHED = "release.published", _("release published")
    ADOPTION_CHANGED = "adoption.changed", _("adoption changed")
    MEMBERSHIP_ACTIVATED = "membership.activated", _("membership activated")


class WebhookSubscription(models.Model):
    """A coordinator subscribes a URL to a cooperative's events; deliveries are signed with the
    subscription's secret (Standard Webhooks)."""

    cooperative = models.ForeignKey(
        "cooperative.Cooperative",
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("cooperative"),
    )
    url = models.URLField(_("URL"), max_length=500)
    # "whsec_" and base64, as the standardwebhooks package expects.
    secret = models.CharField(_("secret"), max_length=200)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["cooperative", "url"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    RETRYING = "retrying", _("retrying")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    """One event for one subscription; its attempts are logged in WebhookAttempt."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=50)
    # The Standard Webhooks message id ("msg_..."), the same on every attempt and redelivery.
    message_id = models.CharField(_("message id"), max_length=100)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.CheckConstraint(
                name="delivery_state_known", condition=Q(state__in=DeliveryState.values)
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription.url}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"#{self.number}: {self.status_code or self.error[:40]}"
