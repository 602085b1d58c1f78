"""Newcomers' reads: what joining a cooperative costs, and the coordinators' queue of requests
for access (the changes are in `people.services.newcomers`)."""

from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from cooperative.contributions import contribution_due, contribution_for, inhabitants_of
from cooperative.models import (
    Affiliation,
    Cooperative,
    Membership,
    Organisation,
    OrganisationKind,
)
from cooperative.selectors import organisations_managed_by
from deelbaar.typing import Person
from people.models import AccessRequest, AccessRequestState

# The organisations a quote can be asked for: those that can be members.
QUOTABLE_KINDS = (
    OrganisationKind.MUNICIPALITY,
    OrganisationKind.JOINT_ARRANGEMENT,
    OrganisationKind.SHARED_SERVICE_CENTRE,
)


def quotable_organisations() -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(kind__in=QUOTABLE_KINDS)
        .prefetch_related("represents")
        .order_by("name")
    )


def approvable_organisations(cooperative: Cooperative, user: Person) -> QuerySet[Organisation]:
    """The organisations `user`, coordinating `cooperative`, may seat an approved applicant in:
    those whose people they manage, and newcomers nobody works for on Deelbaar that belong to no
    other cooperative (the invitation rules of `people.services.invite`, read ahead so the
    approval form offers nothing that would be refused after sending)."""
    elsewhere = Membership.objects.filter(organisation=OuterRef("pk")).exclude(
        cooperative=cooperative
    )
    unclaimed = ~Q(Exists(Affiliation.objects.filter(organisation=OuterRef("pk")))) & ~Q(
        Exists(elsewhere)
    )
    managed = Q(pk__in=organisations_managed_by(user).values("pk"))
    return quotable_organisations().filter(unclaimed | managed)


def quote(
    cooperative: Cooperative,
    *,
    organisation: Organisation | None = None,
    inhabitants: int | None = None,
) -> dict[str, Any]:
    """What joining `cooperative` costs an organisation on Deelbaar, or one of `inhabitants`."""
    if organisation is not None:
        return {
            "organisation": organisation,
            "inhabitants": inhabitants_of(organisation),
            "amount": contribution_for(cooperative, organisation),
        }
    amount = contribution_due(
        kind=cooperative.contribution_kind,
        amount=cooperative.contribution_amount,
        minimum=cooperative.contribution_minimum,
        maximum=cooperative.contribution_maximum,
        inhabitants=int(inhabitants or 0),
    )
    return {"organisation": None, "inhabitants": int(inhabitants or 0), "amount": Decimal(amount)}


def access_queue(
    cooperative: Cooperative, *, state: str | None = AccessRequestState.PENDING
) -> QuerySet[AccessRequest]:
    """The cooperative's requests for access, oldest first (pending only by default)."""
    requests = AccessRequest.objects.filter(cooperative=cooperative).select_related(
        "cooperative", "organisation", "decided_by", "invitation"
    )
    return requests.filter(state=state) if state else requests
