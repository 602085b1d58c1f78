"""Memberships: applying, approval, rejection, payment and leaving."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from cooperative.contributions import contribution_for
from cooperative.models import (
    Affiliation,
    Cooperative,
    Membership,
    MembershipRole,
    MembershipState,
    Organisation,
    OrganisationKind,
    OrganisationRole,
)
from deelbaar import events
from deelbaar.errors import Conflict, DomainError
from deelbaar.permissions import require
from deelbaar.typing import User

MEMBERSHIP_FIELDS = [
    "state",
    "role",
    "contribution_due",
    "paid_on",
    "paid_amount",
    "rejection_reason",
]
# Organisations that can join a cooperative; suppliers and offices work for one instead.
MEMBER_KINDS = {
    OrganisationKind.MUNICIPALITY,
    OrganisationKind.JOINT_ARRANGEMENT,
    OrganisationKind.SHARED_SERVICE_CENTRE,
}


def _locked(membership: Membership) -> Membership:
    # Lock the membership row only: the cooperative and organisation rows stay free for
    # other changes.
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("cooperative", "organisation")
        .get(pk=membership.pk)
    )


def _expect(membership: Membership, state: str, message: str) -> None:
    """Refuse an illegal transition with a 409 that says why."""
    if membership.state != state:
        raise Conflict(message % {"state": membership.get_state_display()}, field="state")


def _notify(membership: Membership, event: str, *, actor: User | None = None) -> None:
    people = membership.organisation.affiliations.values_list("user_id", flat=True)
    coordinators = membership.cooperative.coordinator_set.values_list("user_id", flat=True)
    events.notify_users(
        [*people, *coordinators],
        event,
        {
            "membership": membership.pk,
            "cooperative": membership.cooperative.slug,
            "organisation": membership.organisation.name,
            "state": membership.state,
            # Who acted: notifications leave them out (platform/notifications).
            "actor": getattr(actor, "pk", None),
        },
    )


def _save_transition(
    membership: Membership,
    before: Any,
    *,
    actor: User,
    action: str,
    reason: str = "",
    organisation: Organisation | None = None,
    extra_changes: dict | None = None,
) -> Membership:
    membership.save()
    after = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    audit.record(
        actor=actor,
        action=action,
        obj=membership,
        cooperative=membership.cooperative,
        organisation=organisation or membership.organisation,
        changes={**audit.diff(before, after), **(extra_changes or {})},
        reason=reason,
    )
    return membership


@transaction.atomic
def apply_for_membership(
    *,
    actor: User,
    cooperative: Cooperative,
    organisation: Organisation,
    role: str = MembershipRole.MEMBER,
) -> Membership:
    """A person applies on behalf of their own organisation."""
    require(
        actor,
        "cooperative.act_for_organisation",
        organisation,
        _("You can only apply on behalf of an organisation you work for."),
    )
    if role not in MembershipRole.values:
        raise DomainError(_("Unknown membership role: %(role)s.") % {"role": role}, field="role")
    if organisation.kind not in MEMBER_KINDS:
        raise DomainError(
            _(
                "A %(kind)s cannot become a member; municipalities, joint arrangements and shared "
                "service centres can."
            )
            % {"kind": organisation.get_kind_display()},
            field="organisation",
        )
    # Lock the organisation so two simultaneous applications queue up; the database's
    # conditional unique constraint is the final guard.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if (
        Membership.objects.open()
        .filter(cooperative=cooperative, organisation=organisation)
        .exists()
    ):
        raise Conflict(
            _("%(organisation)s already has an open membership of %(cooperative)s.")
            % {"organisation": organisation, "cooperative": cooperative},
            field="organisation",
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                cooperative=cooperative, organisation=organisation, role=role, applied_by=actor
            )
    except IntegrityError as error:
        raise Conflict(
            _("%(organisation)s already has an open membership of %(cooperative)s.")
            % {"organisation": organisation, "cooperative": cooperative},
            field="organisation",
        ) from error
    audit.record(
        actor=actor,
        action="membership.applied",
        obj=membership,
        cooperative=cooperative,
        organisation=organisation,
        changes={"state": [None, membership.state], "role": [None, role]},
    )
    _notify(membership, "membership.applied", actor=actor)
    return membership


@transaction.atomic
def approve_membership(*, actor: User, membership: Membership) -> Membership:
    """Admit the applicant; the contribution due is computed from the policy at this moment."""
    require(actor, "cooperative.decide_membership", membership)
    membership = _locked(membership)
    _expect(
        membership,
        MembershipState.APPLIED,
        _("Only an application can be approved; this membership is %(state)s."),
    )
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    membership.state = MembershipState.APPROVED
    membership.contribution_due = contribution_for(membership.cooperative, membership.organisation)
    membership.decided_at = timezone.now()
    # The approval's one audit record also names the first admin it made.
    first_admin = _first_admin(membership)
    _save_transition(
        membership,
        before,
        actor=actor,
        action="membership.approved",
        extra_changes={"first_admin": [None, first_admin]} if first_admin else None,
    )
    _notify(membership, "membership.approved", actor=actor)
    return membership


def _first_admin(membership: Membership) -> str | None:
    """The person who applied becomes the new member's first admin, if it has none yet and they
    still work for it, so the organisation can bring in its own people. Their user name, if so."""
    organisation = membership.organisation
    if (
        membership.applied_by_id is None
        or organisation.affiliations.filter(role=OrganisationRole.ADMIN).exists()
    ):
        return None
    updated = Affiliation.objects.filter(
        organisation=organisation, user_id=membership.applied_by_id
    ).update(role=OrganisationRole.ADMIN)
    return membership.applied_by.get_username() if updated and membership.applied_by else None


@transaction.atomic
def reject_membership(*, actor: User, membership: Membership, reason: str) -> Membership:
    require(actor, "cooperative.decide_membership", membership)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the rejection."), field="reason", code="required")
    membership = _locked(membership)
    _expect(
        membership,
        MembershipState.APPLIED,
        _("Only an application can be rejected; this membership is %(state)s."),
    )
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    membership.state = MembershipState.REJECTED
    membership.rejection_reason = reason
    membership.decided_at = timezone.now()
    _save_transition(membership, before, actor=actor, action="membership.rejected", reason=reason)
    _notify(membership, "membership.rejected", actor=actor)
    return membership


@transaction.atomic
def record_payment(
    *, actor: User, membership: Membership, paid_on: date, amount: Any
) -> Membership:
    """Record that the joining contribution was paid in full; this activates the membership."""
    require(actor, "cooperative.decide_membership", membership)
    membership = _locked(membership)
    _expect(
        membership,
        MembershipState.APPROVED,
        _("A payment can only be recorded for an approved membership; this one is %(state)s."),
    )
    paid: Decimal | None
    try:
        paid = Decimal(str(amount))
    except InvalidOperation:
        paid = None
    if paid is None or not paid.is_finite():
        raise DomainError(_("Enter the amount paid in euros, such as 1250.00."), field="amount")
    if paid < 0:
        raise DomainError(_("An amount cannot be negative."), field="amount")
    # Compared as given: quantizing first would silently accept € 0.004 too much, and raises
    # InvalidOperation on an amount too large to carry cents (a 500 instead of a 400).
    if paid != membership.contribution_due:
        raise DomainError(
            _("The amount paid (€ %(paid)s) must equal the contribution due (€ %(due)s).")
            % {"paid": paid, "due": membership.contribution_due},
            field="amount",
        )
    if not isinstance(paid_on, date) or isinstance(paid_on, datetime):
        raise DomainError(_("Give the date of payment."), field="paid_on")
    if paid_on > timezone.localdate():
        raise DomainError(_("The date of payment cannot be in the future."), field="paid_on")
    if membership.decided_at and paid_on < timezone.localdate(membership.decided_at):
        raise DomainError(_("The date of payment cannot be before the approval."), field="paid_on")
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    membership.state = MembershipState.ACTIVE
    membership.paid_on = paid_on
    membership.paid_amount = membership.contribution_due
    membership.activated_at = timezone.now()
    _save_transition(membership, before, actor=actor, action="membership.activated")
    _notify(membership, "membership.activated", actor=actor)
    return membership


@transaction.atomic
def leave_cooperative(*, actor: User, membership: Membership, reason: str = "") -> Membership:
    """End an active membership; the organisation's people lose the right to reuse."""
    require(actor, "cooperative.leave_membership", membership)
    membership = _locked(membership)
    _expect(
        membership,
        MembershipState.ACTIVE,
        _("Only an active membership can be ended; this one is %(state)s."),
    )
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    membership.state = MembershipState.LEFT
    membership.left_at = timezone.now()
    _save_transition(
        membership, before, actor=actor, action="membership.left", reason=(reason or "").strip()
    )
    _notify(membership, "membership.left", actor=actor)
    return membership


def contribution_quote(cooperative: Cooperative, organisation: Organisation) -> Decimal:
    """What joining would cost this organisation now (for the pages; changes nothing)."""
    return contribution_for(cooperative, organisation)
