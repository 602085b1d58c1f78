"""Adoption and reviews: an organisation adopts a solution (requested → in use → stopped),
upgrades to newer releases, and reviews what it has in use.

Every adoption is made by a person of the adopting organisation itself, never on another's
behalf, and only under an active membership of the solution's cooperative (a municipality
represented by an active joint arrangement included). Solution.adoption_count follows the
adoptions in use, with F() updates in the same transaction.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from cooperative.models import Affiliation, Cooperative, Organisation
from deelbaar.errors import Conflict, DomainError, NotAllowed
from deelbaar.permissions import require
from deelbaar.typing import User
from solutions import events, versions
from solutions.models import Adoption, AdoptionState, Release, Review, Solution
from solutions.selectors import reuse

REMARKS_MAX = 2_000
REVIEW_TEXT_MAX = 5_000
ADOPTION_FIELDS = ("state", "release", "in_use_since", "stopped_on")


def _require_person_of(actor: User, organisation: Organisation) -> None:
    require(
        actor,
        "solutions.act_for_organisation",
        organisation,
        _("You can only act for an organisation you work for, never on another's behalf."),
    )


def _require_entitled(organisation: Organisation, cooperative: Cooperative) -> None:
    entitlement = reuse.entitlement(organisation, cooperative)
    if not entitlement.entitled:
        raise NotAllowed(
            f"{entitlement.reason} {_('How to join: %(url)s') % {'url': entitlement.join_url}}",
            code=entitlement.code,
            field="organisation",
        )


def _text(value: Any, *, field: str, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise DomainError(_("Give text here."), field=field)
    if len(text) > limit:
        raise DomainError(
            _("This has at most %(limit)s characters.") % {"limit": limit}, field=field
        )
    return text


def _locked(adoption: Adoption) -> Adoption:
    return (
        Adoption.objects.select_for_update(of=("self",))
        .select_related("solution__cooperative", "organisation", "release")
        .get(pk=adoption.pk)
    )


def _people_of(organisation: Organisation) -> list[int]:
    return list(
        Affiliation.objects.filter(organisation=organisation).values_list("user_id", flat=True)
    )


def _release_of(solution: Solution, release: Release) -> Release:
    if not isinstance(release, Release) or release.solution_id != solution.pk:
        raise DomainError(
            _("Choose a release of %(solution)s.") % {"solution": solution.name}, field="release"
        )
    return release


def _is_newer(release: Release, than: Release | None) -> bool:
    return versions.is_newer(
        versions.of_release(release), versions.of_release(than) if than is not None else None
    )


def _record(adoption: Adoption, before: Any, *, actor: User, action: str, reason: str = "") -> None:
    after = audit.snapshot(adoption, ADOPTION_FIELDS)
    audit.record(
        actor=actor,
        action=action,
        obj=adoption,
        cooperative=adoption.solution.cooperative,
        organisation=adoption.organisation,
        changes=audit.diff(before, after),
        reason=reason,
    )
    events.adoption_changed(adoption, _people_of(adoption.organisation))


def _count(solution: Solution, delta: int) -> None:
    Solution.objects.filter(pk=solution.pk).update(adoption_count=F("adoption_count") + delta)


@transaction.atomic
def request_adoption(
    *, actor: User, solution: Solution, organisation: Organisation, remarks: str = ""
) -> Adoption:
    """The organisation asks to adopt the solution. Only a person of that organisation, and only
    under an active membership of the solution's cooperative; one current adoption each."""
    _require_person_of(actor, organisation)
    _require_entitled(organisation, solution.cooperative)
    remarks = _text(remarks, field="remarks", limit=REMARKS_MAX)
    adoption = Adoption(
        solution=solution, organisation=organisation, requested_by=actor, remarks=remarks
    )
    try:
        with transaction.atomic():
            adoption.save()
    except IntegrityError as error:
        raise Conflict(
            _("%(organisation)s has already adopted %(solution)s.")
            % {"organisation": organisation.name, "solution": solution.name},
            field="organisation",
        ) from error
    _record(adoption, {}, actor=actor, action="adoption.requested", reason=remarks)
    return adoption


@transaction.atomic
def take_into_use(*, actor: User, adoption: Adoption, release: Release | None = None) -> Adoption:
    """A requested adoption goes into use, on the given release or else the newest."""
    _require_person_of(actor, adoption.organisation)
    adoption = _locked(adoption)
    solution = adoption.solution
    if adoption.state != AdoptionState.REQUESTED:
        raise Conflict(
            _("Only a requested adoption can be taken into use; this one is %(state)s.")
            % {"state": adoption.get_state_display()}
        )
    _require_entitled(adoption.organisation, solution.cooperative)
    if release is None:
        release = reuse.newest_release(solution)
        if release is None:
            raise DomainError(
                _("%(solution)s has no release yet to take into use.") % {"solution": solution},
                field="release",
            )
    release = _release_of(solution, release)
    before = audit.snapshot(adoption, ADOPTION_FIELDS)
    adoption.state = AdoptionState.IN_USE
    adoption.release = release
    adoption.in_use_since = timezone.localdate()
    adoption.save(update_fields=["state", "release", "in_use_since"])
    _count(solution, +1)
    _record(adoption, before, actor=actor, action="adoption.in_use")
    return adoption


@transaction.atomic
def upgrade(*, actor: User, adoption: Adoption, release: Release) -> Adoption:
    """An adoption in use moves to a newer release of its solution."""
    _require_person_of(actor, adoption.organisation)
    adoption = _locked(adoption)
    solution = adoption.solution
    if adoption.state != AdoptionState.IN_USE:
        raise Conflict(
            _("Only an adoption in use can be upgraded; this one is %(state)s.")
            % {"state": adoption.get_state_display()}
        )
    _require_entitled(adoption.organisation, solution.cooperative)
    release = _release_of(solution, release)
    if not _is_newer(release, adoption.release):
        raise DomainError(
            _("%(version)s is not newer than %(current)s, the release in use.")
            % {
                "version": release.version,
                # Never None here: any release is newer than none.
                "current": adoption.release.version if adoption.release else "",
            },
            field="release",
        )
    before = audit.snapshot(adoption, ADOPTION_FIELDS)
    adoption.release = release
    adoption.save(update_fields=["release"])
    _record(adoption, before, actor=actor, action="adoption.upgraded")
    return adoption


@transaction.atomic
def stop_adoption(*, actor: User, adoption: Adoption, reason: str = "") -> Adoption:
    """The organisation stops using the solution (or withdraws its request). The adoption stays
    as history; the organisation may adopt again later."""
    _require_person_of(actor, adoption.organisation)
    reason = _text(reason, field="reason", limit=REMARKS_MAX)
    adoption = _locked(adoption)
    if adoption.state == AdoptionState.STOPPED:
        raise Conflict(_("This adoption has already stopped."))
    was_in_use = adoption.state == AdoptionState.IN_USE
    before = audit.snapshot(adoption, ADOPTION_FIELDS)
    adoption.state = AdoptionState.STOPPED
    adoption.stopped_on = timezone.localdate()
    adoption.save(update_fields=["state", "stopped_on"])
    if was_in_use:
        _count(adoption.solution, -1)
    _record(adoption, before, actor=actor, action="adoption.stopped", reason=reason)
    return adoption


@transaction.atomic
def review_solution(
    *,
    actor: User,
    solution: Solution,
    organisation: Organisation,
    score: Any,
    pros: str = "",
    cons: str = "",
) -> Review:
    """The organisation reviews a solution it has in use: a score of 1 to 5, pros and cons.
    One review per organisation; a second call revises it. The review answered has
    `was_created` set: True for a new one, False for a revision."""
    _require_person_of(actor, organisation)
    in_use = Adoption.objects.filter(
        solution=solution, organisation=organisation, state=AdoptionState.IN_USE
    ).exists()
    if not in_use:
        raise NotAllowed(
            _("Only an organisation with %(solution)s in use can review it.")
            % {"solution": solution.name},
            code="not_in_use",
            field="organisation",
        )
    if isinstance(score, bool) or not isinstance(score, int | str):
        score = None
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score is None or not 1 <= score <= 5:
        raise DomainError(_("A score is a whole number from 1 to 5."), field="score")
    pros = _text(pros, field="pros", limit=REVIEW_TEXT_MAX)
    cons = _text(cons, field="cons", limit=REVIEW_TEXT_MAX)
    now = timezone.now()
    found = (
        Review.objects.select_for_update()
        .filter(solution=solution, organisation=organisation)
        .first()
    )
    created = found is None
    if found is None:
        review = Review(solution=solution, organisation=organisation, created_at=now)
        before: dict = {}
    else:
        review = found
        before = audit.snapshot(review, ("score", "pros", "cons"))
    review.author = actor
    review.score, review.pros, review.cons = score, pros, cons
    review.updated_at = now
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as error:
        # Another person of the organisation reviewed at the same moment.
        raise Conflict(
            _("%(organisation)s reviewed this solution at the same moment; reload and revise.")
            % {"organisation": organisation.name}
        ) from error
    audit.record(
        actor=actor,
        action="review.created" if created else "review.revised",
        obj=review,
        cooperative=solution.cooperative,
        organisation=organisation,
        changes=audit.diff(before, audit.snapshot(review, ("score", "pros", "cons"))),
    )
    review.was_created = created
    if created:
        events.review_posted(review)
    return review
