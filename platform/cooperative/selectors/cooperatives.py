"""The cooperatives and their reach: the inhabitants their active members serve."""

from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from cooperative.models import (
    Cooperative,
    Membership,
    MembershipState,
    Organisation,
    OrganisationKind,
)


def _reached_municipalities(cooperative_ref: Any) -> QuerySet[Organisation]:
    """`cooperative_ref`: a cooperative, or an OuterRef to one in a subquery."""
    active = Membership.objects.filter(cooperative=cooperative_ref, state=MembershipState.ACTIVE)
    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).filter(
        Q(Exists(active.filter(organisation=OuterRef("pk"))))
        | Q(Exists(active.filter(organisation__represents=OuterRef("pk"))))
    )


def reach_subquery() -> Coalesce:
    """Inhabitants served by OuterRef('pk')'s active members, each municipality counted once."""
    # SUM as a plain function adds no GROUP BY, so the subquery answers one row per cooperative.
    total = (
        _reached_municipalities(OuterRef(OuterRef("pk")))
        .order_by()
        .annotate(total=Func(F("inhabitants"), function="SUM"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def reach(cooperative: Cooperative) -> int:
    """A cooperative's inhabitants: the sum over its active members, each municipality once."""
    total = _reached_municipalities(cooperative).aggregate(total=Sum("inhabitants"))["total"]
    return int(total or 0)


def reached_municipalities(cooperative: Cooperative) -> QuerySet[Organisation]:
    return _reached_municipalities(cooperative).order_by("name")


def cooperatives_list() -> QuerySet[Cooperative]:
    return Cooperative.objects.annotate(
        reach=reach_subquery(),
        active_members=Count(
            "memberships", filter=Q(memberships__state=MembershipState.ACTIVE), distinct=True
        ),
    ).order_by("name")


def cooperative_detail(slug: str) -> Cooperative:
    return cooperatives_list().select_related("office").get(slug=slug)
