"""Reads of reuse: where a solution is in use, its adoptions and reviews, the upgrades an
adopter should know of, a cooperative's reuse figures, and why an organisation may (not) adopt.

Inhabitants are counted per municipality: an organisation that is itself a municipality counts
its own, one that represents municipalities (a joint arrangement) counts theirs, and a
municipality reached twice (itself and through its joint arrangement) counts once in a total,
as the cooperative's reach does.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import Case, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cooperative.models import (
    Cooperative,
    Membership,
    MembershipState,
    Organisation,
    OrganisationKind,
)
from cooperative.selectors import organisation_is_entitled, organisations_of
from deelbaar.typing import Person
from solutions.models import Adoption, AdoptionState, Release, Review, Solution
from solutions.selectors import publication as publication_selectors

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MAINTENANCE_NOTICE_DAYS = 90
CURRENT_STATES = (AdoptionState.REQUESTED, AdoptionState.IN_USE)


class _NewestRelease(TypedDict):
    newest_release_id: int | None


# An adoption annotated with the id of its solution's newest release (None: no release yet).
_AdoptionWithNewest: TypeAlias = "WithAnnotations[Adoption, _NewestRelease]"


# --- Releases ----------------------------------------------------------------------------------
def _final_first() -> Case:
    # A final release sorts after its pre-releases of the same number (1.0.0 after 1.0.0-rc.1).
    return Case(When(prerelease="", then=Value(1)), default=Value(0), output_field=IntegerField())


def releases_newest_first(solution_ref: Solution | OuterRef) -> QuerySet[Release]:
    """Releases of a solution (or of OuterRef), newest first in semantic-version order."""
    return (
        Release.objects.filter(solution=solution_ref)
        .annotate(final=_final_first())
        # Not by the pre-release's text ("rc.9" > "rc.10"): versions only go up, so among
        # pre-releases of one number the one published last is the newest.
        .order_by("-major", "-minor", "-patch", "-final", "-published_at", "-pk")
    )


# One rule for "newest" (semantic-version precedence), the publication's.
newest_release = publication_selectors.newest_release


def newer_releases(solution: Solution, than: Release | None) -> list[Release]:
    """The releases newer than `than` (all of them when there is none), newest first."""
    releases = list(releases_newest_first(solution))
    if than is None:
        return releases
    position = next((i for i, r in enumerate(releases) if r.pk == than.pk), len(releases))
    return releases[:position]


def _newest_release_id() -> Subquery:
    return Subquery(releases_newest_first(OuterRef("solution_id")).values("pk")[:1])


# --- Inhabitants -------------------------------------------------------------------------------
def _municipalities(organisation: Organisation) -> dict[int, int]:
    """{municipality id: inhabitants} that an organisation (with `represents` prefetched) serves."""
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        return {organisation.pk: organisation.inhabitants or 0}
    return {
        m.pk: m.inhabitants or 0
        for m in organisation.represents.all()
        if m.kind == OrganisationKind.MUNICIPALITY
    }


def _represents_prefetch(prefix: str = "organisation__") -> Prefetch:
    return Prefetch(
        f"{prefix}represents",
        queryset=Organisation.objects.only("id", "kind", "inhabitants", "name", "slug"),
    )


# --- Where in use ------------------------------------------------------------------------------
@dataclass
class WhereInUse:
    adoptions: list[Adoption] = field(default_factory=list)  # each with .inhabitants set
    inhabitants: int = 0  # each municipality once

    @property
    def organisations(self) -> int:
        return len(self.adoptions)


def where_in_use(solution: Solution) -> WhereInUse:
    """The organisations with the solution in use, on which release, since when, and for how
    many inhabitants; and the total, each municipality counted once. Two queries."""
    adoptions = list(
        Adoption.objects.filter(solution=solution, state=AdoptionState.IN_USE)
        .select_related("organisation", "release")
        .prefetch_related(_represents_prefetch())
        .order_by("organisation__name", "pk")
    )
    served: dict[int, int] = {}
    for adoption in adoptions:
        municipalities = _municipalities(adoption.organisation)
        adoption.inhabitants = sum(municipalities.values())
        served.update(municipalities)
    return WhereInUse(adoptions=adoptions, inhabitants=sum(served.values()))


def adoptions_of(solution: Solution, *, state: str | None = None) -> QuerySet[Adoption]:
    """Every adoption of a solution, current ones first, then the history."""
    adoptions = Adoption.objects.filter(solution=solution).select_related(
        "solution", "organisation", "release"
    )
    if state:
        adoptions = adoptions.filter(state=state)
    return adoptions.annotate(
        current=Case(
            When(state__in=CURRENT_STATES, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("-current", "organisation__name", "-requested_at", "-pk")


def adoption_detail(pk: int) -> Adoption:
    return Adoption.objects.select_related("solution__cooperative", "organisation", "release").get(
        pk=pk
    )


def reviews_of(solution: Solution) -> QuerySet[Review]:
    return (
        Review.objects.filter(solution=solution)
        .select_related("solution", "organisation", "author")
        .order_by("-updated_at", "-pk")
    )


def average_score(solution: Solution) -> Decimal | None:
    scores = list(Review.objects.filter(solution=solution).values_list("score", flat=True))
    if not scores:
        return None
    return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"))


# --- A person's own adoptions and upgrades ----------------------------------------------------
def _with_upgrade_facts(
    adoptions: Iterable[_AdoptionWithNewest], today: date
) -> list[_AdoptionWithNewest]:
    horizon = today + timedelta(days=MAINTENANCE_NOTICE_DAYS)
    adoptions = list(adoptions)
    newest_ids = {a.newest_release_id for a in adoptions if a.newest_release_id}
    newest = Release.objects.in_bulk(newest_ids)
    for adoption in adoptions:
        adoption.newest_release = newest.get(adoption.newest_release_id)
        adoption.newer_release_exists = (
            adoption.state == AdoptionState.IN_USE
            and adoption.newest_release is not None
            and adoption.newest_release.pk != adoption.release_id
        )
        until = adoption.solution.maintenance_until
        adoption.maintenance_ends_soon = (
            adoption.state == AdoptionState.IN_USE and until is not None and until <= horizon
        )
        adoption.maintenance_ended = (
            adoption.maintenance_ends_soon and until is not None and until < today
        )
    return adoptions


def own_adoptions(
    user: Person | None, solution: Solution | None = None
) -> list[_AdoptionWithNewest]:
    """The current adoptions of the person's organisations (of one solution, if given), with
    newest_release, newer_release_exists and maintenance_ends_soon set. Three queries."""
    if user is None or not user.is_authenticated:
        return []
    adoptions = (
        Adoption.objects.filter(
            organisation__in=organisations_of(user).values("pk"), state__in=CURRENT_STATES
        )
        .select_related("solution", "organisation", "release")
        .annotate(newest_release_id=_newest_release_id())
        .order_by("solution__name", "organisation__name")
    )
    if solution is not None:
        adoptions = adoptions.filter(solution=solution)
    return _with_upgrade_facts(adoptions, timezone.localdate())


def upgrades_for(user: Person | None) -> list[_AdoptionWithNewest]:
    """Adoptions in use by the person's organisations that run an older release than the
    newest, or whose solution's maintenance ends within 90 days (or has ended)."""
    today = timezone.localdate()
    horizon = today + timedelta(days=MAINTENANCE_NOTICE_DAYS)
    if user is None or not user.is_authenticated:
        return []
    adoptions = (
        Adoption.objects.filter(
            organisation__in=organisations_of(user).values("pk"), state=AdoptionState.IN_USE
        )
        .select_related("solution", "organisation", "release")
        .annotate(newest_release_id=_newest_release_id())
        .order_by("solution__name", "organisation__name")
    )
    return [
        adoption
        for adoption in _with_upgrade_facts(adoptions, today)
        if adoption.newer_release_exists
        or (adoption.solution.maintenance_until and adoption.solution.maintenance_until <= horizon)
    ]


# --- Entitlement, explained -------------------------------------------------------------------
@dataclass
class Entitlement:
    organisation: Organisation
    entitled: bool
    code: str = ""
    reason: str = ""
    join_url: str = ""
    membership: Membership | None = None


def _euros(amount: Decimal | int) -> str:
    return "€ " + number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def entitlement(organisation: Organisation, cooperative: Cooperative) -> Entitlement:
    """May this organisation reuse the cooperative's solutions, and if not, why not and how to
    join. The rule itself is cooperative.selectors.organisation_is_entitled."""
    join_url = reverse("cooperative:join", args=[cooperative.slug])
    if organisation_is_entitled(organisation, cooperative):
        return Entitlement(organisation=organisation, entitled=True, join_url=join_url)
    # The open membership if there is one, else the latest closed one.
    membership = (
        Membership.objects.filter(cooperative=cooperative, organisation=organisation)
        .annotate(
            open=Case(
                When(state__in=["applied", "approved", "active"], then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-open", "-applied_at", "-pk")
        .first()
    )
    names = {"organisation": organisation.name, "cooperative": cooperative.name}
    state = membership.state if membership else None
    if state == MembershipState.APPLIED:
        code = "membership_applied"
        reason = _(
            "%(organisation)s has applied to join %(cooperative)s, but the coordinators have "
            "not decided yet. Solutions can be adopted once the membership is active: after "
            "approval and payment of the joining contribution."
        )
    elif state == MembershipState.APPROVED:
        code = "contribution_unpaid"
        assert membership is not None  # its state is approved
        names["amount"] = _euros(membership.contribution_due or 0)
        reason = _(
            "The membership of %(organisation)s in %(cooperative)s is approved, but the "
            "joining contribution of %(amount)s has not been paid yet. Solutions can be "
            "adopted once the payment is recorded."
        )
    elif state == MembershipState.LEFT:
        code = "membership_left"
        reason = _(
            "%(organisation)s has left %(cooperative)s, so it may no longer adopt its "
            "solutions. To reuse them again, apply to join once more."
        )
    elif state == MembershipState.REJECTED:
        code = "membership_rejected"
        reason = _(
            "The application of %(organisation)s to join %(cooperative)s was rejected. Only "
            "active members may adopt its solutions; you may apply again."
        )
    else:
        code = "no_membership"
        reason = _(
            "%(organisation)s is not a member of %(cooperative)s. Only organisations with an "
            "active membership (or municipalities represented by an active member) may adopt "
            "its solutions: join the cooperative and pay the one-time joining contribution."
        )
    return Entitlement(
        organisation=organisation,
        entitled=False,
        code=code,
        reason=reason % names,
        join_url=join_url,
        membership=membership,
    )


# --- A cooperative's reuse figures -------------------------------------------------------------
@dataclass
class SolutionFigures:
    solution: Solution
    adoptions: int = 0
    inhabitants: int = 0
    cost_avoided: Decimal | None = None


@dataclass
class ReuseFigures:
    cooperative: Cooperative
    solutions: list[SolutionFigures] = field(default_factory=list)  # most adopted first
    adoptions: int = 0
    inhabitants: int = 0  # municipalities served by any solution, each once
    cost_avoided: Decimal = Decimal("0")

    @property
    def in_use(self) -> list[SolutionFigures]:
        return [row for row in self.solutions if row.adoptions]


def reuse_figures(cooperative: Cooperative) -> ReuseFigures:
    """Per solution of the cooperative: adoptions in use, inhabitants served and development
    cost avoided (the estimated cost for every organisation after the first with it in use);
    and the totals. Three queries, however many solutions and adoptions there are."""
    solutions = list(
        Solution.objects.filter(cooperative=cooperative)
        .only("id", "name", "slug", "estimated_cost", "cooperative_id")
        .order_by("name", "pk")
    )
    adoptions = list(
        Adoption.objects.filter(solution__cooperative=cooperative, state=AdoptionState.IN_USE)
        .select_related("organisation")
        .prefetch_related(_represents_prefetch())
        .only(
            "id",
            "solution_id",
            "organisation__id",
            "organisation__kind",
            "organisation__inhabitants",
        )
    )
    per_solution: dict[int, list[Organisation]] = {}
    for adoption in adoptions:
        per_solution.setdefault(adoption.solution_id, []).append(adoption.organisation)
    figures = ReuseFigures(cooperative=cooperative)
    served_total: dict[int, int] = {}
    for solution in solutions:
        organisations = per_solution.get(solution.pk, [])
        served: dict[int, int] = {}
        for organisation in organisations:
            served.update(_municipalities(organisation))
        served_total.update(served)
        cost = solution.estimated_cost
        row = SolutionFigures(
            solution=solution,
            adoptions=len(organisations),
            inhabitants=sum(served.values()),
            cost_avoided=None if cost is None else cost * max(len(organisations) - 1, 0),
        )
        figures.solutions.append(row)
        figures.adoptions += row.adoptions
        figures.cost_avoided += row.cost_avoided or 0
    figures.inhabitants = sum(served_total.values())
    figures.solutions.sort(key=lambda r: (-r.adoptions, r.solution.name.lower(), r.solution.pk))
    return figures
