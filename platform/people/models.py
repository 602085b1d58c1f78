"""Invitations: how a person gets into Deelbaar, by a link sent to their e-mail address.

An invitation names the organisation the person will work for and their role there, and, when a
product owner invites, the team role on that product. The link carries a random token; only its
keyed hash is stored, so the table holds nothing that opens an invitation.
"""

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
    def pending(self):
        return self.filter(state=InvitationState.PENDING)

    def open(self):
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
