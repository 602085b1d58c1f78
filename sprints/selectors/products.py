"""Products: which a person may see, and existing solutions like one being proposed."""

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from deelbaar.typing import Person
from sprints import hooks
from sprints.models import BacklogItem, Product


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
