"""Invitations: how a person gets into Deelbaar, by a link sent to their e-mail address.

An invitation names the organisation the person will work for and their role there, and, when a
product owner invites, the team role on that product. The link carries a random token; only its
keyed hash is stored, so the table holds nothing that opens an invitation.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperative.models import Organisation, OrganisationRole


class InvitationTeamRole(models.TextChoices):
    """The team roles an invitation can carry: the product owner role is handed over, not
    invited into."""

    DEVELOPER = "developer", _("developer")
    TESTER = "tester", _("tester")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    REVOKED = "revoked", _("revoked")


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> Self:
        return self.filter(state=InvitationState.PENDING)

    def open(self) -> Self:
        """Pending and not yet expired: a link that still works."""
        return self.pending().filter(expires_at__gt=timezone.now())


class Invitation(models.Model):
    email = models.EmailField(_("e-mail address"), max_length=254)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role in the organisation"),
        max_length=10,
        choices=OrganisationRole.choices,
        default=OrganisationRole.STAFF,
    )
    product = models.ForeignKey(
        "sprints.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("product"),
    )
    team_role = models.CharField(
        _("team role"), max_length=20, choices=InvitationTeamRole.choices, blank=True
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    # salted HMAC (SECRET_KEY) of the link's token: a copy of the table opens nothing.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The link's token, on the object people.services.invite()/resend() return; never stored.
    token: str
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=InvitationState.choices,
        default=InvitationState.PENDING,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=1)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                name="invitation_state_known", condition=Q(state__in=InvitationState.values)
            ),
            models.CheckConstraint(
                name="invitation_role_known", condition=Q(role__in=OrganisationRole.values)
            ),
            # A team role comes with its product, and a product with a team role.
            models.CheckConstraint(
                name="invitation_team_role_with_product",
                condition=(Q(product__isnull=True) & Q(team_role=""))
                | (Q(product__isnull=False) & Q(team_role__in=InvitationTeamRole.values)),
            ),
            models.CheckConstraint(
                name="invitation_accepted_has_person",
                condition=~Q(state="accepted")
                | Q(accepted_at__isnull=False, accepted_by__isnull=False),
            ),
            models.CheckConstraint(
                name="invitation_revoked_has_time",
                condition=~Q(state="revoked") | Q(revoked_at__isnull=False),
            ),
            # One open invitation per address for the same organisation (and team role).
            models.UniqueConstraint(
                fields=["email", "organisation"],
                condition=Q(state="pending", product__isnull=True),
                name="one_pending_invitation",
            ),
            models.UniqueConstraint(
                fields=["email", "organisation", "product", "team_role"],
                condition=Q(state="pending", product__isnull=False),
                name="one_pending_team_invitation",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "state"], name="invitation_org_state")]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.state == InvitationState.PENDING and self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        """The state as a person sees it: pending, expired, accepted or revoked."""
        return "expired" if self.is_expired else self.state


# --- Personal API tokens ------------------------------------------------------------------------
class PersonalTokenQuerySet(models.QuerySet):
    def usable(self) -> Self:
        """Neither revoked nor expired: a token that still signs its owner in."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PersonalToken(models.Model):
    """A named API token of one person (`Authorization: Token …`); several per person.

    Only a SHA-256 digest of the secret is stored: the secret itself is shown once, when the
    token is made, so a copy of this table signs no one in. `prefix` (the secret's first
    characters) lets its owner recognise it in a list.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="personal_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("begins with"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=200, blank=True)

    objects = PersonalTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")
        # Names need not be unique: a script that signs in at /api/v1/auth/token/ on every run
        # under one name must not be refused; the prefix and dates tell tokens apart.
        constraints = [
            models.CheckConstraint(
                name="token_expires_after_creation",
                condition=Q(expires_at__gt=models.F("created_at")),
            ),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="token_owner_created")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"


# --- Requests for access from newcomers -----------------------------------------------------------
class AccessRequestState(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")


class AccessRequest(models.Model):
    """Someone without an account asks a cooperative for access, from its public page.

    The organisation is as they typed it (it may not be on Deelbaar yet); a coordinator who
    approves picks the organisation on Deelbaar, and the applicant gets an invitation to it.
    """

    cooperative = models.ForeignKey(
        "cooperative.Cooperative",
        on_delete=models.CASCADE,
        related_name="access_requests",
        verbose_name=_("cooperative"),
    )
    organisation_name = models.CharField(_("organisation"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), max_length=254)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=AccessRequestState.choices,
        default=AccessRequestState.PENDING,
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation on Deelbaar"),
    )
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invitation"),
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request for access")
        verbose_name_plural = _("requests for access")
        constraints = [
            models.CheckConstraint(
                name="access_request_state_known",
                condition=Q(state__in=AccessRequestState.values),
            ),
            models.CheckConstraint(
                name="access_request_decided",
                condition=Q(state="pending")
                | Q(decided_at__isnull=False, decided_by__isnull=False),
            ),
            models.CheckConstraint(
                name="access_request_approved_has_organisation",
                condition=~Q(state="approved") | Q(organisation__isnull=False),
            ),
            # Asking twice while the first request waits adds nothing to the queue.
            models.UniqueConstraint(
                fields=["cooperative", "email"],
                condition=Q(state="pending"),
                name="one_pending_access_request",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "state"], name="access_request_queue")]

    def __str__(self):
        return f"{self.name} ({self.organisation_name})"
