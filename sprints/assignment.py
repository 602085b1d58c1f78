"""Who works on a backlog item (issue 15): the assignee, its rules and how it reads.

Its own module so the backlog, the board and the API share one rule for who may be assigned
and one way to show a person (name and initials). `sprints.services.assign_item` is this
module's `assign_item`.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from deelbaar.errors import DomainError, StaleObject
from deelbaar.permissions import require
from sprints import events
from sprints.models import BacklogItem, ItemStatus, TeamMember, TeamRole

# Who may carry out an item: the people who build the product. A tester judges the work, so
# is not given it (segregation of duties, as for verdicts).
ASSIGNABLE_ROLES = (TeamRole.DEVELOPER, TeamRole.PRODUCT_OWNER)


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def initials(user) -> str:
    """Two letters for a person's avatar: first name and the last word of the surname, so
    "Jan de Vries" is JV (a Dutch surname prefix such as "de" or "van der" is skipped)."""
    first = (user.first_name or "").strip()
    last = (user.last_name or "").split()
    letters = (first[:1] + (last[-1][:1] if last else "")).upper()
    if len(letters) == 2:
        return letters
    name = (first or " ".join(last) or user.get_username()).replace(".", " ").split()
    if len(name) > 1:
        return (name[0][:1] + name[-1][:1]).upper()
    return (name[0][:2] if name else "?").upper()


def person_ref(user) -> dict | None:
    """How an item shows its assignee in the API and the live events."""
    if user is None:
        return None
    return {"id": user.pk, "name": person_name(user), "initials": initials(user)}


def assignable_people(product):
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


@transaction.atomic
def assign_item(*, actor, item: BacklogItem, assignee, version: int | None = None):
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


def release_assignments(*, actor, product, user) -> int:
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
