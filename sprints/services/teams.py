"""A product's team: adding, changing and removing members, handing over ownership."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cooperative import audit
from deelbaar.errors import Conflict, DomainError, NotFound
from deelbaar.permissions import allowed, require
from deelbaar.typing import User
from sprints import events
from sprints.models import (
    Increment,
    IncrementState,
    ItemOutcome,
    Product,
    TeamMember,
    TeamRole,
)
from sprints.selectors import product_organisations, team_candidates
from sprints.services._common import _lock
from sprints.services.acceptance import _accept_if_all_approved, _decide_increment
from sprints.services.assignment import release_assignments


def _person_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _team_changed(
    product: Product, event: str, member: TeamMember, actor: User, **extra: Any
) -> None:
    # Everyone on the product's pages sees the team change; `event_published` lets the
    # notifications tell the person concerned.
    events.team_event(product, event, member, actor=actor, **extra)


def _check_candidate(product: Product, user: User, field: str = "user") -> None:
    if not team_candidates(product).filter(pk=user.pk).exists():
        raise DomainError(
            _(
                "%(person)s does not work for %(owner)s, a participating organisation or a "
                "supplier, so cannot join this product's team."
            )
            % {"person": _person_name(user), "owner": product.owner},
            field=field,
        )


def _stop_asking(*, actor: User, product: Product, user: User) -> None:
    """Someone who may no longer give verdicts on the product (removed as tester, made
    developer or owner) is no longer waited for: they leave the testers asked on its increments
    awaiting acceptance, whose items are then decided by the testers still asked. What they
    said stays."""
    if allowed(user, "sprints.give_verdict", product):
        return
    waiting = Increment.objects.select_for_update(of=("self",)).filter(
        product=product, state=IncrementState.SUBMITTED, testers=user
    )
    for increment in waiting.select_related("product__cooperative"):
        increment.testers.remove(user)
        audit.record(
            actor=actor,
            action="increment.tester_withdrawn",
            obj=increment,
            cooperative=product.cooperative,
            changes={"testers": [user.get_username(), None]},
        )
        if not increment.testers.exists():
            continue  # nobody left to ask: it waits until the product owner asks others
        for entry in increment.increment_items.filter(outcome=ItemOutcome.PENDING):
            _accept_if_all_approved(entry, increment, actor)
        _decide_increment(increment, actor)


@transaction.atomic
def add_team_member(*, actor: User, product: Product, user: User, role: str) -> TeamMember:
    """Put a person on the product's team in a role (a person may hold several).

    Only the product owner and the cooperative's coordinators manage the team. The person works
    for the owning organisation, a participating one or a supplier. Adding a role the person
    already holds changes nothing and answers the existing row. The API and pages add only
    developers and testers; the owner's role changes hands by `hand_over_product`.
    """
    require(actor, "sprints.manage_team", product)
    if role not in TeamRole.values:
        raise DomainError(_("Unknown team role: %(role)s.") % {"role": role}, field="role")
    product = _lock(product)
    _check_candidate(product, user)
    member, created = TeamMember.objects.get_or_create(product=product, user=user, role=role)
    if created:
        audit.record(
            actor=actor,
            action="product.team_member_added",
            obj=product,
            cooperative=product.cooperative,
            changes={"team": [None, f"{user.get_username()}: {role}"]},
        )
        _team_changed(product, "team.member_added", member, actor)
    return member


@transaction.atomic
def change_team_role(*, actor: User, member: TeamMember, role: str) -> TeamMember:
    """Make a developer a tester or the other way round, mid-sprint if need be.

    What they did in their old role stays (verdicts, history); what they may do follows the
    new role at once, so a tester made developer can no longer give verdicts. The product
    owner's role changes hands only by `hand_over_product`.
    """
    product = member.product
    require(actor, "sprints.manage_team", product)
    if role not in (TeamRole.DEVELOPER, TeamRole.TESTER):
        raise DomainError(
            _("A team member is a developer or a tester; hand over the product owner role."),
            field="role",
        )
    product = _lock(product)
    member = TeamMember.objects.select_related("user").get(pk=member.pk)
    if member.role == TeamRole.PRODUCT_OWNER:
        raise Conflict(
            _("The product owner's role changes only by handing it over to someone else."),
            field="role",
        )
    if member.role == role:
        return member
    if TeamMember.objects.filter(product=product, user=member.user, role=role).exists():
        raise Conflict(
            _("%(person)s already has this role on the team.")
            % {"person": _person_name(member.user)},
            field="role",
        )
    old, name = member.role, member.user.get_username()
    member.role = role
    member.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="product.team_role_changed",
        obj=product,
        cooperative=product.cooperative,
        changes={"team": [f"{name}: {old}", f"{name}: {role}"]},
    )
    _team_changed(product, "team.member_changed", member, actor, previous_role=old)
    _stop_asking(actor=actor, product=product, user=member.user)
    # Someone who no longer builds the product is no longer given its work.
    release_assignments(actor=actor, product=product, user=member.user)
    return member


@transaction.atomic
def remove_team_member(*, actor: User, member: TeamMember) -> None:
    """Take a role off a person. Their verdicts, drafts and history stay as they were; they
    are no longer asked, nor may they act in that role. The last product owner cannot be
    removed (hand the role over first), so a product is never without one."""
    product = member.product
    require(actor, "sprints.manage_team", product)
    product = _lock(product)
    found = TeamMember.objects.select_related("user").filter(pk=member.pk).first()
    if found is None:
        raise NotFound(_("This person is no longer on the team."))
    member = found
    if (
        member.role == TeamRole.PRODUCT_OWNER
        and not product.members.filter(role=TeamRole.PRODUCT_OWNER).exclude(pk=member.pk).exists()
    ):
        raise Conflict(
            _("Hand the product owner role over to someone else before leaving the team."),
            field="role",
        )
    audit.record(
        actor=actor,
        action="product.team_member_removed",
        obj=product,
        cooperative=product.cooperative,
        changes={"team": [f"{member.user.get_username()}: {member.role}", None]},
    )
    _team_changed(product, "team.member_removed", member, actor)
    member.delete()
    _stop_asking(actor=actor, product=product, user=member.user)
    # Someone who no longer builds the product is no longer given its work.
    release_assignments(actor=actor, product=product, user=member.user)


@transaction.atomic
def hand_over_product(*, actor: User, product: Product, user: User) -> TeamMember:
    """Make `user` the product owner in place of the present one.

    The new owner works for the owning or a participating organisation (not a supplier: the
    municipalities steer). A role they held as tester ends, since an owner gives no verdicts;
    the previous owner leaves the team (the owner or coordinator may add them back in another
    role). Answers the new owner's team row.
    """
    require(actor, "sprints.manage_team", product)
    product = _lock(product)
    staff = product_organisations(product).filter(affiliations__user=user)
    if not user.is_active or not staff.exists():
        raise DomainError(
            _(
                "%(person)s does not work for %(owner)s or a participating organisation, so "
                "cannot own this product."
            )
            % {"person": _person_name(user), "owner": product.owner},
            field="user",
        )
    previous = list(
        TeamMember.objects.select_related("user").filter(
            product=product, role=TeamRole.PRODUCT_OWNER
        )
    )
    if any(m.user_id == user.pk for m in previous):
        raise Conflict(
            _("%(person)s already owns this product.") % {"person": _person_name(user)},
            field="user",
        )
    ended = list(
        TeamMember.objects.filter(product=product, user=user, role=TeamRole.TESTER).values_list(
            "role", flat=True
        )
    )
    TeamMember.objects.filter(product=product, user=user, role=TeamRole.TESTER).delete()
    TeamMember.objects.filter(pk__in=[m.pk for m in previous]).delete()
    member = TeamMember.objects.create(product=product, user=user, role=TeamRole.PRODUCT_OWNER)
    audit.record(
        actor=actor,
        action="product.owner_changed",
        obj=product,
        cooperative=product.cooperative,
        changes={
            "product_owner": [
                ", ".join(m.user.get_username() for m in previous) or None,
                user.get_username(),
            ],
            **({"ended_roles": [ended, None]} if ended else {}),
        },
    )
    _team_changed(
        product,
        "team.owner_changed",
        member,
        actor,
        previous_owners=[m.user_id for m in previous],
    )
    _stop_asking(actor=actor, product=product, user=user)
    for owner in previous:
        release_assignments(actor=actor, product=product, user=owner.user)
    return member
