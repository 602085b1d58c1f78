"""Every state change of the sprints app: one function, one transaction.

Changes to an item's status, estimate or sprint are recorded as ItemChange rows, the only
source the burndown and velocity charts read. Sprint transitions and verdicts also go into
the cooperative's audit trail.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, Max, Min, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperative import audit
from cooperative.models import Cooperative, Membership, MembershipRole, MembershipState
from deelbaar.errors import Conflict, DomainError, NotAllowed, StaleObject
from deelbaar.permissions import allowed, require
from sprints import events
from sprints.models import (
    ESTIMATES,
    BacklogItem,
    Increment,
    IncrementItem,
    IncrementState,
    ItemChange,
    ItemKind,
    ItemOutcome,
    ItemStatus,
    Product,
    Sprint,
    SprintState,
    TeamMember,
    TeamRole,
    Verdict,
)

GAP = 1024
# When a move finds no room between two neighbours, the items around the spot are spaced out
# again: at least WINDOW on each side, at least MIN_ROOM apart.
WINDOW = 32
MIN_ROOM = GAP // 8
# Renumbering first shifts the positions it rewrites this far down, a range no real position
# reaches, so the unique (product, position) constraint holds at every row of both updates.
SHIFT = 2**50
EDITABLE_FIELDS = ("title", "description", "kind", "acceptance_criteria", "estimate")


# --- helpers ---------------------------------------------------------------------------------
def _lock(product: Product) -> Product:
    return Product.objects.select_for_update(of=("self",)).get(pk=product.pk)


def _change(item, field, old, new, *, actor, sprint=None, at=None):
    ItemChange.objects.create(
        item=item,
        field=field,
        old=old,
        new=new,
        points=item.estimate,
        actor=actor,
        sprint=sprint if sprint is not None else item.sprint,
        at=at or timezone.now(),
    )


def _clean_item_fields(fields: dict) -> dict:
    errors = {}
    cleaned = {}
    if "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            errors["title"] = _("Give the item a title.")
        elif len(title) > 200:
            errors["title"] = _("A title has at most 200 characters.")
        cleaned["title"] = title
    if "description" in fields:
        cleaned["description"] = (fields["description"] or "").strip()
    if "kind" in fields:
        if fields["kind"] not in ItemKind.values:
            errors["kind"] = _("Unknown kind of item: %(kind)s.") % {"kind": fields["kind"]}
        cleaned["kind"] = fields["kind"]
    if "estimate" in fields:
        estimate = fields["estimate"]
        if estimate in ("", None):
            estimate = None
        else:
            try:
                estimate = int(estimate)
            except (TypeError, ValueError):
                estimate = -1
            if estimate not in ESTIMATES:
                errors["estimate"] = _("An estimate is one of %(allowed)s, or none.") % {
                    "allowed": ", ".join(str(e) for e in ESTIMATES)
                }
        cleaned["estimate"] = estimate
    if "acceptance_criteria" in fields:
        criteria = fields["acceptance_criteria"] or []
        if isinstance(criteria, str) or not isinstance(criteria, list | tuple):
            errors["acceptance_criteria"] = _("Acceptance criteria are a list of sentences.")
        else:
            criteria = [str(c).strip() for c in criteria if str(c).strip()]
            if any(len(c) > 1000 for c in criteria):
                errors["acceptance_criteria"] = _("A criterion has at most 1000 characters.")
        cleaned["acceptance_criteria"] = criteria
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- products and teams ------------------------------------------------------------------------
@transaction.atomic
def create_product(
    *,
    actor,
    cooperative: Cooperative,
    owner,
    name: str,
    key: str,
    vision: str = "",
    sprint_length_days: int = 14,
    participants=(),
) -> Product:
    """A pilot organisation starts a product; its creator becomes the product owner.

    Participants are the other organisations taking part. Each must hold an open membership of
    the product's cooperative (applied, approved or active), so an organisation whose
    application is still being decided may already take part; one that left or was rejected
    may not. The owner is never its own participant. Either refusal is a DomainError on the
    field "participants"; a participant gives its people a view of the product.
    """
    coordinator = allowed(actor, "cooperative.manage_memberships", cooperative)
    if not coordinator and not allowed(actor, "cooperative.act_for_organisation", owner):
        raise NotAllowed(_("Only the pilot's own people or a coordinator can start a product."))
    is_pilot = Membership.objects.filter(
        cooperative=cooperative,
        organisation=owner,
        state=MembershipState.ACTIVE,
        role=MembershipRole.PILOT,
    ).exists()
    if not is_pilot:
        raise DomainError(
            _("%(owner)s is not an active pilot of %(cooperative)s.")
            % {"owner": owner, "cooperative": cooperative},
            field="owner",
        )
    participants = list(participants)
    _check_participants(cooperative=cooperative, owner=owner, participants=participants)
    product = Product(
        cooperative=cooperative,
        owner=owner,
        name=(name or "").strip(),
        key=(key or "").strip().upper(),
        vision=vision,
        sprint_length_days=sprint_length_days,
    )
    product.full_clean()
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as error:
        raise Conflict(
            _("Another product of this cooperative already uses the key %(key)s.")
            % {"key": product.key},
            field="key",
        ) from error
    product.participants.set(participants)
    if allowed(actor, "cooperative.act_for_organisation", owner):
        TeamMember.objects.create(product=product, user=actor, role=TeamRole.PRODUCT_OWNER)
    audit.record(
        actor=actor,
        action="product.created",
        obj=product,
        cooperative=cooperative,
        organisation=owner,
        changes={"name": [None, product.name], "key": [None, product.key]},
    )
    return product


def _check_participants(*, cooperative, owner, participants) -> None:
    if not participants:
        return
    if any(p.pk == owner.pk for p in participants):
        raise DomainError(
            _("%(owner)s owns the product, so it cannot also be a participant.") % {"owner": owner},
            field="participants",
        )
    members = set(
        Membership.objects.open()
        .filter(cooperative=cooperative, organisation__in=[p.pk for p in participants])
        .values_list("organisation_id", flat=True)
    )
    outsiders = [p for p in participants if p.pk not in members]
    if outsiders:
        raise DomainError(
            ngettext(
                "Only members of %(cooperative)s can take part, and %(names)s is not one.",
                "Only members of %(cooperative)s can take part, and %(names)s are not.",
                len(outsiders),
            )
            % {"cooperative": cooperative, "names": ", ".join(str(p) for p in outsiders)},
            field="participants",
        )


@transaction.atomic
def add_team_member(*, actor, product: Product, user, role: str) -> TeamMember:
    require(actor, "sprints.manage_team", product)
    if role not in TeamRole.values:
        raise DomainError(_("Unknown team role: %(role)s.") % {"role": role}, field="role")
    member, created = TeamMember.objects.get_or_create(product=product, user=user, role=role)
    if created:
        audit.record(
            actor=actor,
            action="product.team_member_added",
            obj=product,
            cooperative=product.cooperative,
            changes={"team": [None, f"{user.get_username()}: {role}"]},
        )
    return member


# --- backlog -------------------------------------------------------------------------------------
@transaction.atomic
def create_item(
    *,
    actor,
    product: Product,
    title: str,
    kind: str = ItemKind.STORY,
    description: str = "",
    acceptance_criteria=(),
    estimate=None,
    at_top: bool = False,
    follow_up_of=None,
) -> BacklogItem:
    """Add an item at the bottom (or top) of the backlog, numbered without gaps."""
    if follow_up_of is None:
        require(actor, "sprints.edit_backlog", product)
    fields = _clean_item_fields(
        {
            "title": title,
            "kind": kind,
            "description": description,
            "acceptance_criteria": list(acceptance_criteria),
            "estimate": estimate,
        }
    )
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
    _change(item, "status", None, item.status, actor=actor)
    events.item_event(item, "item.created")
    return item


@transaction.atomic
def update_item(*, actor, item: BacklogItem, version: int, **changes) -> BacklogItem:
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
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    if "estimate" in fields and fields["estimate"] != old_estimate:
        _change(current, "estimate", old_estimate, current.estimate, actor=actor)
    events.item_event(current, "item.changed")
    return current


def _make_room(product, item, *, before=None, after=None) -> int:
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
        if low is None and high is None:
            low, high = 0, slots * GAP
        elif low is None:
            low = high - slots * GAP
        elif high is None:
            high = low + slots * GAP
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


def _slot(product, item, *, before=None, after=None):
    """A free position just before `before` or just after `after`, or None if there is none."""
    others = product.items.exclude(pk=item.pk)
    if before is not None:
        upper = before.position
        neighbour = others.filter(position__lt=upper).order_by("-position").first()
        lower = neighbour.position if neighbour else upper - 2 * GAP
    else:
        lower = after.position
        neighbour = others.filter(position__gt=lower).order_by("position").first()
        upper = neighbour.position if neighbour else lower + 2 * GAP
    if upper - lower < 2:
        return None
    return (lower + upper) // 2


@transaction.atomic
def move_item(
    *,
    actor,
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
    if sum(x is not None for x in (before, after, to)) != 1:
        raise DomainError(
            _("Say where to move the item: before or after another item, or to the top or bottom."),
            field="to",
        )
    if to is not None and to not in ("top", "bottom"):
        raise DomainError(_("Move to 'top' or 'bottom'."), field="to")
    target = before or after
    product = _lock(item.product)
    # The item and its target as they are now that no one else can move them: one query.
    current = BacklogItem.objects.in_bulk([item.pk] + ([target.pk] if target else []))
    item = current[item.pk]
    item.product = product  # spares the event's reference a query for the product
    if target is not None:
        target = current[target.pk]
        if target.product_id != product.pk:
            raise DomainError(
                _("%(reference)s belongs to another product.") % {"reference": target.reference},
                field="before" if before is not None else "after",
            )
        if target.pk == item.pk:
            raise DomainError(
                _("An item cannot be moved next to itself."),
                field="before" if before is not None else "after",
            )
    old_position = item.position
    if to == "top":
        low = product.items.exclude(pk=item.pk).aggregate(low=Min("position"))["low"]
        position = (low if low is not None else GAP) - GAP
    elif to == "bottom":
        high = product.items.exclude(pk=item.pk).aggregate(high=Max("position"))["high"]
        position = (high if high is not None else 0) + GAP
    else:
        kwargs = {"before": target} if before is not None else {"after": target}
        position = _slot(product, item, **kwargs)
        if position is None:
            # Saved along with the window around it.
            old_position = position = _make_room(product, item, **kwargs)
    item.position = position
    if position != old_position:
        item.save(update_fields=["position"])
    events.item_event(item, "item.moved")
    return item


# --- sprints -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Commitment:
    sprint: Sprint
    points: int
    average_velocity: Decimal | None

    @property
    def exceeds_velocity(self) -> bool:
        return self.average_velocity is not None and self.points > self.average_velocity


@transaction.atomic
def plan_sprint(*, actor, product: Product, start: date, goal: str = "") -> Sprint:
    require(actor, "sprints.plan_sprint", product)
    if not isinstance(start, date):
        raise DomainError(_("Give the sprint's start date."), field="start")
    product = _lock(product)
    number = (product.sprints.aggregate(n=Max("number"))["n"] or 0) + 1
    sprint = Sprint.objects.create(
        product=product,
        number=number,
        goal=(goal or "").strip(),
        start=start,
        end=start + timedelta(days=product.sprint_length_days),
    )
    audit.record(
        actor=actor,
        action="sprint.planned",
        obj=sprint,
        cooperative=product.cooperative,
        changes={"state": [None, sprint.state], "start": [None, start], "end": [None, sprint.end]},
    )
    events.sprint_event(sprint, "sprint.planned")
    return sprint


def average_velocity(product: Product, *, before: Sprint | None = None, count: int = 3):
    """Average accepted points of the last `count` closed sprints, or None without history."""
    from sprints.selectors import velocity

    rows = velocity(product, last=count, before=before)
    if not rows:
        return None
    return (Decimal(sum(r["points"] for r in rows)) / len(rows)).quantize(Decimal("0.1"))


@transaction.atomic
def commit_items(*, actor, sprint: Sprint, items) -> Commitment:
    """Commit ready backlog items to a planned or active sprint."""
    require(actor, "sprints.plan_sprint", sprint.product)
    _lock(sprint.product)
    sprint = Sprint.objects.select_related("product").get(pk=sprint.pk)
    if sprint.state not in (SprintState.PLANNED, SprintState.ACTIVE):
        raise Conflict(
            _("Items can only be committed to a planned or active sprint; this one is %(state)s.")
            % {"state": sprint.get_state_display()},
            field="state",
        )
    ids = [getattr(item, "pk", item) for item in items]
    chosen = list(
        BacklogItem.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("product")
    )
    if len(chosen) != len(set(ids)):
        raise DomainError(_("Some of the items do not exist."), field="items")
    for item in chosen:
        if item.product_id != sprint.product_id:
            raise DomainError(
                _("%(reference)s belongs to another product.") % {"reference": item.reference},
                field="items",
            )
        if item.status != ItemStatus.OPEN or item.sprint_id is not None:
            raise Conflict(
                _("%(reference)s is not in the backlog (it is %(status)s).")
                % {"reference": item.reference, "status": item.get_status_display()},
                field="items",
            )
        if not item.is_ready:
            missing = _("acceptance criteria") if not item.acceptance_criteria else _("an estimate")
            raise DomainError(
                _("%(reference)s is not ready: it has no %(missing)s.")
                % {"reference": item.reference, "missing": missing},
                field="items",
            )
    for item in chosen:
        item.sprint = sprint
        item.status = ItemStatus.TODO
        item.version += 1
        item.save(update_fields=["sprint", "status", "version"])
        _change(item, "sprint", None, sprint.pk, actor=actor)
        _change(item, "status", ItemStatus.OPEN, ItemStatus.TODO, actor=actor)
        events.item_event(item, "item.changed")
    points = sum(i.estimate or 0 for i in sprint.items.all())
    return Commitment(
        sprint=sprint,
        points=points,
        average_velocity=average_velocity(sprint.product, before=sprint),
    )


def _transition(sprint, actor, source_states, target, message):
    require(actor, "sprints.plan_sprint", sprint.product)
    sprint = (
        Sprint.objects.select_for_update(of=("self",))
        .select_related("product__cooperative")
        .get(pk=sprint.pk)
    )
    if sprint.state not in source_states:
        raise Conflict(message % {"state": sprint.get_state_display()}, field="state")
    before = sprint.state
    sprint.state = target
    return sprint, before


@transaction.atomic
def start_sprint(*, actor, sprint: Sprint) -> Sprint:
    sprint, before = _transition(
        sprint,
        actor,
        (SprintState.PLANNED,),
        SprintState.ACTIVE,
        _("Only a planned sprint can be started; this one is %(state)s."),
    )
    sprint.started_at = timezone.now()
    try:
        with transaction.atomic():
            sprint.save(update_fields=["state", "started_at"])
    except IntegrityError as error:
        raise Conflict(
            _("This product already has an active sprint; close it first."), field="state"
        ) from error
    audit.record(
        actor=actor,
        action="sprint.started",
        obj=sprint,
        cooperative=sprint.product.cooperative,
        changes={"state": [before, sprint.state]},
    )
    events.sprint_event(sprint, "sprint.started")
    return sprint


@transaction.atomic
def finish_sprint(*, actor, sprint: Sprint) -> Sprint:
    """End the work of an active sprint: it goes to review."""
    sprint, before = _transition(
        sprint,
        actor,
        (SprintState.ACTIVE,),
        SprintState.REVIEW,
        _("Only an active sprint can go to review; this one is %(state)s."),
    )
    sprint.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="sprint.review",
        obj=sprint,
        cooperative=sprint.product.cooperative,
        changes={"state": [before, sprint.state]},
    )
    events.sprint_event(sprint, "sprint.review")
    return sprint


@transaction.atomic
def close_sprint(*, actor, sprint: Sprint) -> Sprint:
    """Close the sprint; unfinished items go back to the top of the backlog as not done."""
    _lock(sprint.product)
    sprint, before = _transition(
        sprint,
        actor,
        (SprintState.ACTIVE, SprintState.REVIEW),
        SprintState.CLOSED,
        _("Only an active sprint or one in review can be closed; this one is %(state)s."),
    )
    sprint.closed_at = timezone.now()
    sprint.save(update_fields=["state", "closed_at"])
    unfinished = list(
        sprint.items.filter(status__in=[ItemStatus.TODO, ItemStatus.IN_PROGRESS]).order_by(
            "position"
        )
    )
    low = sprint.product.items.aggregate(low=Min("position"))["low"] or 0
    start = low - GAP * len(unfinished)
    for index, item in enumerate(unfinished):
        old_status = item.status
        item.position = start + index * GAP
        item.status = ItemStatus.OPEN
        item.sprint = None
        item.version += 1
        item.save(update_fields=["position", "status", "sprint", "version"])
        _change(item, "status", old_status, ItemStatus.OPEN, actor=actor, sprint=sprint)
        _change(item, "sprint", sprint.pk, None, actor=actor, sprint=sprint)
        _change(item, "not_done", None, sprint.pk, actor=actor, sprint=sprint)
        events.item_event(item, "item.moved")
    audit.record(
        actor=actor,
        action="sprint.closed",
        obj=sprint,
        cooperative=sprint.product.cooperative,
        changes={
            "state": [before, sprint.state],
            "not_done": [None, [i.reference for i in unfinished]],
        },
    )
    events.sprint_event(sprint, "sprint.closed", not_done=[i.pk for i in unfinished])
    return sprint


BOARD_STATUSES = (ItemStatus.TODO, ItemStatus.IN_PROGRESS, ItemStatus.DONE)


@transaction.atomic
def set_item_status(*, actor, item: BacklogItem, status: str) -> BacklogItem:
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


# --- increments and acceptance ---------------------------------------------------------------
def create_increment(
    *,
    actor,
    product: Product,
    version: str,
    items,
    release_notes: str = "",
    git_ref: str = "",
    sprint: Sprint | None = None,
) -> Increment:
    require(actor, "sprints.prepare_increment", product)
    # Imported here: integrations builds on sprints, not the other way round at import time.
    from integrations.selectors.repositories import git_ref_problem

    # Checked before the transaction: it runs git in every mirror of the product, which must
    # not keep a database transaction (and its locks) open.
    if problem := git_ref_problem(product, git_ref):
        raise DomainError(problem, field="git_ref")
    return _create_increment(
        actor=actor,
        product=product,
        version=version,
        items=items,
        release_notes=release_notes,
        git_ref=git_ref,
        sprint=sprint,
    )


@transaction.atomic
def _create_increment(
    *, actor, product, version, items, release_notes, git_ref, sprint
) -> Increment:
    version = (version or "").strip()
    if not version:
        raise DomainError(_("Give the increment a version, such as 1.4.0."), field="version")
    ids = [getattr(item, "pk", item) for item in items]
    chosen = list(BacklogItem.objects.filter(pk__in=ids).select_related("product"))
    if not ids or len(chosen) != len(set(ids)):
        raise DomainError(_("Choose the done items this increment delivers."), field="items")
    for item in chosen:
        if item.product_id != product.pk:
            raise DomainError(
                _("%(reference)s belongs to another product.") % {"reference": item.reference},
                field="items",
            )
        if item.status != ItemStatus.DONE:
            raise DomainError(
                _("%(reference)s is not done, so it cannot be delivered.")
                % {"reference": item.reference},
                field="items",
            )
    if sprint is not None and sprint.product_id != product.pk:
        raise DomainError(_("That sprint belongs to another product."), field="sprint")
    try:
        with transaction.atomic():
            increment = Increment.objects.create(
                product=product,
                version=version,
                release_notes=release_notes,
                git_ref=(git_ref or "").strip(),
                sprint=sprint,
            )
    except IntegrityError as error:
        raise Conflict(
            _("This product already has an increment %(version)s.") % {"version": version},
            field="version",
        ) from error
    IncrementItem.objects.bulk_create(
        [IncrementItem(increment=increment, item=item) for item in chosen]
    )
    audit.record(
        actor=actor,
        action="increment.created",
        obj=increment,
        cooperative=product.cooperative,
        changes={"version": [None, version], "items": [None, sorted(i.reference for i in chosen)]},
    )
    return increment


@transaction.atomic
def submit_increment(*, actor, increment: Increment, deadline: date, testers=None) -> Increment:
    """Ask the product's testers (or the chosen ones) for a verdict on every item."""
    require(actor, "sprints.prepare_increment", increment.product)
    increment = (
        Increment.objects.select_for_update(of=("self",))
        .select_related("product__cooperative")
        .get(pk=increment.pk)
    )
    if increment.state != IncrementState.DRAFT:
        raise Conflict(_("This increment was already submitted."), field="state")
    if not isinstance(deadline, date):
        raise DomainError(_("Give the deadline for the verdicts."), field="deadline")
    if deadline < timezone.localdate():
        raise DomainError(_("The deadline cannot be in the past."), field="deadline")
    product = increment.product
    eligible = {
        user.pk: user
        for user in (
            m.user for m in product.members.filter(role=TeamRole.TESTER).select_related("user")
        )
        if allowed(user, "sprints.give_verdict", product)
    }
    if testers is None:
        chosen = list(eligible.values())
    else:
        chosen = []
        for tester in testers:
            pk = getattr(tester, "pk", tester)
            if pk not in eligible:
                raise DomainError(
                    _(
                        "Only the product's testers who do not build or own it can "
                        "be asked for verdicts."
                    ),
                    field="testers",
                )
            chosen.append(eligible[pk])
    if not chosen:
        raise DomainError(_("This product has no tester who may give verdicts."), field="testers")
    increment.state = IncrementState.SUBMITTED
    increment.deadline = deadline
    increment.submitted_at = timezone.now()
    increment.save(update_fields=["state", "deadline", "submitted_at"])
    increment.testers.set(chosen)
    audit.record(
        actor=actor,
        action="increment.submitted",
        obj=increment,
        cooperative=product.cooperative,
        changes={
            "state": [IncrementState.DRAFT, increment.state],
            "testers": [None, sorted(t.get_username() for t in chosen)],
            "deadline": [None, deadline],
        },
    )
    events.increment_submitted(increment, [t.pk for t in chosen])
    return increment


@transaction.atomic
def give_verdict(
    *,
    actor,
    increment: Increment,
    item: BacklogItem,
    accepted: bool,
    remarks: str = "",
    screenshot=None,
) -> Verdict:
    """A tester accepts an item, or rejects it with remarks; a rejection puts a follow-up item
    at the top of the backlog. Verdicts are never edited."""
    increment = (
        Increment.objects.select_for_update(of=("self",))
        .select_related("product__cooperative")
        .get(pk=increment.pk)
    )
    product = increment.product
    require(
        actor,
        "sprints.give_verdict",
        product,
        _("Only the product's testers give verdicts, and not on a product they build or own."),
    )
    if not increment.testers.filter(pk=actor.pk).exists():
        raise NotAllowed(_("You were not asked for verdicts on this increment."))
    if increment.state != IncrementState.SUBMITTED:
        raise Conflict(
            _("This increment is not awaiting acceptance (it is %(state)s).")
            % {"state": increment.get_state_display()},
            field="increment",
        )
    entry = (
        IncrementItem.objects.select_for_update(of=("self",))
        .select_related("item__product")
        .filter(increment=increment, item_id=getattr(item, "pk", item))
        .first()
    )
    if entry is None:
        raise DomainError(_("That item is not part of this increment."), field="item")
    remarks = (remarks or "").strip()
    if not accepted and not remarks:
        raise DomainError(
            _("Say what is wrong: a rejection needs remarks."), field="remarks", code="required"
        )
    if entry.verdicts.filter(tester=actor).exists():
        raise Conflict(
            _("You already gave a verdict on %(reference)s; verdicts are never edited.")
            % {"reference": entry.item.reference},
            field="item",
        )
    verdict = Verdict.objects.create(
        increment_item=entry,
        tester=actor,
        accepted=bool(accepted),
        remarks=remarks,
        screenshot=screenshot or "",
    )
    audit.record(
        actor=actor,
        action="verdict.accepted" if accepted else "verdict.rejected",
        obj=verdict,
        cooperative=product.cooperative,
        reason=remarks,
        changes={
            "item": [None, entry.item.reference],
            "increment": [None, increment.version],
            "accepted": [None, bool(accepted)],
        },
    )
    if not accepted:
        entry.outcome = ItemOutcome.REJECTED
        entry.save(update_fields=["outcome"])
        create_item(
            actor=actor,
            product=product,
            kind=ItemKind.BUG,
            at_top=True,
            title=(
                _("Follow-up of %(reference)s: %(title)s")
                % {"reference": entry.item.reference, "title": entry.item.title}
            )[:200],
            description=remarks,
            follow_up_of=verdict,
        )
    elif entry.outcome == ItemOutcome.PENDING:
        asked = set(increment.testers.values_list("pk", flat=True))
        approving = set(entry.verdicts.filter(accepted=True).values_list("tester_id", flat=True))
        if asked <= approving:
            entry.outcome = ItemOutcome.ACCEPTED
            entry.save(update_fields=["outcome"])
            backlog_item = BacklogItem.objects.select_for_update(of=("self",)).get(pk=entry.item_id)
            if backlog_item.status != ItemStatus.ACCEPTED:
                old = backlog_item.status
                backlog_item.status = ItemStatus.ACCEPTED
                backlog_item.version += 1
                backlog_item.save(update_fields=["status", "version"])
                _change(backlog_item, "status", old, ItemStatus.ACCEPTED, actor=actor)
                events.item_event(backlog_item, "item.changed")
    _decide_increment(increment, actor)
    events.verdict_given(verdict, entry, increment.testers.values_list("pk", flat=True))
    return verdict


def _decide_increment(increment: Increment, actor) -> None:
    outcomes = set(increment.increment_items.values_list("outcome", flat=True))
    if ItemOutcome.PENDING in outcomes:
        return
    increment.state = (
        IncrementState.ACCEPTED if outcomes == {ItemOutcome.ACCEPTED} else IncrementState.REJECTED
    )
    increment.decided_at = timezone.now()
    increment.save(update_fields=["state", "decided_at"])
    audit.record(
        actor=actor,
        action=f"increment.{increment.state}",
        obj=increment,
        cooperative=increment.product.cooperative,
        changes={"state": [IncrementState.SUBMITTED, increment.state]},
    )
    events.increment_decided(increment)
