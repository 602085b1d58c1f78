"""Who may do what to which object in the cooperative app. Used by the API and the pages.

Check with `deelbaar.permissions.allowed()` / `require()`, never with client-side state.
"""

import rules

from cooperative import selectors
from cooperative.models import Cooperative, Membership, Organisation
from deelbaar.typing import Person


@rules.predicate
def is_administrator(user: Person) -> bool:
    return user.is_superuser


@rules.predicate
def coordinates(user: Person, cooperative: Cooperative | None) -> bool:
    return cooperative is not None and selectors.is_coordinator(user, cooperative)


@rules.predicate
def coordinates_any(user: Person) -> bool:
    return selectors.coordinated_cooperatives(user).exists()


@rules.predicate
def coordinates_a_cooperative_of(user: Person, organisation: Organisation | None) -> bool:
    return (
        organisation is not None
        and user.is_authenticated
        and selectors.cooperatives_of_organisation(organisation)
        .filter(coordinator__user=user)
        .exists()
    )


@rules.predicate
def works_for(user: Person, organisation: Organisation | None) -> bool:
    return (
        organisation is not None
        and selectors.organisations_of(user).filter(pk=organisation.pk).exists()
    )


@rules.predicate
def is_organisation_admin(user: Person, organisation: Organisation | None) -> bool:
    return selectors.is_organisation_admin(user, organisation)


@rules.predicate
def coordinates_organisation(user: Person, organisation: Organisation | None) -> bool:
    """Coordinates a cooperative the organisation belongs to, or whose office it is."""
    return selectors.coordinates_organisation(user, organisation)


@rules.predicate
def coordinates_membership(user: Person, membership: Membership | None) -> bool:
    return membership is not None and selectors.is_coordinator(user, membership.cooperative)


@rules.predicate
def works_for_member(user: Person, membership: Membership | None) -> bool:
    return membership is not None and works_for(user, membership.organisation)


@rules.predicate
def membership_is_active(user: Person, membership: Membership | None) -> bool:
    return membership is not None and membership.state == "active"


@rules.predicate
def entitled(user: Person, cooperative: Cooperative | None) -> bool:
    return cooperative is not None and selectors.user_is_entitled(user, cooperative)


# Organisations and cooperatives
rules.add_perm("cooperative.add_organisation", is_administrator | coordinates_any)
# Correcting an organisation: object is the organisation. Only the coordinators of a
# cooperative it belongs to (see selectors.cooperatives_of_organisation), not every coordinator.
rules.add_perm("cooperative.change_organisation", is_administrator | coordinates_a_cooperative_of)
rules.add_perm("cooperative.add_cooperative", is_administrator)
rules.add_perm("cooperative.change_cooperative", is_administrator | coordinates)
rules.add_perm("cooperative.appoint_coordinator", is_administrator | coordinates)
rules.add_perm("cooperative.affiliate", is_administrator)
# An organisation's people: object is the organisation. Its own people see who works there;
# its admins, the coordinators of its cooperatives (and of the cooperative it is the office of)
# and administrators invite, change roles and remove.
rules.add_perm(
    "cooperative.view_people",
    is_administrator | works_for | coordinates_organisation,
)
rules.add_perm(
    "cooperative.manage_people",
    is_administrator | is_organisation_admin | coordinates_organisation,
)
# Acting for an organisation (applying for membership): object is the organisation.
rules.add_perm("cooperative.act_for_organisation", works_for)
# Memberships: object is the membership.
rules.add_perm(
    "cooperative.view_membership", coordinates_membership | works_for_member | membership_is_active
)
rules.add_perm("cooperative.decide_membership", coordinates_membership)
rules.add_perm("cooperative.leave_membership", coordinates_membership | works_for_member)
# Object is the cooperative.
rules.add_perm("cooperative.manage_memberships", coordinates)
rules.add_perm("cooperative.view_audit", is_administrator | coordinates)
rules.add_perm("cooperative.reuse_solutions", entitled)
