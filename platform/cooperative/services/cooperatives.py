"""Cooperatives: founding one, its contribution policy, its coordinators."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cooperative import audit
from cooperative.models import (
    ContributionKind,
    Cooperative,
    Coordinator,
)
from cooperative.services._common import _unique_slug, _validated
from deelbaar.permissions import require
from deelbaar.typing import User

POLICY_FIELDS = [
    "contribution_kind",
    "contribution_amount",
    "contribution_minimum",
    "contribution_maximum",
]


def _policy(kind: str, amount: Any, minimum: Any, maximum: Any) -> dict[str, Decimal | None]:
    errors = {}
    if kind not in ContributionKind.values:
        errors["contribution_kind"] = _("Unknown contribution policy: %(kind)s.") % {"kind": kind}
    values: dict[str, Decimal | None] = {}
    for field, value in (
        ("contribution_amount", amount),
        ("contribution_minimum", minimum),
        ("contribution_maximum", maximum),
    ):
        if value is None or value == "":
            values[field] = None
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            errors[field] = _("Enter an amount in euros, such as 1250.00.")
            continue
        if not number.is_finite():
            errors[field] = _("Enter an amount in euros, such as 1250.00.")
        elif number < 0:
            errors[field] = _("An amount cannot be negative.")
        values[field] = number
    if values.get("contribution_amount") is None and "contribution_amount" not in errors:
        errors["contribution_amount"] = _("Give the amount, or the amount per inhabitant.")
    low, high = values.get("contribution_minimum"), values.get("contribution_maximum")
    if low is not None and high is not None and low > high and not errors:
        errors["contribution_maximum"] = _("The maximum cannot be below the minimum.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def create_cooperative(
    *,
    actor: User,
    name: str,
    description: str = "",
    slug: str | None = None,
    office: Any = None,
    contribution_kind: str = ContributionKind.FIXED,
    contribution_amount: Any = Decimal("0"),
    contribution_minimum: Any = None,
    contribution_maximum: Any = None,
) -> Cooperative:
    require(actor, "cooperative.add_cooperative")
    policy = _policy(
        contribution_kind, contribution_amount, contribution_minimum, contribution_maximum
    )
    cooperative = Cooperative(
        name=(name or "").strip(),
        description=description,
        office=office,
        slug=_unique_slug(Cooperative, name, slug),
        contribution_kind=contribution_kind,
        **policy,
    )
    _validated(cooperative)
    cooperative.save()
    audit.record(
        actor=actor,
        action="cooperative.created",
        obj=cooperative,
        cooperative=cooperative,
        changes={
            "name": [None, cooperative.name],
            **{f: [None, getattr(cooperative, f)] for f in POLICY_FIELDS},
        },
    )
    return cooperative


@transaction.atomic
def change_contribution_policy(
    *,
    actor: User,
    cooperative: Cooperative,
    contribution_kind: str,
    contribution_amount: Any,
    contribution_minimum: Any = None,
    contribution_maximum: Any = None,
    reason: str = "",
) -> Cooperative:
    """Change what joining costs. Memberships already approved keep the amount they were given."""
    require(actor, "cooperative.change_cooperative", cooperative)
    cooperative = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    before = audit.snapshot(cooperative, POLICY_FIELDS)
    policy = _policy(
        contribution_kind, contribution_amount, contribution_minimum, contribution_maximum
    )
    cooperative.contribution_kind = contribution_kind
    for field, value in policy.items():
        setattr(cooperative, field, value)
    _validated(cooperative)
    cooperative.save(update_fields=POLICY_FIELDS)
    cooperative.refresh_from_db(fields=POLICY_FIELDS)
    changes = audit.diff(before, audit.snapshot(cooperative, POLICY_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action="cooperative.policy_changed",
            obj=cooperative,
            cooperative=cooperative,
            changes=changes,
            reason=reason,
        )
    return cooperative


@transaction.atomic
def appoint_coordinator(*, actor: User, cooperative: Cooperative, user: User) -> Coordinator:
    require(actor, "cooperative.appoint_coordinator", cooperative)
    coordinator, created = Coordinator.objects.get_or_create(cooperative=cooperative, user=user)
    if created:
        audit.record(
            actor=actor,
            action="cooperative.coordinator_appointed",
            obj=cooperative,
            cooperative=cooperative,
            changes={"coordinator": [None, user.get_username()]},
        )
    return coordinator
