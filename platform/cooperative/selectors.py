"""Reads of the cooperative app, with their joins decided once."""

from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from cooperative.models import (
    Affiliation,
    AuditRecord,
    Cooperative,
    Coordinator,
    Membership,
    MembershipState,
    Organisation,
    OrganisationKind,
    OrganisationRole,
)
from deelbaar.typing import Person, User


# --- Entitlement: the one rule later apps call -------------------------------------------------
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


# --- Reach ---------------------------------------------------------------------------------------
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


# --- Lists ---------------------------------------------------------------------------------------
def cooperatives_list() -> QuerySet[Cooperative]:
    return Cooperative.objects.annotate(
        reach=reach_subquery(),
        active_members=Count(
            "memberships", filter=Q(memberships__state=MembershipState.ACTIVE), distinct=True
        ),
    ).order_by("name")


def cooperative_detail(slug: str) -> Cooperative:
    return cooperatives_list().select_related("office").get(slug=slug)


def organisations_list() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related(
        Prefetch(
            "represents",
            queryset=Organisation.objects.only("id", "slug", "name", "inhabitants", "kind"),
        )
    ).order_by("name")


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


# --- People and roles ----------------------------------------------------------------------------
def is_coordinator(user: Person | None, cooperative: Cooperative | int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Coordinator.objects.filter(user=user, cooperative=cooperative).exists()


def cooperatives_of_organisation(organisation: Organisation) -> QuerySet[Cooperative]:
    """The cooperatives that answer for an organisation's data: those where it holds an open
    membership (applied, approved or active), or where a joint arrangement or shared service
    centre representing it does, since reach and per-inhabitant contributions are computed from
    the municipalities represented. Their coordinators may correct the organisation, and each of
    them sees that correction in its audit trail."""
    memberships = Membership.objects.open().filter(cooperative=OuterRef("pk"))
    return Cooperative.objects.filter(
        Q(Exists(memberships.filter(organisation=organisation)))
        | Q(Exists(memberships.filter(organisation__represents=organisation)))
    ).order_by("name")


def coordinated_cooperatives(user: Person | None) -> QuerySet[Cooperative]:
    if user is None or not user.is_authenticated:
        return Cooperative.objects.none()
    return Cooperative.objects.filter(coordinator__user=user).order_by("name")


def organisations_of(user: Person | None) -> QuerySet[Organisation]:
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(affiliations__user=user).order_by("name")


def roles_of(user: Person | None) -> list[dict]:
    """Every role this person holds, as plain data; apps with roles of their own add theirs."""
    return [
        {
            "role": "coordinator",
            "object_type": "cooperative",
            "object": cooperative.slug,
            "name": cooperative.name,
        }
        for cooperative in coordinated_cooperatives(user)
    ]


# --- Audit ---------------------------------------------------------------------------------------
def audit_visible_to(user: User) -> QuerySet[AuditRecord]:
    """Coordinators read their cooperatives' trail; administrators read all of it."""
    records = AuditRecord.objects.select_related("object_type", "organisation", "cooperative")
    if user.is_superuser:
        return records
    return records.filter(cooperative__coordinator__user=user)


# --- An organisation's people ------------------------------------------------------------------
def organisation_people(organisation: Organisation) -> QuerySet[Affiliation]:
    """The people of an organisation (their affiliations), admins first, then by name."""
    return (
        Affiliation.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__first_name", "user__last_name", "user__username", "pk")
    )


def is_organisation_admin(user: Person | None, organisation: Organisation | None) -> bool:
    if user is None or not user.is_authenticated or organisation is None:
        return False
    return Affiliation.objects.filter(
        user=user, organisation=organisation, role=OrganisationRole.ADMIN
    ).exists()


def coordinates_organisation(user: Person | None, organisation: Organisation | None) -> bool:
    """Does `user` coordinate a cooperative that `organisation` belongs to (an open membership,
    directly or through a representing joint arrangement) or whose office it is?"""
    if user is None or not user.is_authenticated or organisation is None:
        return False
    coordinated = Cooperative.objects.filter(coordinator__user=user)
    return (
        coordinated.filter(office=organisation).exists()
        or cooperatives_of_organisation(organisation).filter(coordinator__user=user).exists()
    )


def organisations_managed_by(user: Person | None) -> QuerySet[Organisation]:
    """The organisations whose people `user` manages: as their admin, or as a coordinator."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    coordinated = Cooperative.objects.filter(coordinator__user=user)
    open_memberships = Membership.objects.open().filter(cooperative__in=coordinated)
    return Organisation.objects.filter(
        Q(affiliations__user=user, affiliations__role=OrganisationRole.ADMIN)
        | Q(offices_of__in=coordinated)
        | Q(Exists(open_memberships.filter(organisation=OuterRef("pk"))))
        | Q(Exists(open_memberships.filter(organisation__represents=OuterRef("pk"))))
    ).distinct()
