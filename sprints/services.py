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
from django.db.models import BigIntegerField, Case, F, Max, Min, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperative import audit
from cooperative.models import Cooperative, Membership, MembershipRole, MembershipState
from deelbaar.errors import Conflict, DomainError, NotAllowed, NotFound, StaleObject
from deelbaar.permissions import allowed, require
from sprints import events, rules
from sprints.models import (
    ESTIMATES,
    AcceptanceCriterion,
    BacklogItem,
    CriterionVerdict,
    DraftAnswer,
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
from sprints.selectors import product_organisations, team_candidates

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


def _sprint_of_acceptance(item) -> Sprint | None:
    """The sprint an item's acceptance counts toward: its own until that sprint is closed
    (whose velocity is then fixed), afterwards the product's sprint running now (the active
    one, else the one in review), or none."""
    if item.sprint_id is not None:
        own = Sprint.objects.get(pk=item.sprint_id)
        if own.state != SprintState.CLOSED:
            return own
    return (
        Sprint.objects.filter(
            product_id=item.product_id, state__in=[SprintState.ACTIVE, SprintState.REVIEW]
        )
        .order_by("-number")
        .first()
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
        try:
            cleaned["acceptance_criteria"] = _clean_criteria(fields["acceptance_criteria"])
        except ValueError as error:
            errors["acceptance_criteria"] = str(error)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_criteria(criteria) -> list[tuple[int | None, str]]:
    """Criteria as (id, text) pairs in order. Each one is a sentence (old clients send a list
    of strings) or {"id": ..., "text": ...}, the id naming a criterion to keep and edit."""
    criteria = criteria or []
    if isinstance(criteria, str) or not isinstance(criteria, list | tuple):
        raise ValueError(_("Acceptance criteria are a list of sentences."))
    cleaned = []
    for criterion in criteria:
        pk = None
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


def _set_criteria(item: BacklogItem, criteria, *, follows_up=()) -> None:
    """Edit the item's criteria in place: a criterion named by its id, or else one with the
    same text, keeps its row (and id); new ones are added; the rest are removed."""
    existing = {c.pk: c for c in item.criteria.all()}
    by_text = {}
    for criterion in existing.values():
        by_text.setdefault(criterion.text, []).append(criterion)
    kept, changed, added = set(), [], []
    follows_up = list(follows_up) + [None] * (len(criteria) - len(follows_up))
    for position, ((pk, text), origin) in enumerate(zip(criteria, follows_up, strict=True)):
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
    follow_up_per_criterion: bool = False,
) -> Product:
    """A pilot organisation starts a product; its creator becomes the product owner.

    Participants are the other organisations taking part. Each must hold an open membership of
    the product's cooperative (applied, approved or active), so an organisation whose
    application is still being decided may already take part; one that left or was rejected
    may not. The owner is never its own participant. Either refusal is a DomainError on the
    field "participants"; a participant gives its people a view of the product.

    `follow_up_per_criterion` is the product owner's choice of how a rejection becomes work:
    one follow-up item per criterion not met, or (the default) one per rejected item.
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
        follow_up_per_criterion=bool(follow_up_per_criterion),
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


def _person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _team_changed(product, event: str, member: TeamMember, actor, **extra) -> None:
    # Everyone on the product's pages sees the team change; `event_published` lets the
    # notifications tell the person concerned.
    events.team_event(product, event, member, actor=actor, **extra)


def _check_candidate(product: Product, user, field: str = "user") -> None:
    if not team_candidates(product).filter(pk=user.pk).exists():
        raise DomainError(
            _(
                "%(person)s does not work for %(owner)s, a participating organisation or a "
                "supplier, so cannot join this product's team."
            )
            % {"person": _person_name(user), "owner": product.owner},
            field=field,
        )


def _stop_asking(*, actor, product: Product, user) -> None:
    """Someone who may no longer give verdicts on the product (removed as tester, made
    developer or owner) is no longer waited for: they leave the testers asked on its increments
    awaiting acceptance, whose items are then decided by the testers still asked. What they
    said stays."""
    if allowed(user, "sprints.give_verdict", product):
        return
    waiting = Increment.objects.select_for_update(of=("self",)).filter(
        product=product, state=IncrementState.SUBMITTED, testers=user
    )
    for increment in waiting.select_related("product__cooperative"):
        increment.testers.remove(user)
        audit.record(
            actor=actor,
            action="increment.tester_withdrawn",
            obj=increment,
            cooperative=product.cooperative,
            changes={"testers": [user.get_username(), None]},
        )
        if not increment.testers.exists():
            continue  # nobody left to ask: it waits until the product owner asks others
        for entry in increment.increment_items.filter(outcome=ItemOutcome.PENDING):
            _accept_if_all_approved(entry, increment, actor)
        _decide_increment(increment, actor)


@transaction.atomic
def add_team_member(*, actor, product: Product, user, role: str) -> TeamMember:
    """Put a person on the product's team in a role (a person may hold several).

    Only the product owner and the cooperative's coordinators manage the team. The person works
    for the owning organisation, a participating one or a supplier. Adding a role the person
    already holds changes nothing and answers the existing row. The API and pages add only
    developers and testers; the owner's role changes hands by `hand_over_product`.
    """
    require(actor, "sprints.manage_team", product)
    if role not in TeamRole.values:
        raise DomainError(_("Unknown team role: %(role)s.") % {"role": role}, field="role")
    product = _lock(product)
    _check_candidate(product, user)
    member, created = TeamMember.objects.get_or_create(product=product, user=user, role=role)
    if created:
        audit.record(
            actor=actor,
            action="product.team_member_added",
            obj=product,
            cooperative=product.cooperative,
            changes={"team": [None, f"{user.get_username()}: {role}"]},
        )
        _team_changed(product, "team.member_added", member, actor)
    return member


@transaction.atomic
def change_team_role(*, actor, member: TeamMember, role: str) -> TeamMember:
    """Make a developer a tester or the other way round, mid-sprint if need be.

    What they did in their old role stays (verdicts, history); what they may do follows the
    new role at once, so a tester made developer can no longer give verdicts. The product
    owner's role changes hands only by `hand_over_product`.
    """
    product = member.product
    require(actor, "sprints.manage_team", product)
    if role not in (TeamRole.DEVELOPER, TeamRole.TESTER):
        raise DomainError(
            _("A team member is a developer or a tester; hand over the product owner role."),
            field="role",
        )
    product = _lock(product)
    member = TeamMember.objects.select_related("user").get(pk=member.pk)
    if member.role == TeamRole.PRODUCT_OWNER:
        raise Conflict(
            _("The product owner's role changes only by handing it over to someone else."),
            field="role",
        )
    if member.role == role:
        return member
    if TeamMember.objects.filter(product=product, user=member.user, role=role).exists():
        raise Conflict(
            _("%(person)s already has this role on the team.")
            % {"person": _person_name(member.user)},
            field="role",
        )
    old, name = member.role, member.user.get_username()
    member.role = role
    member.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="product.team_role_changed",
        obj=product,
        cooperative=product.cooperative,
        changes={"team": [f"{name}: {old}", f"{name}: {role}"]},
    )
    _team_changed(product, "team.member_changed", member, actor, previous_role=old)
    _stop_asking(actor=actor, product=product, user=member.user)
    return member


@transaction.atomic
def remove_team_member(*, actor, member: TeamMember) -> None:
    """Take a role off a person. Their verdicts, drafts and history stay as they were; they
    are no longer asked, nor may they act in that role. The last product owner cannot be
    removed (hand the role over first), so a product is never without one."""
    product = member.product
    require(actor, "sprints.manage_team", product)
    product = _lock(product)
    member = TeamMember.objects.select_related("user").filter(pk=member.pk).first()
    if member is None:
        raise NotFound(_("This person is no longer on the team."))
    if (
        member.role == TeamRole.PRODUCT_OWNER
        and not product.members.filter(role=TeamRole.PRODUCT_OWNER).exclude(pk=member.pk).exists()
    ):
        raise Conflict(
            _("Hand the product owner role over to someone else before leaving the team."),
            field="role",
        )
    audit.record(
        actor=actor,
        action="product.team_member_removed",
        obj=product,
        cooperative=product.cooperative,
        changes={"team": [f"{member.user.get_username()}: {member.role}", None]},
    )
    _team_changed(product, "team.member_removed", member, actor)
    member.delete()
    _stop_asking(actor=actor, product=product, user=member.user)


@transaction.atomic
def hand_over_product(*, actor, product: Product, user) -> TeamMember:
    """Make `user` the product owner in place of the present one.

    The new owner works for the owning or a participating organisation (not a supplier: the
    municipalities steer). A role they held as tester ends, since an owner gives no verdicts;
    the previous owner leaves the team (the owner or coordinator may add them back in another
    role). Answers the new owner's team row.
    """
    require(actor, "sprints.manage_team", product)
    product = _lock(product)
    staff = product_organisations(product).filter(affiliations__user=user)
    if not user.is_active or not staff.exists():
        raise DomainError(
            _(
                "%(person)s does not work for %(owner)s or a participating organisation, so "
                "cannot own this product."
            )
            % {"person": _person_name(user), "owner": product.owner},
            field="user",
        )
    previous = list(
        TeamMember.objects.select_related("user").filter(
            product=product, role=TeamRole.PRODUCT_OWNER
        )
    )
    if any(m.user_id == user.pk for m in previous):
        raise Conflict(
            _("%(person)s already owns this product.") % {"person": _person_name(user)},
            field="user",
        )
    ended = list(
        TeamMember.objects.filter(product=product, user=user, role=TeamRole.TESTER).values_list(
            "role", flat=True
        )
    )
    TeamMember.objects.filter(product=product, user=user, role=TeamRole.TESTER).delete()
    TeamMember.objects.filter(pk__in=[m.pk for m in previous]).delete()
    member = TeamMember.objects.create(product=product, user=user, role=TeamRole.PRODUCT_OWNER)
    audit.record(
        actor=actor,
        action="product.owner_changed",
        obj=product,
        cooperative=product.cooperative,
        changes={
            "product_owner": [
                ", ".join(m.user.get_username() for m in previous) or None,
                user.get_username(),
            ],
            **({"ended_roles": [ended, None]} if ended else {}),
        },
    )
    _team_changed(
        product,
        "team.owner_changed",
        member,
        actor,
        previous_owners=[m.user_id for m in previous],
    )
    _stop_asking(actor=actor, product=product, user=user)
    return member


PRODUCT_FIELDS = ("name", "vision", "sprint_length_days", "participants")


@transaction.atomic
def update_product(*, actor, product: Product, version: int, **changes) -> Product:
    """Edit the product's name, vision, sprint length or participating organisations, if
    nobody changed it since `version` was read (else StaleObject, 412).

    Only its product owner and the cooperative's coordinators. Participants follow the same
    rule as when starting the product. A sprint length applies to sprints planned from now
    on; the running ones keep their dates. Answers the product with its version raised.
    """
    require(actor, "sprints.change_product", product)
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise DomainError(
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    current = _lock(product)
    if current.version != version:
        raise StaleObject(
            _(
                "Someone else changed %(product)s since you opened it (now version "
                "%(version)s). Reload it and make your change again."
            )
            % {"product": current.name, "version": current.version},
            field="version",
        )
    before = {
        "name": current.name,
        "vision": current.vision,
        "sprint_length_days": current.sprint_length_days,
        "participants": sorted(current.participants.values_list("pk", flat=True)),
    }
    participants = changes.pop("participants", None)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    for field, value in changes.items():
        setattr(current, field, value)
    try:
        current.full_clean(exclude=["cooperative", "owner", "key"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(" ".join(messages), field=field) from error
    if participants is not None:
        participants = list(participants)
        _check_participants(
            cooperative=current.cooperative, owner=current.owner, participants=participants
        )
    after = {**before, **{f: getattr(current, f) for f in changes}}
    if participants is not None:
        after["participants"] = sorted(p.pk for p in participants)
    changed = {f: [before[f], after[f]] for f in before if before[f] != after[f]}
    if not changed:
        return current
    current.version += 1
    current.save(update_fields=[*changes, "version"])
    if participants is not None and "participants" in changed:
        current.participants.set(participants)
    audit.record(
        actor=actor,
        action="product.changed",
        obj=current,
        cooperative=current.cooperative,
        organisation=current.owner,
        changes=changed,
    )
    events.product_changed(current, sorted(changed))
    return current


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
    follows_up=(),
) -> BacklogItem:
    """Add an item at the bottom (or top) of the backlog, numbered without gaps.

    A follow-up names the verdict it follows up, and for each of its criteria copied from one
    not met, that criterion's verdict (`follows_up`, in the criteria's order)."""
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
    # One statement takes the product's lock and reads the item and its target as they are
    # now that no one else can move them (the product row comes along, joined).
    current = (
        BacklogItem.objects.select_related("product")
        .select_for_update(of=("product",))
        .in_bulk([item.pk] + ([target.pk] if target else []))
    )
    item = current[item.pk]
    product = item.product
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
        # `end` is the sprint's last day, inclusive: a 14-day sprint from a Monday ends on
        # the Sunday a fortnight later, and the next one starts the day after.
        end=start + timedelta(days=product.sprint_length_days - 1),
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
    events.sprint_event(sprint, "sprint.started", actor=actor.pk)
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
    # Fixed now: what is accepted later counts toward the sprint running then.
    sprint.velocity = (
        ItemChange.objects.filter(sprint=sprint, field="status", new=ItemStatus.ACCEPTED).aggregate(
            total=Sum("points")
        )["total"]
        or 0
    )
    sprint.save(update_fields=["state", "closed_at", "velocity"])
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
            "velocity": [None, sprint.velocity],
            "not_done": [None, [i.reference for i in unfinished]],
        },
    )
    events.sprint_event(
        sprint, "sprint.closed", not_done=[i.pk for i in unfinished], actor=actor.pk
    )
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
    # The whole team's roles in one query: checking each tester must not cost one per person.
    product = rules.remember_whole_team(increment.product)
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
    events.increment_submitted(increment, [t.pk for t in chosen], actor=actor)
    return increment


def _clean_answers(answers, criteria) -> list[dict]:
    """A tester's answers on an item's criteria, in the criteria's order: every criterion
    answered once, met or not met, with remarks when not met."""
    if isinstance(answers, dict):
        answers = [{"criterion": pk, **answer} for pk, answer in answers.items()]
    by_id = {}
    for answer in answers:
        pk = answer.get("criterion")
        pk = getattr(pk, "pk", pk)
        if pk not in {c.pk for c in criteria}:
            raise DomainError(
                _("Criterion %(id)s is not one of this item's.") % {"id": pk}, field="criteria"
            )
        if pk in by_id:
            raise DomainError(
                _("Criterion %(id)s is answered twice.") % {"id": pk}, field="criteria"
            )
        by_id[pk] = answer
    missing = [c for c in criteria if c.pk not in by_id]
    if missing:
        raise DomainError(
            _("Say for every criterion whether it is met; not yet answered: %(criteria)s.")
            % {"criteria": "; ".join(c.text for c in missing)},
            field="criteria",
            code="required",
        )
    cleaned = []
    for criterion in criteria:
        answer = by_id[criterion.pk]
        met = answer.get("met")
        if not isinstance(met, bool):
            raise DomainError(
                _("Say whether “%(criterion)s” is met.") % {"criterion": criterion.text},
                field="criteria",
                code="required",
            )
        remarks = (answer.get("remarks") or "").strip()
        if not met and not remarks:
            raise DomainError(
                _("Say what is wrong with “%(criterion)s”: a criterion not met needs remarks.")
                % {"criterion": criterion.text},
                field="criteria",
                code="required",
            )
        cleaned.append(
            {
                "criterion": criterion,
                "met": met,
                "remarks": remarks,
                "screenshot": answer.get("screenshot") or "",
            }
        )
    return cleaned


@transaction.atomic
def give_verdict(
    *,
    actor,
    increment: Increment,
    item: BacklogItem,
    accepted: bool | None = None,
    remarks: str = "",
    screenshot=None,
    criteria=None,
) -> Verdict:
    """A tester judges an item: criterion by criterion (`criteria`: for each of the item's
    criteria its id, met or not, remarks when not met and maybe a screenshot), or as a whole
    (`accepted`, for old clients and items without criteria). The item is rejected when any
    criterion is not met; each rejection puts follow-up work at the top of the backlog, with
    the criteria not met copied in as its acceptance criteria and linked back: one follow-up
    per rejected item, or one per criterion not met when the product owner chose so on the
    product. Verdicts are never edited."""
    increment = _tester_increment(actor, increment)
    product = increment.product
    entry = (
        IncrementItem.objects.select_for_update(of=("self",))
        .select_related("item__product")
        .filter(increment=increment, item_id=getattr(item, "pk", item))
        .first()
    )
    if entry is None:
        raise DomainError(_("That item is not part of this increment."), field="item")
    remarks = (remarks or "").strip()
    answers = None
    if criteria is not None:
        answers = _clean_answers(criteria, list(entry.item.criteria.all()))
        if not answers:
            raise DomainError(
                _("This item has no acceptance criteria: accept or reject it as a whole."),
                field="criteria",
            )
        met = all(answer["met"] for answer in answers)
        if accepted is not None and bool(accepted) != met:
            raise DomainError(
                _("An item is accepted exactly when every criterion is met."), field="accepted"
            )
        accepted = met
        if not accepted and not remarks:
            # The verdict's own remarks sum up the criteria not met, for whoever reads only
            # the verdict (the history, the audit trail, older clients).
            remarks = "\n".join(
                f"{answer['criterion'].text}: {answer['remarks']}"
                for answer in answers
                if not answer["met"]
            )
    elif accepted is None:
        raise DomainError(
            _("Say whether you accept the item, or answer each of its criteria."),
            field="accepted",
            code="required",
        )
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
    answered = []
    if answers:
        answered = CriterionVerdict.objects.bulk_create(
            [
                CriterionVerdict(
                    verdict=verdict,
                    criterion=answer["criterion"],
                    position=answer["criterion"].position,
                    text=answer["criterion"].text,
                    met=answer["met"],
                    remarks=answer["remarks"],
                    screenshot=answer["screenshot"],
                )
                for answer in answers
            ]
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
            **(
                {"criteria_not_met": [None, [a.text for a in answered if not a.met]]}
                if answered
                else {}
            ),
        },
    )
    if not accepted:
        entry.outcome = ItemOutcome.REJECTED
        entry.save(update_fields=["outcome"])
        _follow_up(actor=actor, product=product, entry=entry, verdict=verdict, answered=answered)
    elif entry.outcome == ItemOutcome.PENDING:
        _accept_if_all_approved(entry, increment, actor)
    _decide_increment(increment, actor)
    events.verdict_given(verdict, entry, increment.testers.values_list("pk", flat=True))
    return verdict


def _accept_if_all_approved(entry, increment, actor) -> None:
    """Accept the pending item once every tester still asked has accepted it."""
    asked = set(increment.testers.values_list("pk", flat=True))
    approving = set(entry.verdicts.filter(accepted=True).values_list("tester_id", flat=True))
    if not asked or not asked <= approving:
        return
    entry.outcome = ItemOutcome.ACCEPTED
    entry.save(update_fields=["outcome"])
    backlog_item = BacklogItem.objects.select_for_update(of=("self",)).get(pk=entry.item_id)
    if backlog_item.status != ItemStatus.ACCEPTED:
        old = backlog_item.status
        backlog_item.status = ItemStatus.ACCEPTED
        backlog_item.version += 1
        backlog_item.save(update_fields=["status", "version"])
        _change(
            backlog_item,
            "status",
            old,
            ItemStatus.ACCEPTED,
            actor=actor,
            sprint=_sprint_of_acceptance(backlog_item),
        )
        events.item_event(backlog_item, "item.changed")


def _follow_up(*, actor, product, entry, verdict, answered) -> None:
    """The follow-up work of a rejection, at the top of the backlog."""
    original = entry.item
    failed = [answer for answer in answered if not answer.met]
    if not failed:
        # Judged as a whole: the remarks say what is wrong, and no criterion can be named.
        groups = [([], original.title)]
    elif product.follow_up_per_criterion:
        groups = [([answer], answer.text) for answer in reversed(failed)]
    else:
        groups = [(failed, original.title)]
    # At the top one after the other: the last made is on top, so per criterion they are
    # made in reverse and end up in the criteria's order.
    for answers, subject in groups:
        create_item(
            actor=actor,
            product=product,
            kind=ItemKind.BUG,
            at_top=True,
            title=(
                _("Follow-up of %(reference)s: %(title)s")
                % {"reference": original.reference, "title": subject}
            )[:200],
            description=verdict.remarks,
            acceptance_criteria=[answer.text for answer in answers],
            follows_up=answers,
            follow_up_of=verdict,
        )


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
    events.increment_decided(increment, actor=actor)


# --- a tester's draft: answers kept until they send their verdict ----------------------------
def _tester_increment(actor, increment) -> Increment:
    """The increment, locked, if `actor` is a tester asked to judge it and it awaits them."""
    increment = (
        Increment.objects.select_for_update(of=("self",))
        .select_related("product__cooperative")
        .get(pk=increment.pk)
    )
    require(
        actor,
        "sprints.give_verdict",
        increment.product,
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
    return increment


def _tester_entry(actor, increment, item):
    """The increment (locked) and the item's entry in it, if `actor` may judge it now."""
    increment = _tester_increment(actor, increment)
    entry = (
        IncrementItem.objects.select_related("item__product")
        .filter(increment=increment, item_id=getattr(item, "pk", item))
        .first()
    )
    if entry is None:
        raise DomainError(_("That item is not part of this increment."), field="item")
    return increment, entry


@transaction.atomic
def save_answer(
    *,
    actor,
    increment: Increment,
    item: BacklogItem,
    criterion=None,
    met: bool | None = None,
    remarks: str | None = None,
    screenshot=None,
) -> DraftAnswer:
    """Keep one answer of a tester as given: on a criterion (met or not, remarks, a
    screenshot), or without a criterion on the item itself (its remarks; for an item without
    criteria also accepted or not). Nothing counts until `send_verdicts`; what is left out
    stays as it was saved before."""
    increment, entry = _tester_entry(actor, increment, item)
    if entry.verdicts.filter(tester=actor).exists():
        raise Conflict(
            _("You already gave a verdict on %(reference)s; verdicts are never edited.")
            % {"reference": entry.item.reference},
            field="item",
        )
    criterion_id = getattr(criterion, "pk", criterion)
    if criterion_id is not None and not entry.item.criteria.filter(pk=criterion_id).exists():
        raise DomainError(
            _("Criterion %(id)s is not one of this item's.") % {"id": criterion_id},
            field="criterion",
        )
    answer, _created = DraftAnswer.objects.get_or_create(
        increment_item=entry, tester=actor, criterion_id=criterion_id
    )
    if met is not None:
        answer.met = bool(met)
    if remarks is not None:
        answer.remarks = remarks.strip()
    if screenshot:
        answer.screenshot = screenshot
    answer.saved_at = timezone.now()
    answer.save()
    return answer


def _draft_problem(entry, criteria, answers) -> str | None:
    """What still misses in a tester's draft for one item, in plain words; None when done."""
    item_answer = answers.get(None)
    if not criteria:
        if item_answer is None or item_answer.met is None:
            return _("say whether it does what it should")
        if not item_answer.met and not item_answer.remarks:
            return _("say what is wrong")
        return None
    given = [answers.get(criterion.pk) for criterion in criteria]
    if any(answer is None or answer.met is None for answer in given):
        return _("not every criterion is answered")
    if any(not answer.met and not answer.remarks for answer in given):
        return _("say what is wrong with each criterion not met")
    return None


def draft_progress(*, tester, increment) -> dict[int, str | None]:
    """For each item of the increment the tester has not judged yet: what still misses in
    their draft (None when it is complete)."""
    entries = list(
        increment.increment_items.exclude(verdicts__tester=tester)
        .select_related("item")
        .prefetch_related("item__criteria")
    )
    answers = {}
    for answer in DraftAnswer.objects.filter(increment_item__in=entries, tester=tester):
        answers.setdefault(answer.increment_item_id, {})[answer.criterion_id] = answer
    return {
        entry.item_id: _draft_problem(
            entry, list(entry.item.criteria.all()), answers.get(entry.pk, {})
        )
        for entry in entries
    }


@transaction.atomic
def send_verdicts(*, actor, increment: Increment) -> list[Verdict]:
    """The moment a tester's draft counts: a verdict on every item they have not judged yet,
    made of the answers they saved. Refused, naming the items, while any is incomplete."""
    increment = _tester_increment(actor, increment)
    entries = list(
        increment.increment_items.exclude(verdicts__tester=actor)
        .select_related("item__product")
        .prefetch_related("item__criteria")
        .order_by("item__position")
    )
    if not entries:
        raise Conflict(_("You already gave a verdict on every item."), field="increment")
    answers = {}
    for answer in DraftAnswer.objects.filter(increment_item__in=entries, tester=actor):
        answers.setdefault(answer.increment_item_id, {})[answer.criterion_id] = answer
    unfinished = [
        entry.item
        for entry in entries
        if _draft_problem(entry, list(entry.item.criteria.all()), answers.get(entry.pk, {}))
    ]
    if unfinished:
        raise DomainError(
            ngettext(
                "You have not finished %(items)s yet.",
                "You have not finished these items yet: %(items)s.",
                len(unfinished),
            )
            % {"items": ", ".join(f"{i.reference} {i.title}" for i in unfinished)},
            field="items",
        )
    # Items another tester already rejected first: the last pending item judged decides the
    # increment, after which no verdict can be given on it.
    entries.sort(key=lambda entry: entry.outcome == ItemOutcome.PENDING)
    verdicts = []
    for entry in entries:
        mine = answers.get(entry.pk, {})
        item_answer = mine.get(None)
        criteria = list(entry.item.criteria.all())
        if criteria:
            verdict = give_verdict(
                actor=actor,
                increment=increment,
                item=entry.item,
                remarks=item_answer.remarks if item_answer else "",
                criteria=[
                    {
                        "criterion": c.pk,
                        "met": mine[c.pk].met,
                        "remarks": mine[c.pk].remarks,
                        "screenshot": mine[c.pk].screenshot.name or None,
                    }
                    for c in criteria
                ],
            )
        else:
            verdict = give_verdict(
                actor=actor,
                increment=increment,
                item=entry.item,
                accepted=item_answer.met,
                remarks=item_answer.remarks,
                screenshot=item_answer.screenshot.name or None,
            )
        verdicts.append(verdict)
    DraftAnswer.objects.filter(increment_item__in=entries, tester=actor).delete()
    return verdicts
