"""Who may see and handle an invitation. Object: the invitation."""

import rules

from deelbaar.permissions import allowed
from deelbaar.typing import Person
from people.models import Invitation


@rules.predicate
def manages_its_organisation(user: Person, invitation: Invitation | None) -> bool:
    return invitation is not None and allowed(
        user, "cooperative.manage_people", invitation.organisation
    )


@rules.predicate
def manages_its_team(user: Person, invitation: Invitation | None) -> bool:
    return (
        invitation is not None
        and invitation.product_id is not None
        and allowed(user, "sprints.manage_team", invitation.product)
    )


@rules.predicate
def sent_it(user: Person, invitation: Invitation | None) -> bool:
    return invitation is not None and user.is_authenticated and invitation.invited_by_id == user.pk


# Listing, resending and revoking: whoever could send it, and whoever did.
rules.add_perm("people.view_invitation", manages_its_organisation | manages_its_team | sent_it)
rules.add_perm("people.manage_invitation", manages_its_organisation | manages_its_team | sent_it)
