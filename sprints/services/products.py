"""Products: creating one and changing its settings."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperative import audit
from cooperative.models import (
    Cooperative,
    Membership,
    MembershipRole,
    MembershipState,
    Organisation,
)
from deelbaar.errors import Conflict, DomainError, NotAllowed, StaleObject
from deelbaar.permissions import allowed, require
from deelbaar.typing import User
from sprints import events
from sprints.models import (
    Product,
    TeamMember,
    TeamRole,
)
from sprints.services._common import _lock


@transaction.atomic
def create_product(
    *,
    actor: User,
    cooperative: Cooperative,
    owner: Organisation,
    name: str,
    key: str,
    vision: str = "",
    sprint_length_days: int = 14,
    participants: Iterable[Organisation] = (),
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


def _check_participants(
    *, cooperative: Cooperative, owner: Organisation, participants: Iterable[Organisation]
) -> None:
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


PRODUCT_FIELDS = ("name", "vision", "sprint_length_days", "participants")


@transaction.atomic
def update_product(*, actor: User, product: Product, version: int, **changes: Any) -> Product:
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
