"""Teams and people: a product's team and roles, who may be put on it, whom a person may look
up, and the products a person works on."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Prefetch, Q, QuerySet, When

from cooperative.models import (
    OPEN_STATES,
    Affiliation,
    Cooperative,
    Membership,
    Organisation,
    OrganisationKind,
)
from deelbaar.typing import Person, User
from sprints.models import Product, TeamMember, TeamRole

# Who may carry out an item: the people who build the product. A tester judges the work, so
# is not given it (segregation of duties, as for verdicts).
ASSIGNABLE_ROLES = (TeamRole.DEVELOPER, TeamRole.PRODUCT_OWNER)


def assignable_people(product: Product) -> QuerySet[User]:
    """The people an item of the product may be given: its developers and product owners,
    active, by name. One query."""
    members = TeamMember.objects.filter(product=product, role__in=ASSIGNABLE_ROLES).values(
        "user_id"
    )
    return (
        get_user_model()
        .objects.filter(pk__in=members, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def team_roles_of(
    user_ids: Iterable[int], product_ids: Iterable[int]
) -> dict[tuple[int, int], str]:
    """{(user_id, product_id): role} of these people on these products (the audit trail's)."""
    return {
        (user_id, product_id): role
        for user_id, product_id, role in TeamMember.objects.filter(
            user_id__in=user_ids, product_id__in=product_ids
        ).values_list("user_id", "product_id", "role")
    }


def team_roles(product: Product) -> dict[int, set[str]]:
    roles: defaultdict[int, set[str]] = defaultdict(set)
    for member in TeamMember.objects.filter(product=product):
        roles[member.user_id].add(member.role)
    return roles


def team_of(product: Product) -> QuerySet[TeamMember]:
    """The product's team, one row per role a person holds, owners first."""
    order = Case(
        When(role=TeamRole.PRODUCT_OWNER, then=0),
        When(role=TeamRole.DEVELOPER, then=1),
        default=2,
    )
    return (
        TeamMember.objects.filter(product=product)
        .select_related("user")
        .order_by(order, "user__first_name", "user__last_name", "user__username", "pk")
    )


def team_candidates(product: Product) -> QuerySet[User]:
    """The people who may be put on the product's team: those working for its owning
    organisation, for a participating organisation (or a municipality a joint arrangement
    among them acts for), or for a supplier.

    Suppliers hold no membership of a cooperative (they build for its members under contract),
    so any supplier's people may be chosen; everyone else comes from the product's own
    organisations, which is where a tester from another municipality comes from.
    """
    organisations = Q(affiliations__organisation__in=product_organisations(product)) | Q(
        affiliations__organisation__kind=OrganisationKind.SUPPLIER
    )
    people = get_user_model().objects.filter(is_active=True).filter(organisations).values("pk")
    return get_user_model().objects.filter(pk__in=people)


def product_organisations(product: Product) -> QuerySet[Organisation]:
    """The owning organisation, the participating ones, and the municipalities a joint
    arrangement among them acts for (Boxtel's staff test for MijnGemeenteDichtbij)."""
    own = Q(pk=product.owner_id) | Q(participating_products=product)
    ids = Organisation.objects.filter(own).values("pk")
    return Organisation.objects.filter(Q(pk__in=ids) | Q(represented_by__in=ids)).distinct()


def people_visible_to(user: Person | None) -> QuerySet[User]:
    """The people a person may look up: those of the organisations taking part (an open
    membership) in a cooperative the person takes part in or coordinates, and their own
    organisations' people. Nobody outside those cooperatives."""
    if user is None or not user.is_authenticated:
        return get_user_model().objects.none()
    cooperatives = Cooperative.objects.filter(
        Q(coordinator__user=user)
        | Q(
            memberships__state__in=OPEN_STATES,
            memberships__organisation__affiliations__user=user,
        )
    ).values("pk")
    organisations = Membership.objects.filter(
        cooperative__in=cooperatives, state__in=OPEN_STATES
    ).values("organisation")
    people = Affiliation.objects.filter(
        Q(organisation__in=organisations)
        | Q(organisation__in=Affiliation.objects.filter(user=user).values("organisation"))
    ).values("user")
    return get_user_model().objects.filter(pk__in=people, is_active=True)


def search_people(people: QuerySet[User], q: str) -> QuerySet[User]:
    """People whose user name or name holds every word of `q`, by name, with their
    organisations (one query for any number)."""
    for word in (q or "").split()[:5]:
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    return people.prefetch_related(
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        )
    ).order_by("first_name", "last_name", "username", "pk")


def product_roles_of(user: User) -> list[dict[str, Any]]:
    """Each product the person is on the team of, with their roles there (one query)."""
    products: dict[int, dict[str, Any]] = {}
    rows = (
        TeamMember.objects.filter(user=user)
        .select_related("product__cooperative")
        .order_by("product__name", "product_id", "role")
    )
    for row in rows:
        product = row.product
        entry = products.setdefault(
            product.pk,
            {
                "id": product.pk,
                "key": product.key,
                "name": product.name,
                "cooperative": product.cooperative.slug,
                "roles": [],
            },
        )
        entry["roles"].append(row.role)
    return list(products.values())
