"""Reads of publication: the requests a person may see, a solution's releases, the newest.

Releases sort newest first in the database by their numeric parts, a final release before its
own pre-releases; pre-releases of one MAJOR.MINOR.PATCH sort by when they were published,
which is their precedence because the services only publish strictly increasing versions.
"""

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from cooperative.models import Coordinator
from deelbaar.errors import DomainError
from deelbaar.typing import Person
from solutions import versions
from solutions.models import PublicationRequest, PublicationState, Release, Solution
from sprints.models import Increment

NEWEST_FIRST = ("-major", "-minor", "-patch", "-is_final", "-published_at", "-pk")


def publication_requests_for(
    user: Person | None, *, state: str | None = None
) -> QuerySet[PublicationRequest]:
    """The requests this person may see: those of the cooperatives they coordinate and their
    own, newest first, with everything the list and the queue show fetched at once."""
    if user is None or not user.is_authenticated:
        return PublicationRequest.objects.none()
    coordinated = Coordinator.objects.filter(user=user).values("cooperative_id")
    requests = PublicationRequest.objects.filter(
        Q(increment__product__cooperative_id__in=coordinated) | Q(requested_by=user)
    )
    if state is not None:
        requests = requests.filter(state=state)
    return requests.select_related(
        "increment__product__cooperative",
        "increment__product__owner",
        "solution",
        "requested_by",
        "decided_by",
        "release",
    ).order_by("-requested_at", "-pk")


def open_requests_for(user: Person | None) -> QuerySet[PublicationRequest]:
    return publication_requests_for(user, state=PublicationState.REQUESTED)


def publication_request(pk: int) -> PublicationRequest | None:
    """One request with its related objects, or None. Who may see it is for the caller."""
    return (
        PublicationRequest.objects.select_related(
            "increment__product__cooperative",
            "increment__product__owner",
            "solution",
            "requested_by",
            "decided_by",
            "release",
        )
        .filter(pk=pk)
        .first()
    )


def _ordered(releases: QuerySet[Release]) -> QuerySet[Release]:
    return releases.annotate(
        is_final=Case(
            When(prerelease="", then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by(*NEWEST_FIRST)


def releases() -> QuerySet[Release]:
    """Every release, most recently published first, with its solution and source increment."""
    return Release.objects.select_related(
        "solution", "increment__product", "published_by"
    ).order_by("-published_at", "-pk")


def releases_of(solution: Solution) -> QuerySet[Release]:
    """The solution's releases, newest first, with their source increments."""
    return _ordered(
        Release.objects.filter(solution=solution).select_related(
            "solution", "increment__product", "published_by"
        )
    )


def newest_release(solution: Solution) -> Release | None:
    """The solution's release of highest precedence, or None (one query at most two)."""
    top = (
        Release.objects.filter(solution=solution)
        .order_by("-major", "-minor", "-patch")
        .values("major", "minor", "patch")
        .first()
    )
    if top is None:
        return None
    return versions.newest(
        Release.objects.filter(solution=solution, **top).select_related("solution", "increment")
    )


def newest_released_increment(solution: Solution | None) -> Increment | None:
    """The increment of the solution's newest release, or None (none, or none from sprints)."""
    if solution is None:
        return None
    newest = newest_release(solution)
    return newest.increment if newest is not None else None


def is_newer_increment(increment: Increment, than: Any) -> bool:
    """Whether `increment` was made after `than` (None: always): only such an increment may
    become the next release, never an older one after newer ones were published."""
    if than is None:
        return True
    return (increment.created_at, increment.pk) > (than.created_at, than.pk)


def suggested_version(solution: Solution | None, increment: Increment) -> str:
    """The version a publication request proposes: the next minor version after the solution's
    newest release (1.3.2 → 1.4.0), or for a first release the increment's own version when it
    is a semantic version (0.1.0 otherwise)."""
    newest = newest_release(solution) if solution is not None else None
    if newest is not None:
        return str(versions.of_release(newest).bump_minor())
    try:
        return str(versions.parse(increment.version))
    except DomainError:
        return "0.1.0"
