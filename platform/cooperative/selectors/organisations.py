"""The organisations, their people, and who may manage them."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from cooperative.models import (
    Affiliation,
    Cooperative,
    Membership,
    Organisation,
    OrganisationRole,
)
from deelbaar.typing import Person


def organisations_list() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related(
        Prefetch(
            "represents",
            queryset=Organisation.objects.only("id", "slug", "name", "inhabitants", "kind"),
        )
    ).order_by("name")


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
