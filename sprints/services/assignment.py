"""Who works on a backlog item (issue 15): giving an item to a builder of its product, and
taking unfinished items off someone who no longer builds it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from deelbaar.errors import DomainError, StaleObject
from deelbaar.permissions import require
from deelbaar.typing import User
from sprints import events
from sprints.assignment import person_name, person_ref
from sprints.models import BacklogItem, ItemStatus, Product
from sprints.selectors.teams import assignable_people


@transaction.atomic
def assign_item(
    *, actor: User, item: BacklogItem, assignee: User | None, version: int | None = None
) -> BacklogItem:
    """Give the item to `assignee` (a developer or product owner of its product), or to nobody
    (None).

    Whoever may edit the backlog may assign, themself or another builder of the product. With
    `version` (the API's If-Match, the pages' hidden field) a change made meanwhile by someone
    else is refused (StaleObject, 412) instead of overwritten. An accepted item is finished:
    its assignee stays as it was. Giving the item to whom it already has changes nothing.
    """
    require(actor, "sprints.assign_item", item.product)
    current = (
        BacklogItem.objects.select_for_update(of=("self",))
        .select_related("product__cooperative", "assignee")
        .get(pk=item.pk)
    )
    if version is not None and current.version != version:
        raise StaleObject(
            _(
                "Someone else changed %(reference)s since you opened it (now version %(version)s). "
                "Reload to see their change."
            )
            % {"reference": current.reference, "version": current.version},
            field="version",
        )
    if current.status == ItemStatus.ACCEPTED:
        raise DomainError(
            _("%(reference)s is accepted: it needs no one to work on it.")
            % {"reference": current.reference},
            field="assignee",
        )
    if (
        assignee is not None
        and not assignable_people(current.product).filter(pk=assignee.pk).exists()
    ):
        raise DomainError(
            _(
                "%(person)s is not a developer or product owner of this product, so cannot "
                "be given %(reference)s."
            )
            % {"person": person_name(assignee), "reference": current.reference},
            field="assignee",
        )
    if current.assignee_id == getattr(assignee, "pk", None):
        return current
    old = current.assignee
    current.assignee = assignee
    current.version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=["assignee", "version", "updated_at"])
    audit.record(
        actor=actor,
        action="item.assigned",
        obj=current,
        cooperative=current.product.cooperative,
        changes={
            "assignee": [
                old.get_username() if old else None,
                assignee.get_username() if assignee else None,
            ]
        },
    )
    events.item_event(
        current,
        "item.changed",
        assignee=person_ref(assignee),
        actor=getattr(actor, "pk", None),
    )
    return current


def release_assignments(*, actor: User, product: Product, user: User) -> int:
    """Take the unfinished items of the product off someone who no longer builds it (left the
    team, became tester only), so nobody waits on work given to a person who is not there.
    Runs inside the team change's transaction. Answers how many items were released."""
    if assignable_people(product).filter(pk=user.pk).exists():
        return 0
    items = list(
        BacklogItem.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(product=product, assignee=user)
        .exclude(status=ItemStatus.ACCEPTED)
    )
    for item in items:
        item.assignee = None
        item.version += 1
        item.save(update_fields=["assignee", "version"])
        audit.record(
            actor=actor,
            action="item.assigned",
            obj=item,
            cooperative=product.cooperative,
            changes={"assignee": [user.get_username(), None]},
        )
        events.item_event(item, "item.changed", assignee=None, actor=getattr(actor, "pk", None))
    return len(items)
