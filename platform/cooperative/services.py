"""Every state change of the cooperative app: one function, one transaction, one audit record.

Each service checks the permission and the transition it needs, writes the change with its
audit record in one transaction, and notifies people after the commit. Errors are domain
errors (`deelbaar.errors`) with a message that says what is wrong.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cooperative import audit, selectors, signals
from cooperative.contributions import contribution_for
from cooperative.models import (
    Affiliation,
    ContributionKind,
    Cooperative,
    Coordinator,
    Membership,
    MembershipRole,
    MembershipState,
    Organisation,
    OrganisationKind,
    OrganisationRole,
)
from deelbaar import events
from deelbaar.errors import Conflict, DomainError, NotFound
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
POLICY_FIELDS = [
    "contribution_kind",
    "contribution_amount",
    "contribution_minimum",
    "contribution_maximum",
]
# Organisations that can join a cooperative; suppliers and offices work for one instead.
MEMBER_KINDS = {
    OrganisationKind.MUNICIPALITY,
    OrganisationKind.JOINT_ARRANGEMENT,
    OrganisationKind.SHARED_SERVICE_CENTRE,
}

_M = TypeVar("_M", bound=models.Model)


def _validated(instance: _M, *, exclude: Any = None) -> _M:
    """Run the model's validation; field errors become a 400 naming each field."""
    instance.full_clean(exclude=exclude, validate_constraints=True)
    return instance


def _unique_slug(model: Any, name: str, slug: str | None = None) -> str:
    base = slugify(slug or name)[:90] or "item"
    candidate, number = base, 2
    while model.objects.filter(slug=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


# --- Organisations -----------------------------------------------------------------------------
@transaction.atomic
def register_organisation(
    *,
    actor: User,
    kind: str,
    name: str,
    cbs_code: str | None = None,
    inhabitants: int | None = None,
    represents: Any = (),
    slug: str | None = None,
) -> Organisation:
    require(actor, "cooperative.add_organisation")
    if kind not in OrganisationKind.values:
        raise ValidationError(
            {"kind": _("Unknown kind of organisation: %(kind)s.") % {"kind": kind}}
        )
    organisation = Organisation(
        kind=kind,
        name=(name or "").strip(),
        cbs_code=cbs_code or None,
        inhabitants=inhabitants,
        slug=_unique_slug(Organisation, name, slug),
    )
    _validated(organisation)
    organisation.save()
    represented = list(represents)
    if represented:
        if kind not in (OrganisationKind.JOINT_ARRANGEMENT, OrganisationKind.SHARED_SERVICE_CENTRE):
            raise ValidationError(
                {
                    "represents": _(
                        "Only a joint arrangement or shared service centre represents "
                        "municipalities."
                    )
                }
            )
        if any(m.kind != OrganisationKind.MUNICIPALITY for m in represented):
            raise ValidationError({"represents": _("Only municipalities can be represented.")})
        organisation.represents.set(represented)
    audit.record(
        actor=actor,
        action="organisation.registered",
        obj=organisation,
        changes={
            "kind": [None, kind],
            "name": [None, organisation.name],
            "cbs_code": [None, organisation.cbs_code],
            "inhabitants": [None, inhabitants],
            "represents": [None, sorted(m.pk for m in represented)],
        },
    )
    return organisation


ORGANISATION_FIELDS = ["name", "cbs_code", "inhabitants"]


@transaction.atomic
def update_organisation(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    cbs_code: str | None = None,
    inhabitants: int | None = None,
    represents: Any = (),
) -> Organisation:
    """Correct an organisation's name, CBS code, inhabitants or the municipalities it
    represents. Its kind and slug stay as registered.

    The change is recorded once in each cooperative the organisation belongs to, so every
    coordinator who answers for it sees it in their own trail (once, without a cooperative,
    when it belongs to none)."""
    require(actor, "cooperative.change_organisation", organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    cooperatives: list[Cooperative | None] = list(
        selectors.cooperatives_of_organisation(organisation)
    ) or [None]
    before = audit.snapshot(organisation, ORGANISATION_FIELDS)
    before["represents"] = sorted(organisation.represents.values_list("pk", flat=True))
    organisation.name = (name or "").strip()
    organisation.cbs_code = cbs_code or None
    organisation.inhabitants = inhabitants
    _validated(organisation)
    represented = list(represents)
    if represented and organisation.kind not in (
        OrganisationKind.JOINT_ARRANGEMENT,
        OrganisationKind.SHARED_SERVICE_CENTRE,
    ):
        raise ValidationError(
            {
                "represents": _(
                    "Only a joint arrangement or shared service centre represents municipalities."
                )
            }
        )
    if any(m.kind != OrganisationKind.MUNICIPALITY for m in represented):
        raise ValidationError({"represents": _("Only municipalities can be represented.")})
    organisation.save(update_fields=ORGANISATION_FIELDS)
    organisation.represents.set(represented)
    after = audit.snapshot(organisation, ORGANISATION_FIELDS)
    after["represents"] = sorted(m.pk for m in represented)
    changes = audit.diff(before, after)
    if changes:
        for cooperative in cooperatives:
            audit.record(
                actor=actor,
                action="organisation.changed",
                obj=organisation,
                changes=changes,
                cooperative=cooperative,
                organisation=organisation,
            )
    return organisation


@transaction.atomic
def affiliate(
    *, actor: User, organisation: Organisation, user: User, role: str = OrganisationRole.STAFF
) -> Affiliation:
    """Record that `user` works for `organisation` (administrators; invitations use
    `add_person`)."""
    require(actor, "cooperative.affiliate")
    return _affiliate(actor=actor, organisation=organisation, user=user, role=role)


def _affiliate(
    *, actor: User, organisation: Organisation, user: User, role: str, reason: str = ""
) -> Affiliation:
    if role not in OrganisationRole.values:
        raise DomainError(_("Unknown organisation role: %(role)s.") % {"role": role}, field="role")
    affiliation, created = Affiliation.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if created:
        audit.record(
            actor=actor,
            action="organisation.person_added",
            obj=organisation,
            changes={"person": [None, user.get_username()], "role": [None, role]},
            organisation=organisation,
            reason=reason,
        )
    elif role == OrganisationRole.ADMIN and affiliation.role != role:
        # Joining again as admin promotes; joining again as staff never demotes.
        affiliation.role = role
        affiliation.save(update_fields=["role"])
        audit.record(
            actor=actor,
            action="organisation.role_changed",
            obj=organisation,
            changes={"person": [user.get_username()] * 2, "role": [OrganisationRole.STAFF, role]},
            organisation=organisation,
            reason=reason,
        )
    return affiliation


def add_person(
    *, actor: User, organisation: Organisation, user: User, role: str, reason: str = ""
) -> Affiliation:
    """Affiliate `user` with `organisation` on behalf of `actor`, whose right to do so the caller
    has checked (an accepted invitation carries the inviter's). Call inside a transaction."""
    return _affiliate(actor=actor, organisation=organisation, user=user, role=role, reason=reason)


def _locked_affiliation(organisation: Organisation, user: User) -> Affiliation:
    affiliation = (
        Affiliation.objects.select_for_update()
        .filter(organisation=organisation, user=user)
        .select_related("user")
        .first()
    )
    if affiliation is None:
        raise NotFound(
            _("This person does not work for %(organisation)s.") % {"organisation": organisation}
        )
    return affiliation


def _keep_an_admin(organisation: Organisation, affiliation: Any) -> None:
    """An organisation with admins keeps at least one: its people must stay manageable by
    someone of its own."""
    others = (
        Affiliation.objects.select_for_update()
        .filter(organisation=organisation, role=OrganisationRole.ADMIN)
        .exclude(pk=affiliation.pk)
    )
    if affiliation.role == OrganisationRole.ADMIN and not others.exists():
        raise Conflict(
            _("%(person)s is the last admin of %(organisation)s: make someone else admin first.")
            % {
                "person": affiliation.user.get_full_name() or affiliation.user.get_username(),
                "organisation": organisation,
            },
            field="role",
            code="last_admin",
        )


@transaction.atomic
def change_organisation_role(
    *, actor: User, organisation: Organisation, user: User, role: str
) -> Affiliation:
    """Make a person of the organisation its admin, or staff."""
    require(actor, "cooperative.manage_people", organisation)
    if role not in OrganisationRole.values:
        raise DomainError(_("Unknown organisation role: %(role)s.") % {"role": role}, field="role")
    affiliation = _locked_affiliation(organisation, user)
    if affiliation.role == role:
        return affiliation
    if role != OrganisationRole.ADMIN:
        _keep_an_admin(organisation, affiliation)
    before = affiliation.role
    affiliation.role = role
    affiliation.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="organisation.role_changed",
        obj=organisation,
        changes={"person": [user.get_username()] * 2, "role": [before, role]},
        organisation=organisation,
    )
    return affiliation


@transaction.atomic
def remove_person(*, actor: User, organisation: Organisation, user: User, reason: str = "") -> None:
    """The person no longer works for the organisation. Their history (verdicts, the audit
    trail) stays; `person_removed` tells the apps that hold their access (tokens, teams)."""
    require(actor, "cooperative.manage_people", organisation)
    affiliation = _locked_affiliation(organisation, user)
    _keep_an_admin(organisation, affiliation)
    role = affiliation.role
    affiliation.delete()
    audit.record(
        actor=actor,
        action="organisation.person_removed",
        obj=organisation,
        changes={"person": [user.get_username(), None], "role": [role, None]},
        organisation=organisation,
        reason=reason,
    )
    signals.person_removed.send(
        sender=Affiliation, organisation=organisation, user=user, actor=actor
    )


# --- Cooperatives ------------------------------------------------------------------------------
def _policy(kind: str, amount: Any, minimum: Any, maximum: Any) -> dict[str, Decimal | None]:
    errors = {}
    if kind not in ContributionKind.values:
        errors["contribution_kind"] = _("Unknown contribution policy: %(kind)s.") % {"kind": kind}
    values: dict[str, Decimal | None] = {}
    for field, value in (
        ("contribution_amount", amount),
        ("contribution_minimum", minimum),
        ("contribution_maximum", maximum),
    ):
        if value is None or value == "":
            values[field] = None
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            errors[field] = _("Enter an amount in euros, such as 1250.00.")
            continue
        if not number.is_finite():
            errors[field] = _("Enter an amount in euros, such as 1250.00.")
        elif number < 0:
            errors[field] = _("An amount cannot be negative.")
        values[field] = number
    if values.get("contribution_amount") is None and "contribution_amount" not in errors:
        errors["contribution_amount"] = _("Give the amount, or the amount per inhabitant.")
    low, high = values.get("contribution_minimum"), values.get("contribution_maximum")
    if low is not None and high is not None and low > high and not errors:
        errors["contribution_maximum"] = _("The maximum cannot be below the minimum.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def create_cooperative(
    *,
    actor: User,
    name: str,
    description: str = "",
    slug: str | None = None,
    office: Any = None,
    contribution_kind: str = ContributionKind.FIXED,
    contribution_amount: Any = Decimal("0"),
    contribution_minimum: Any = None,
    contribution_maximum: Any = None,
) -> Cooperative:
    require(actor, "cooperative.add_cooperative")
    policy = _policy(
        contribution_kind, contribution_amount, contribution_minimum, contribution_maximum
    )
    cooperative = Cooperative(
        name=(name or "").strip(),
        description=description,
        office=office,
        slug=_unique_slug(Cooperative, name, slug),
        contribution_kind=contribution_kind,
        **policy,
    )
    _validated(cooperative)
    cooperative.save()
    audit.record(
        actor=actor,
        action="cooperative.created",
        obj=cooperative,
        cooperative=cooperative,
        changes={
            "name": [None, cooperative.name],
            **{f: [None, getattr(cooperative, f)] for f in POLICY_FIELDS},
        },
    )
    return cooperative


@transaction.atomic
def change_contribution_policy(
    *,
    actor: User,
    cooperative: Cooperative,
    contribution_kind: str,
    contribution_amount: Any,
    contribution_minimum: Any = None,
    contribution_maximum: Any = None,
    reason: str = "",
) -> Cooperative:
    """Change what joining costs. Memberships already approved keep the amount they were given."""
    require(actor, "cooperative.change_cooperative", cooperative)
    cooperative = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    before = audit.snapshot(cooperative, POLICY_FIELDS)
    policy = _policy(
        contribution_kind, contribution_amount, contribution_minimum, contribution_maximum
    )
    cooperative.contribution_kind = contribution_kind
    for field, value in policy.items():
        setattr(cooperative, field, value)
    _validated(cooperative)
    cooperative.save(update_fields=POLICY_FIELDS)
    cooperative.refresh_from_db(fields=POLICY_FIELDS)
    changes = audit.diff(before, audit.snapshot(cooperative, POLICY_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action="cooperative.policy_changed",
            obj=cooperative,
            cooperative=cooperative,
            changes=changes,
            reason=reason,
        )
    return cooperative


@transaction.atomic
def appoint_coordinator(*, actor: User, cooperative: Cooperative, user: User) -> Coordinator:
    require(actor, "cooperative.appoint_coordinator", cooperative)
    coordinator, created = Coordinator.objects.get_or_create(cooperative=cooperative, user=user)
    if created:
        audit.record(
            actor=actor,
            action="cooperative.coordinator_appointed",
            obj=cooperative,
            cooperative=cooperative,
            changes={"coordinator": [None, user.get_username()]},
        )
    return coordinator


# --- Memberships -------------------------------------------------------------------------------
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
