"""The memberships of a cooperative, as each page and person sees them."""

from django.db.models import Q, QuerySet

from cooperative.models import Cooperative, Membership, MembershipState
from cooperative.selectors.roles import is_coordinator
from deelbaar.typing import Person


def memberships_of(cooperative: Cooperative, *, visible_to: Person | None) -> QuerySet[Membership]:
    """The memberships this person may see: all for a coordinator, else active ones and those of
    their own organisations."""
    memberships = Membership.objects.filter(cooperative=cooperative).select_related(
        "organisation", "cooperative"
    )
    user = visible_to
    if user is not None and user.is_authenticated:
        if is_coordinator(user, cooperative):
            return memberships
        return memberships.filter(
            Q(state=MembershipState.ACTIVE) | Q(organisation__affiliations__user=user)
        ).distinct()
    return memberships.filter(state=MembershipState.ACTIVE)


def membership_queue(cooperative: Cooperative) -> QuerySet[Membership]:
    """What a coordinator has to act on: applications first, then awaiting payment."""
    return (
        Membership.objects.filter(
            cooperative=cooperative, state__in=[MembershipState.APPLIED, MembershipState.APPROVED]
        )
        .select_related("organisation")
        .prefetch_related("organisation__represents")
        .order_by("state", "applied_at")
    )


def members_for_page(cooperative: Cooperative) -> QuerySet[Membership]:
    """Active memberships, pilots first, with what the page shows about each organisation."""
    return (
        Membership.objects.filter(cooperative=cooperative, state=MembershipState.ACTIVE)
        .select_related("organisation")
        .prefetch_related("organisation__represents")
        .order_by("-role", "organisation__name")
    )
