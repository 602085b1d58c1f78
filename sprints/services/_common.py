"""What every part of the sprints services shares: the product lock and the change record
the burndown and velocity charts read."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from deelbaar.typing import User
from sprints.models import (
    BacklogItem,
    ItemChange,
    Product,
)


def _lock(product: Product) -> Product:
    return Product.objects.select_for_update(of=("self",)).get(pk=product.pk)


_ITEM_SPRINT = object()


def _change(
    item: BacklogItem,
    field: str,
    old: Any,
    new: Any,
    *,
    actor: User | None,
    sprint: Any = _ITEM_SPRINT,
    at: datetime | None = None,
) -> None:
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
