"""Products: which a person may see, and existing solutions like one being proposed."""

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cooperative.models import Cooperative
from deelbaar import statements
from deelbaar.typing import Person
from sprints import hooks
from sprints.models import BacklogItem, Product
from sprints.rules import TEAM_ROLE_MASK, holding_team_roles


def product_for_request(pk: int | str, user: Person | None) -> Product | None:
    """The product with its cooperative and the person's team roles (`with_team_roles`), as
    every API request of a product reads it first: written out, since building the queryset
    cost more than its statement (`deelbaar.statements`). None when there is no such product.
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:  # what the ORM answers with no row rather than a database error
        return None
    found = statements.tuples(_PRODUCT_FOR_REQUEST, [user.pk if user else None, pk])
    if not found:
        return None
    *values, mask = found[0]
    product, product.cooperative = statements.objects(values, Product, Cooperative)
    return holding_team_roles(product, user, mask)


_PRODUCT_FOR_REQUEST = (
    f"SELECT {statements.columns(Product)}, {statements.columns(Cooperative)}, "  # noqa: S608
    f"({TEAM_ROLE_MASK}) "
    f'FROM "{Product._meta.db_table}" INNER JOIN "{Cooperative._meta.db_table}" '
    f"ON {statements.column(Product, 'cooperative')} = {statements.column(Cooperative, 'id')} "
    f"WHERE {statements.column(Product, 'id')} = %s"
)


def visible_product_ids(user: Person | None) -> set[int]:
    return set(products_visible_to(user).values_list("pk", flat=True))


def products_visible_to(user: Person | None) -> QuerySet[Product]:
    """Products a person may see: their team's, their organisations', their cooperatives'."""
    if user is None or not user.is_authenticated:
        return Product.objects.none()
    # Visibility and the item count are subqueries: joining the team, the affiliations, the
    # coordinators and the items in one query multiplies the rows by each of them.
    visible = Product.objects.filter(
        Q(members__user=user)
        | Q(owner__affiliations__user=user)
        | Q(participants__affiliations__user=user)
        | Q(cooperative__coordinator__user=user)
    ).values("pk")
    item_count = (
        BacklogItem.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Product.objects.filter(pk__in=visible)
        .select_related("cooperative", "owner")
        .annotate(item_count=Coalesce(Subquery(item_count), 0))
        .order_by("name")
    )


def similar_solutions(title: str, description: str = "") -> list[Any]:
    """Existing solutions like a proposed product, from the solutions app (sprints.hooks)."""
    return hooks.similar_solutions(title, description)
