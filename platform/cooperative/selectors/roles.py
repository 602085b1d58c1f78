"""The roles a person holds in the cooperatives: coordinator, and member of organisations."""

from django.db.models import QuerySet

from cooperative.models import Cooperative, Coordinator, Organisation
from deelbaar.typing import Person


def is_coordinator(user: Person | None, cooperative: Cooperative | int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Coordinator.objects.filter(user=user, cooperative=cooperative).exists()


def coordinated_cooperatives(user: Person | None) -> QuerySet[Cooperative]:
    if user is None or not user.is_authenticated:
        return Cooperative.objects.none()
    return Cooperative.objects.filter(coordinator__user=user).order_by("name")


def organisations_of(user: Person | None) -> QuerySet[Organisation]:
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(affiliations__user=user).order_by("name")


def roles_of(user: Person | None) -> list[dict]:
    """Every role this person holds, as plain data; apps with roles of their own add theirs."""
    return [
        {
            "role": "coordinator",
            "object_type": "cooperative",
            "object": cooperative.slug,
            "name": cooperative.name,
        }
        for cooperative in coordinated_cooperatives(user)
    ]
