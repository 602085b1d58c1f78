"""What every part of the sprints services shares: the product lock and the change record
the burndown and velocity charts read."""

from django.utils import timezone

from sprints.models import (
    ItemChange,
    Product,
)


def _lock(product: Product) -> Product:
    return Product.objects.select_for_update(of=("self",)).get(pk=product.pk)


_ITEM_SPRINT = object()


def _change(item, field, old, new, *, actor, sprint=_ITEM_SPRINT, at=None):
    """Record the change under `sprint` (None: no sprint), by default the item's own."""
    ItemChange.objects.create(
        item=item,
        field=field,
        old=old,
        new=new,
        points=item.estimate,
        actor=actor,
        sprint=item.sprint if sprint is _ITEM_SPRINT else sprint,
        at=at or timezone.now(),
    )
