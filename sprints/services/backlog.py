"""The backlog: items, their acceptance criteria, their order and their status on the board."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, F, Max, Min, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from deelbaar import statements
from deelbaar.errors import Conflict, DomainError, StaleObject
from deelbaar.permissions import require
from deelbaar.typing import User
from sprints import events
from sprints.models import (
    ESTIMATES,
    AcceptanceCriterion,
    BacklogItem,
    CriterionVerdict,
    ItemKind,
    ItemStatus,
    Product,
    SprintState,
    Verdict,
)
from sprints.services._common import _change, _lock

GAP = 1024
# When a move finds no room between two neighbours, the items around the spot are spaced out
# again: at least WINDOW on each side, at least MIN_ROOM apart.
WINDOW = 32
MIN_ROOM = GAP // 8
# Renumbering first shifts the positions it rewrites this far down, a range no real position
# reaches, so the unique (product, position) constraint holds at every row of both updates.
SHIFT = 2**50
EDITABLE_FIELDS = ("title", "description", "kind", "acceptance_criteria", "estimate")
# Where a move puts an item: before or after another, or at the top or the bottom.
Where = Literal["before", "after", "top", "bottom"]
# A criterion as (id, text): the id names a criterion to keep, None a new one.
Criterion = tuple[int | None, str]


def _clean_item_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The given fields of an item, cleaned; ValidationError naming every field that is wrong."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, clean in _ITEM_CLEANERS:
        if name not in fields:
            continue
        try:
            cleaned[name] = clean(fields[name])
        except ValueError as error:
            errors[name] = str(error)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_title(value: str | None) -> str:
    title = (value or "").strip()
    if not title:
        raise ValueError(_("Give the item a title."))
    if len(title) > 200:
        raise ValueError(_("A title has at most 200 characters."))
    return title


def _clean_kind(value: str) -> str:
    if value not in ItemKind.values:
        raise ValueError(_("Unknown kind of item: %(kind)s.") % {"kind": value})
    return value


def _clean_estimate(value: str | int | None) -> int | None:
    if value in ("", None):
        return None
    try:
        estimate = int(value)
    except (TypeError, ValueError):
        estimate = -1
    if estimate not in ESTIMATES:
        raise ValueError(
            _("An estimate is one of %(allowed)s, or none.")
            % {"allowed": ", ".join(str(e) for e in ESTIMATES)}
        )
    return estimate


def _clean_criteria(criteria: object) -> list[Criterion]:
    """Criteria as (id, text) pairs in order. Each one is a sentence (old clients send a list
    of strings) or {"id": ..., "text": ...}, the id naming a criterion to keep and edit."""
    criteria = criteria or []
    if isinstance(criteria, str) or not isinstance(criteria, list | tuple):
        raise ValueError(_("Acceptance criteria are a list of sentences."))
    cleaned: list[Criterion] = []
    for criterion in criteria:
        pk: int | None = None
        if isinstance(criterion, dict):
            pk = criterion.get("id")
            if pk is not None and (isinstance(pk, bool) or not isinstance(pk, int)):
                raise ValueError(_("A criterion's id is a whole number."))
            criterion = criterion.get("text", "")
        text = str(criterion or "").strip()
        if len(text) > 1000:
            raise ValueError(_("A criterion has at most 1000 characters."))
        if text:
            cleaned.append((pk, text))
    return cleaned


# Each editable field and how it is cleaned (a ValueError's text is the field's problem).
_ITEM_CLEANERS: tuple[tuple[str, Callable[[Any], object]], ...] = (
    ("title", _clean_title),
    ("description", lambda value: (value or "").strip()),
    ("kind", _clean_kind),
    ("estimate", _clean_estimate),
    ("acceptance_criteria", _clean_criteria),
)


def _set_criteria(
    item: BacklogItem,
    criteria: Sequence[Criterion],
    *,
    follows_up: Sequence[CriterionVerdict] = (),
) -> None:
    """Edit the item's criteria in place: a criterion named by its id, or else one with the
    same text, keeps its row (and id); new ones are added; the rest are removed."""
    existing = {c.pk: c for c in item.criteria.all()}
    by_text: dict[str, list[AcceptanceCriterion]] = {}
    for criterion in existing.values():
        by_text.setdefault(criterion.text, []).append(criterion)
    kept: set[int] = set()
    changed: list[AcceptanceCriterion] = []
    added: list[AcceptanceCriterion] = []
    origins: list[CriterionVerdict | None] = [*follows_up]
    origins += [None] * (len(criteria) - len(follows_up))
    for position, ((pk, text), origin) in enumerate(zip(criteria, origins, strict=True)):
        row = existing.get(pk) if pk is not None else None
        if pk is not None and row is None:
            raise DomainError(
                _("Criterion %(id)s is not one of this item's.") % {"id": pk},
                field="acceptance_criteria",
            )
        if row is None or row.pk in kept:
            row = next((c for c in by_text.get(text, []) if c.pk not in kept), None)
        if row is None:
            added.append(
                AcceptanceCriterion(item=item, position=position, text=text, follows_up=origin)
            )
            continue
        kept.add(row.pk)
        if (row.position, row.text) != (position, text):
            row.position, row.text = position, text
            changed.append(row)
    if changed:
        AcceptanceCriterion.objects.bulk_update(changed, ["position", "text"])
    if added:
        AcceptanceCriterion.objects.bulk_create(added)
    gone = set(existing) - kept
    if gone:
        AcceptanceCriterion.objects.filter(pk__in=gone).delete()
    if hasattr(item, "_prefetched_objects_cache"):
        item._prefetched_objects_cache.pop("criteria", None)


@transaction.atomic
def create_item(
    *,
    actor: User,
    product: Product,
    title: str,
    kind: str = ItemKind.STORY,
    description: str = "",
    acceptance_criteria: Iterable[str | dict[str, Any]] = (),
    estimate: str | int | None = None,
    at_top: bool = False,
    follow_up_of: Verdict | None = None,
    follows_up: Sequence[CriterionVerdict] = (),
) -> BacklogItem:
    """Add an item at the bottom (or top) of the backlog, numbered without gaps.

    A follow-up names the verdict it follows up, and for each of its criteria copied from one
    not met, that criterion's verdict (`follows_up`, in the criteria's order)."""
    if follow_up_of is None:
        require(actor, "sprints.edit_backlog", product)
        if at_top:
            # Putting an item above all others orders the backlog: the same right as a move.
            require(actor, "sprints.order_backlog", product)
    fields = _clean_item_fields(
        {
            "title": title,
            "kind": kind,
            "description": description,
            "acceptance_criteria": list(acceptance_criteria),
            "estimate": estimate,
        }
    )
    criteria = fields.pop("acceptance_criteria")
    product = _lock(product)
    product.last_item_number = F("last_item_number") + 1
    product.save(update_fields=["last_item_number"])
    product.refresh_from_db(fields=["last_item_number"])
    edge = product.items.aggregate(low=Min("position"), high=Max("position"))
    if at_top:
        position = (edge["low"] if edge["low"] is not None else GAP) - GAP
    else:
        position = (edge["high"] if edge["high"] is not None else 0) + GAP
    item = BacklogItem.objects.create(
        product=product,
        number=product.last_item_number,
        position=position,
        follow_up_of=follow_up_of,
        **fields,
    )
    _set_criteria(item, criteria, follows_up=follows_up)
    _change(item, "status", None, item.status, actor=actor)
    events.item_event(
        item, "item.created", follow_up_of=item.follow_up_of_id, actor=getattr(actor, "pk", None)
    )
    return item


@transaction.atomic
def update_item(*, actor: User, item: BacklogItem, version: int, **changes: Any) -> BacklogItem:
    """Edit an item if nobody changed it since `version` was read; else 412 with what changed."""
    require(actor, "sprints.edit_backlog", item.product)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be edited here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    fields = _clean_item_fields(changes)
    current = (
        BacklogItem.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=item.pk)
    )
    if current.version != version:
        raise StaleObject(
            _(
                "Someone else changed %(reference)s since you opened it (now version %(version)s). "
                "Reload to see their change."
            )
            % {"reference": current.reference, "version": current.version},
            field="version",
        )
    old_estimate = current.estimate
    if "acceptance_criteria" in fields:
        _set_criteria(current, fields.pop("acceptance_criteria"))
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    if "estimate" in fields and fields["estimate"] != old_estimate:
        _change(current, "estimate", old_estimate, current.estimate, actor=actor)
    events.item_event(current, "item.changed")
    return current


def _make_room(
    product: Product,
    item: BacklogItem,
    *,
    before: BacklogItem | None = None,
    after: BacklogItem | None = None,
) -> int:
    """Spread out the items around the spot where the item goes, and put it there.

    Called when the two neighbours of the spot have adjacent positions. Only a window around
    the spot is renumbered (at least WINDOW items on each side, widened until they can stand
    MIN_ROOM apart between the two items that bound it, or one side reaches the end of the
    list), so a long backlog is not rewritten, nor its product held locked meanwhile.
    Returns the item's new position, already saved.
    """
    others = product.items.exclude(pk=item.pk)
    if before is not None:
        below = others.filter(position__lt=before.position)
        above = others.filter(position__gte=before.position)
    else:
        assert after is not None  # _move passes the target as before or as after
        below = others.filter(position__lte=after.position)
        above = others.filter(position__gt=after.position)
    size = WINDOW
    while True:
        lower = list(below.order_by("-position").values_list("pk", "position")[: size + 1])
        upper = list(above.order_by("position").values_list("pk", "position")[: size + 1])
        # The item goes between the lower and the upper part of the window.
        window = [pk for pk, _ in reversed(lower[:size])] + [item.pk]
        window += [pk for pk, _ in upper[:size]]
        slots = len(window) + 1
        low = lower[size][1] if len(lower) > size else None
        high = upper[size][1] if len(upper) > size else None
        if high is None:
            # Neither bound (the window is the whole list): from 0; else above the lower one.
            low = 0 if low is None else low
            high = low + slots * GAP
        elif low is None:
            low = high - slots * GAP
        if (high - low) // slots >= MIN_ROOM:
            break
        size *= 2
    step = (high - low) // slots
    places = {pk: low + (index + 1) * step for index, pk in enumerate(window)}
    # Nothing but the window lies between `low` and `high`. Moved out of the way first, so the
    # unique (product, position) holds at every row of the second update too.
    moved = BacklogItem.objects.filter(pk__in=window)
    moved.update(position=F("position") - SHIFT)
    moved.update(
        position=Case(
            *(When(pk=pk, then=Value(place)) for pk, place in places.items()),
            output_field=BigIntegerField(),
        )
    )
    return places[item.pk]


def _lock_product(product_pk: int) -> None:
    """Take the product's row lock, which serialises every reordering of its backlog.

    Written out (`deelbaar.statements`): the queryset cost three times its statement. SQLite
    has no row locks (Django leaves FOR UPDATE out there); its writers are serialised whole."""
    if connection.features.has_select_for_update:
        statements.tuples(_LOCK_PRODUCT, [product_pk])


_LOCK_PRODUCT = (
    f'SELECT 1 FROM "{Product._meta.db_table}" '  # noqa: S608
    f"WHERE {statements.column(Product, 'id')} = %s FOR UPDATE"
)


def _read_for_move(
    product: Product, item_pk: int, target_pk: int | None, where: Where
) -> tuple[BacklogItem | None, BacklogItem | None, BacklogItem | None]:
    """The item, its target and the neighbour on the far side of the spot, in one statement.

    Read after the product's lock is taken, so as they are now that no one else can move them:
    a read in the locking statement itself would see the list as it stood before the wait for
    the lock (PostgreSQL re-reads only rows that were changed, and a move changes no product).
    The neighbour is the nearest other item below `before`, above `after`, or the first or the
    last item for the top or the bottom. Answers (item, target, neighbour); a missing item or
    target (not in this product) is None.
    """
    named = [item_pk] + ([target_pk] if target_pk is not None else [])
    statement = _READ_FOR_MOVE[where].format(named=statements.placeholders(len(named)))
    params = [product.pk, *named, product.pk, item_pk]
    if where in ("before", "after"):
        assert target_pk is not None  # a move before or after names its target
        params += [product.pk, target_pk]
    rows: dict[int, BacklogItem] = {}
    for values in statements.tuples(statement, params):
        row, row.assignee = statements.objects(values, BacklogItem, _Person)
        row.product = product
        rows[row.pk] = row
    item = rows.pop(item_pk, None)
    target = rows.pop(target_pk, None) if target_pk is not None else None
    return item, target, next(iter(rows.values()), None)


def _read_for_move_statements() -> dict[str, str]:
    """The statement of `_read_for_move` for each destination, written out: built through the
    ORM (three nested querysets) it cost four times what it took to run (2.2 ms of a 9 ms
    move). Parameters: the product, the item (and the target), then the neighbour's."""
    items, people = BacklogItem._meta.db_table, _Person._meta.db_table

    def column(name: str, table: str | None = None) -> str:
        return statements.column(BacklogItem, name, table)

    select = (
        f"SELECT {statements.columns(BacklogItem)}, {statements.columns(_Person)} "  # noqa: S608
        f'FROM "{items}" LEFT OUTER JOIN "{people}" '
        f"ON {column('assignee')} = {statements.column(_Person, 'id')} "
        f"WHERE {column('product')} = %s AND ({column('id')} IN ({{named}}) OR {column('id')} = "
    )
    # The neighbour: the nearest other item beyond the spot, or the first or last item.
    others = (
        f'SELECT {column("id", "o")} FROM "{items}" "o" '  # noqa: S608
        f"WHERE {column('product', 'o')} = %s AND {column('id', 'o')} <> %s"
    )
    spot = (
        f'(SELECT {column("position", "t")} FROM "{items}" "t" '  # noqa: S608
        f"WHERE {column('product', 't')} = %s AND {column('id', 't')} = %s)"
    )
    position = column("position", "o")
    neighbours = {
        "before": f"{others} AND {position} < {spot} ORDER BY {position} DESC LIMIT 1",
        "after": f"{others} AND {position} > {spot} ORDER BY {position} LIMIT 1",
        "top": f"{others} ORDER BY {position} LIMIT 1",
        "bottom": f"{others} ORDER BY {position} DESC LIMIT 1",
    }
    return {where: f"{select}({neighbour}))" for where, neighbour in neighbours.items()}


_Person = get_user_model()
_READ_FOR_MOVE = _read_for_move_statements()


def _position(
    where: Where, target: BacklogItem | None, neighbour: BacklogItem | None
) -> int | None:
    """The item's new position, or None where its neighbours leave no room between them."""
    if where == "top":
        return (neighbour.position if neighbour else GAP) - GAP
    if where == "bottom":
        return (neighbour.position if neighbour else 0) + GAP
    assert target is not None  # a move before or after names its target (_move checks it)
    if where == "before":
        upper = target.position
        lower = neighbour.position if neighbour else upper - 2 * GAP
    else:
        lower = target.position
        upper = neighbour.position if neighbour else lower + 2 * GAP
    if upper - lower < 2:
        return None
    return (lower + upper) // 2


def _destination(before: object, after: object, to: str | None) -> Where:
    if sum(x is not None for x in (before, after, to)) != 1:
        raise DomainError(
            _("Say where to move the item: before or after another item, or to the top or bottom."),
            field="to",
        )
    if to is not None and to not in ("top", "bottom"):
        raise DomainError(_("Move to 'top' or 'bottom'."), field="to")
    if before is not None:
        return "before"
    if after is not None:
        return "after"
    return "top" if to == "top" else "bottom"


@transaction.atomic
def move_item(
    *,
    actor: User,
    item: BacklogItem,
    before: BacklogItem | None = None,
    after: BacklogItem | None = None,
    to: str | None = None,
) -> BacklogItem:
    """Move an item before or after another, or to the top or bottom, as one atomic step.

    The product's row lock serialises moves, so two people reordering at once never lose,
    duplicate or tie an item. Where two neighbours leave no room between them, the items
    around the spot are spaced out again.
    """
    require(actor, "sprints.order_backlog", item.product)
    where = _destination(before, after, to)
    target = before or after
    if target is not None and target.product_id != item.product_id:
        raise DomainError(
            _("%(reference)s belongs to another product.") % {"reference": target.reference},
            field=where,
        )
    return _move(item.product, item.pk, target.pk if target is not None else None, where)


@transaction.atomic
def move_item_by_id(
    *,
    actor: User,
    product: Product,
    item: int,
    before: int | None = None,
    after: int | None = None,
    to: str | None = None,
) -> BacklogItem:
    """`move_item` for an item and target named by their ids, as the API names them.

    The ids are looked up only under the product's lock, together with the neighbour, so a
    move costs four statements: the lock, that read, the update, and the commit. An id that
    is not an item of this product is refused with the field it came in."""
    require(actor, "sprints.order_backlog", product)
    where = _destination(before, after, to)
    target = before if before is not None else after
    return _move(product, item, target, where)


def _move(product: Product, item_pk: int, target_pk: int | None, where: Where) -> BacklogItem:
    if target_pk is not None and target_pk == item_pk:
        raise DomainError(_("An item cannot be moved next to itself."), field=where)
    _lock_product(product.pk)
    item, target, neighbour = _read_for_move(product, item_pk, target_pk, where)
    for name, pk, found in (("item", item_pk, item), (where, target_pk, target)):
        if pk is not None and found is None:
            # Not of this product, or deleted meanwhile.
            raise DomainError(
                _("There is no item {pk_value} in this product.").format(pk_value=pk), field=name
            )
    assert item is not None  # refused above when missing
    position = _position(where, target, neighbour)
    if position is None:
        # Saved along with the window around it.
        item.position = _make_room(product, item, **{where: target})
    elif position != item.position:
        item.position = position
        item.save(update_fields=["position"])
    events.item_event(item, "item.moved")
    return item


BOARD_STATUSES = (ItemStatus.TODO, ItemStatus.IN_PROGRESS, ItemStatus.DONE)


@transaction.atomic
def set_item_status(*, actor: User, item: BacklogItem, status: str) -> BacklogItem:
    """Move an item across the sprint board: to do, in progress, done."""
    require(actor, "sprints.work_on_items", item.product)
    if status not in BOARD_STATUSES:
        raise DomainError(_("On the board an item is to do, in progress or done."), field="status")
    item = (
        BacklogItem.objects.select_for_update(of=("self",))
        .select_related("sprint", "product")
        .get(pk=item.pk)
    )
    if item.sprint is None or item.sprint.state != SprintState.ACTIVE:
        raise Conflict(
            _("%(reference)s is not in an active sprint.") % {"reference": item.reference},
            field="status",
        )
    if item.status not in BOARD_STATUSES:
        raise Conflict(
            _("%(reference)s is %(status)s and can no longer move on the board.")
            % {"reference": item.reference, "status": item.get_status_display()},
            field="status",
        )
    if item.status != status:
        old = item.status
        item.status = status
        item.version += 1
        item.save(update_fields=["status", "version"])
        _change(item, "status", old, status, actor=actor)
        events.item_event(item, "item.changed")
    return item
