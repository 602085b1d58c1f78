"""Organisations, cooperatives, memberships, coordinators and the audit trail."""

from decimal import Decimal
from typing import Self

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CBS_CODE_PATTERN = r"^GM[0-9]{4}$"
cbs_code_validator = RegexValidator(
    CBS_CODE_PATTERN,
    _("A CBS municipality code is GM followed by four digits, such as GM0772."),
    code="invalid_cbs_code",
)


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    JOINT_ARRANGEMENT = "joint_arrangement", _("joint arrangement")
    COOPERATIVE_OFFICE = "cooperative_office", _("cooperative office")
    SUPPLIER = "supplier", _("supplier")
    SHARED_SERVICE_CENTRE = "shared_service_centre", _("shared service centre")


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    cbs_code = models.CharField(
        _("CBS code"),
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        validators=[cbs_code_validator],
    )
    inhabitants = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)
    represents = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="represented_by",
        verbose_name=_("represents"),
        help_text=_("For a joint arrangement: the municipalities it acts for."),
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Affiliation",
        related_name="organisations",
        verbose_name=_("people"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="municipality_has_cbs_code_and_inhabitants",
                condition=~Q(kind="municipality")
                | Q(cbs_code__isnull=False, inhabitants__isnull=False),
            ),
            models.CheckConstraint(
                name="only_municipalities_have_cbs_code",
                condition=Q(kind="municipality") | Q(cbs_code__isnull=True),
            ),
            models.CheckConstraint(
                name="cbs_code_format",
                condition=Q(cbs_code__isnull=True) | Q(cbs_code__regex=CBS_CODE_PATTERN),
            ),
            models.CheckConstraint(
                name="organisation_kind_known",
                condition=Q(kind__in=OrganisationKind.values),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # The check constraints hold these rules; this names the field at fault, where the
        # constraints could only say which constraint was violated.
        errors = {}
        if self.kind == OrganisationKind.MUNICIPALITY:
            if not self.cbs_code:
                errors["cbs_code"] = _("A municipality needs its CBS code, such as GM0772.")
            if self.inhabitants is None:
                errors["inhabitants"] = _("Give the number of inhabitants of the municipality.")
        elif self.cbs_code:
            errors["cbs_code"] = _("Only a municipality has a CBS code.")
        if errors:
            raise ValidationError(errors)


class OrganisationRole(models.TextChoices):
    """A person's role in their organisation: an admin manages the organisation's people."""

    ADMIN = "admin", _("admin")
    STAFF = "staff", _("staff")


class Affiliation(models.Model):
    """A person working for (or on behalf of) an organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=OrganisationRole.choices, default=OrganisationRole.STAFF
    )

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_affiliation"),
            models.CheckConstraint(
                name="affiliation_role_known", condition=Q(role__in=OrganisationRole.values)
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"


class ContributionKind(models.TextChoices):
    FIXED = "fixed", _("fixed amount")
    PER_INHABITANT = "per_inhabitant", _("amount per inhabitant")


class Cooperative(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    office = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices_of",
        verbose_name=_("office"),
    )
    contribution_kind = models.CharField(
        _("joining contribution"),
        max_length=20,
        choices=ContributionKind.choices,
        default=ContributionKind.FIXED,
    )
    # For a fixed policy the amount itself, per inhabitant the rate (which may be a fraction
    # of a cent, hence four decimals).
    contribution_amount = models.DecimalField(
        _("amount or rate (€)"),
        max_digits=12,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    contribution_minimum = models.DecimalField(
        _("minimum (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    contribution_maximum = models.DecimalField(
        _("maximum (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Coordinator",
        related_name="coordinated_cooperatives",
        verbose_name=_("coordinators"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        constraints = [
            models.CheckConstraint(
                name="contribution_not_negative",
                condition=Q(contribution_amount__gte=0)
                & (Q(contribution_minimum__isnull=True) | Q(contribution_minimum__gte=0))
                & (Q(contribution_maximum__isnull=True) | Q(contribution_maximum__gte=0)),
            ),
            models.CheckConstraint(
                name="contribution_minimum_not_above_maximum",
                condition=Q(contribution_minimum__isnull=True)
                | Q(contribution_maximum__isnull=True)
                | Q(contribution_minimum__lte=models.F("contribution_maximum")),
            ),
            models.CheckConstraint(
                name="contribution_kind_known",
                condition=Q(contribution_kind__in=ContributionKind.values),
            ),
        ]

    def __str__(self):
        return self.name


class Coordinator(models.Model):
    """A person who admits members and approves publications for a cooperative."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator_roles"
    )

    class Meta:
        verbose_name = _("coordinator")
        verbose_name_plural = _("coordinators")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "user"], name="one_coordinator_role"),
        ]

    def __str__(self):
        return f"{self.user} ({self.cooperative})"


class MembershipRole(models.TextChoices):
    PILOT = "pilot", _("pilot")
    MEMBER = "member", _("member")


class MembershipState(models.TextChoices):
    APPLIED = "applied", _("applied")
    APPROVED = "approved", _("approved, awaiting payment")
    ACTIVE = "active", _("active")
    LEFT = "left", _("left")
    REJECTED = "rejected", _("rejected")


OPEN_STATES = [MembershipState.APPLIED, MembershipState.APPROVED, MembershipState.ACTIVE]


class MembershipQuerySet(models.QuerySet):
    def open(self) -> Self:
        return self.filter(state__in=OPEN_STATES)

    def active(self) -> Self:
        return self.filter(state=MembershipState.ACTIVE)


class Membership(models.Model):
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("cooperative"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MembershipState.choices, default=MembershipState.APPLIED
    )
    contribution_due = models.DecimalField(
        _("contribution due (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("amount paid (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # The person who applied becomes the organisation's first admin when it is approved.
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["cooperative", "organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "organisation"],
                condition=Q(state__in=OPEN_STATES),
                name="one_open_membership",
                violation_error_message=_("This organisation already has an open membership."),
            ),
            models.CheckConstraint(
                name="membership_state_known", condition=Q(state__in=MembershipState.values)
            ),
            models.CheckConstraint(
                name="membership_role_known", condition=Q(role__in=MembershipRole.values)
            ),
            models.CheckConstraint(
                name="rejection_has_reason",
                condition=~Q(state="rejected") | ~Q(rejection_reason=""),
            ),
            models.CheckConstraint(
                name="approval_sets_contribution",
                condition=Q(state__in=["applied", "rejected"]) | Q(contribution_due__isnull=False),
            ),
            models.CheckConstraint(
                name="active_is_paid",
                condition=~Q(state__in=["active", "left"])
                | Q(paid_on__isnull=False, paid_amount__isnull=False),
            ),
            models.CheckConstraint(
                name="contribution_not_negative_on_membership",
                condition=(Q(contribution_due__isnull=True) | Q(contribution_due__gte=0))
                & (Q(paid_amount__isnull=True) | Q(paid_amount__gte=0)),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} in {self.cooperative} ({self.get_state_display()})"


class AuditQuerySet(models.QuerySet):
    """The trail is append-only: bulk changes are refused here, and by PostgreSQL itself."""

    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly

    def delete(self):
        raise AuditTrailIsAppendOnly

    def bulk_update(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly


class AuditTrailIsAppendOnly(Exception):
    def __init__(self):
        super().__init__("The audit trail is append-only: records cannot be changed or removed.")


class AuditRecord(models.Model):
    """Who changed what, when and why: one row per state change, never edited."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # PROTECT: a person or organisation with a history cannot be deleted (deactivate instead),
    # and no cascade could ever rewrite the trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_records",
        verbose_name=_("cooperative"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("Per changed field: [before, after].")
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditTrailIsAppendOnly
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly
