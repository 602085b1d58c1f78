"""The joining contribution (toetredingsinleg) a cooperative asks of a new member."""

from decimal import ROUND_HALF_UP, Decimal

from cooperative.models import ContributionKind, Organisation, OrganisationKind

CENT = Decimal("0.01")


def contribution_due(
    *,
    kind: str,
    amount: Decimal,
    minimum: Decimal | None,
    maximum: Decimal | None,
    inhabitants: int,
) -> Decimal:
    """The amount due in euros, rounded half up to the cent, then held within min and max."""
    per_inhabitant = kind == ContributionKind.PER_INHABITANT
    due = Decimal(amount) * int(inhabitants) if per_inhabitant else Decimal(amount)
    due = due.quantize(CENT, rounding=ROUND_HALF_UP)
    if minimum is not None:
        due = max(due, Decimal(minimum))
    if maximum is not None:
        due = min(due, Decimal(maximum))
    return due.quantize(CENT)


def inhabitants_of(organisation: Organisation) -> int:
    """The inhabitants an organisation speaks for: its own, or its municipalities'."""
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        return organisation.inhabitants or 0
    represented = sum(m.inhabitants or 0 for m in organisation.represents.all())
    return represented or organisation.inhabitants or 0


def contribution_for(cooperative, organisation: Organisation) -> Decimal:
    return contribution_due(
        kind=cooperative.contribution_kind,
        amount=cooperative.contribution_amount,
        minimum=cooperative.contribution_minimum,
        maximum=cooperative.contribution_maximum,
        inhabitants=inhabitants_of(organisation),
    )
