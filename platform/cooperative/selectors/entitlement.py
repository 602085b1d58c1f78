"""Entitlement: who may reuse a cooperative's solutions, the one rule later apps call."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from cooperative.models import Cooperative, Membership, MembershipState, Organisation
from deelbaar.typing import Person


def entitled_organisations(cooperative: Cooperative | int) -> QuerySet[Organisation]:
    """Organisations whose people may reuse the cooperative's solutions.

    An organisation with an active membership, and every organisation such a member represents
    (a joint arrangement's municipalities).
    """
    active = Membership.objects.filter(cooperative=cooperative, state=MembershipState.ACTIVE)
    return Organisation.objects.filter(
        Q(Exists(active.filter(organisation=OuterRef("pk"))))
        | Q(Exists(active.filter(organisation__represents=OuterRef("pk"))))
    )


def organisation_is_entitled(organisation: Organisation, cooperative: Cooperative) -> bool:
    return entitled_organisations(cooperative).filter(pk=organisation.pk).exists()


def user_is_entitled(user: Person | None, cooperative: Cooperative | int) -> bool:
    """May this person reuse the cooperative's solutions (for one of their organisations)?"""
    if user is None or not user.is_authenticated:
        return False
    return entitled_organisations(cooperative).filter(affiliations__user=user).exists()
