"""Publication: a product owner asks to publish an accepted increment; a coordinator of the
product's cooperative approves it, which makes the release (and, the first time, the solution),
or rejects it with a reason; the requester may withdraw it while it is open.

Nothing that is not accepted is published, and versions only go up: each release is strictly
greater (by semantic-version precedence) than the solution's newest. Every decision goes into
the audit trail; `release.published` reaches the solution's page and its adopters.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import semver
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperative import audit
from cooperative.models import Coordinator
from deelbaar.errors import Conflict, DomainError
from deelbaar.permissions import require
from deelbaar.typing import Person, User
from solutions import events, publiccode, versions
from solutions.models import (
    RESERVED_SLUGS,
    SHORT_DESCRIPTION_MAX,
    AdoptionState,
    PublicationRequest,
    PublicationState,
    Release,
    Solution,
)
from solutions.rules import coordinates_request
from solutions.selectors.publication import (
    is_newer_increment,
    newest_release,
    newest_released_increment,
    suggested_version,
)
from solutions.services.metadata import clean_metadata, fill_metadata
from sprints.models import Increment, IncrementState, Product

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _max_length(model: type[models.Model], name: str) -> int:
    """The max_length of a CharField: always set, though a field in general may lack one."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.CharField) or field.max_length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{name} is not a CharField with a max_length")
    return field.max_length


NAME_MAX = _max_length(Solution, "name")
SLUG_MAX = _max_length(Solution, "slug")
# Paths of the library that a solution's slug must not take: /solutions/<slug>/ would hide them.
SLUG_ATTEMPTS = 5
REQUEST_REFUSED = gettext_lazy(
    "Only the product owner can request publication of the product's increments."
)
DECIDE_REFUSED = gettext_lazy(
    "Only a coordinator of the product's cooperative decides on its publication."
)
OWN_DECISION_REFUSED = gettext_lazy(
    "You own this product or asked for this publication yourself, so another coordinator of "
    "the cooperative decides on it."
)


def decide_refusal(actor: Person, publication_request: PublicationRequest) -> "StrPromise":
    """Why this person may not decide on the request: a coordinator who steers it is told
    that another coordinator decides; anyone else that only coordinators do."""
    if coordinates_request(actor, publication_request):
        return OWN_DECISION_REFUSED
    return DECIDE_REFUSED


WITHDRAW_REFUSED = gettext_lazy("Only the person who requested the publication can withdraw it.")
# What a request may say about the solution, named as the metadata API names it: what a valid
# publiccode.yml needs and a new solution cannot know by itself.
PUBLICATION_METADATA = (
    "long_description_nl",
    "categories",
    "repository_url",
    "licence",
    "maintenance_type",
    "maintenance_contacts",
    "maintenance_contractors",
)


# --- helpers ---------------------------------------------------------------------------------
def _check_increment(increment: Increment) -> None:
    """Only an accepted increment, not yet released and without an open request."""
    if increment.state != IncrementState.ACCEPTED:
        raise Conflict(
            _(
                "Only an accepted increment can be published; increment %(version)s is "
                "%(state)s. Its testers must accept every item first."
            )
            % {"version": increment.version, "state": increment.get_state_display()},
            field="increment",
            code="not_accepted",
        )
    if Release.objects.filter(increment=increment).exists():
        raise Conflict(
            _("Increment %(version)s is already published.") % {"version": increment.version},
            field="increment",
            code="already_published",
        )


def _check_no_open_request(increment: Increment) -> None:
    if increment.publication_requests.filter(state=PublicationState.REQUESTED).exists():
        raise Conflict(
            _("Publication of increment %(version)s is already requested.")
            % {"version": increment.version},
            field="increment",
            code="already_requested",
        )


def _check_newer_increment(solution: Solution | None, increment: Increment) -> None:
    """Only an increment made after the one of the solution's newest release may be the next
    release: an older one (0.1.0 after 0.3.0 was published) is history, not an update."""
    if solution is None:
        return  # a new solution: no increment of it is released yet
    released = newest_released_increment(solution)
    if released is not None and not is_newer_increment(increment, released):
        raise Conflict(
            _(
                "Increment %(version)s is older than %(released)s, the increment of the newest "
                "release of %(solution)s; only a newer increment can be published."
            )
            % {
                "version": increment.version,
                "released": released.version,
                "solution": solution.name,
            },
            field="increment",
            code="increment_outdated",
        )


def own_solution(product: Product) -> Solution | None:
    """The solution a product's increments are released into by default (its first)."""
    return Solution.objects.filter(source_product=product).order_by("pk").first()


def publication_obstacle(increment: Increment) -> Conflict | None:
    """Why the increment cannot be requested for publication now, or None: the rules
    request_publication applies, for pages to say before anyone fills in the form."""
    try:
        _check_increment(increment)
        _check_no_open_request(increment)
        _check_newer_increment(own_solution(increment.product), increment)
    except Conflict as obstacle:
        return obstacle
    return None


def _check_newer(solution: Solution | None, version: semver.Version, text: str) -> None:
    """The version must be strictly greater than the solution's newest release."""
    if solution is None:
        return
    newest = newest_release(solution)
    if newest is not None and not versions.is_newer(version, versions.of_release(newest)):
        raise Conflict(
            _(
                "Version %(version)s is not greater than %(newest)s, the newest release of "
                "%(solution)s; a release's version must go up."
            )
            % {"version": text, "newest": newest.version, "solution": solution.name},
            field="version",
            code="version_not_greater",
        )


def _coordinator_ids(cooperative_id: int) -> list[int]:
    return list(
        Coordinator.objects.filter(cooperative_id=cooperative_id).values_list("user_id", flat=True)
    )


def _adopter_user_ids(solution: Solution) -> list[int]:
    """The people of every organisation that has the solution in use."""
    return list(
        get_user_model()
        .objects.filter(
            affiliations__organisation__adoptions__solution=solution,
            affiliations__organisation__adoptions__state=AdoptionState.IN_USE,
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def _slug_candidates(base: str) -> Iterator[str]:
    if base not in RESERVED_SLUGS:
        yield base
    number = 2
    while True:
        yield f"{base}-{number}"
        number += 1


def _contact(user: User) -> list[dict[str, str]]:
    """The requester as the first maintenance contact, when their address is known."""
    if not user.email:
        return []
    return [{"name": user.get_full_name() or user.get_username(), "email": user.email}]


def _create_solution(request: PublicationRequest, product: Product) -> Solution:
    """The solution, the first time a product is published: a slug of its own from the name."""
    base = slugify(request.name)[: SLUG_MAX - 10].strip("-") or "solution"
    taken = set(Solution.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    attempts = 0
    for slug in _slug_candidates(base):
        if slug in taken:
            continue
        solution = Solution(
            cooperative_id=product.cooperative_id,
            source_product=product,
            name=request.name,
            slug=slug,
            short_description_nl=request.short_description,
            long_description_nl=product.vision,
            developed_by_id=product.owner_id,
            # Seeds for the publiccode.yml; the editors complete the rest (repository,
            # categories), and until then the export lists what is missing.
            features_nl=[item.title for item in request.increment.items.order_by("number")[:10]],
            platforms=["web"],
            maintenance_contacts=_contact(request.requested_by),
        )
        try:
            with transaction.atomic():
                solution.save()
        except IntegrityError:
            # Someone took the slug between our read and our write: try the next one.
            attempts += 1
            if attempts >= SLUG_ATTEMPTS:
                raise Conflict(
                    _("Could not find a free address for %(name)s; try again.")
                    % {"name": request.name},
                    field="name",
                ) from None
            taken.add(slug)
            continue
        return solution
    raise AssertionError("unreachable")  # pragma: no cover


def _locked_request(publication_request: PublicationRequest) -> PublicationRequest:
    return (
        PublicationRequest.objects.select_for_update(of=("self",))
        .select_related("increment__product__cooperative", "solution", "requested_by")
        .get(pk=publication_request.pk)
    )


def _check_open(request: PublicationRequest) -> None:
    if request.state != PublicationState.REQUESTED:
        raise Conflict(
            _("This publication request is already %(state)s.")
            % {"state": request.get_state_display()},
            field="state",
        )


def _clean_request_metadata(metadata: object, current: Solution) -> dict[str, Any]:
    """The request's metadata checked against publiccode.yml's rules (as the metadata API
    checks them), in JSON's terms, to be set on the solution when the request is approved."""
    if not metadata:
        return {}
    if not isinstance(metadata, dict):
        raise DomainError(_("Give the metadata as an object of fields."), field="metadata")
    unknown = sorted(set(metadata) - set(PUBLICATION_METADATA))
    if unknown:
        raise DomainError(
            _("A publication request cannot set these fields: %(fields)s.")
            % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    cleaned = clean_metadata(dict(metadata), current)
    # Worked out again from the contractors when the request is approved.
    cleaned.pop("maintenance_until", None)
    return {name: cleaned[name] for name in PUBLICATION_METADATA if name in cleaned}


def _release_of(
    request: PublicationRequest, solution: Solution, *, actor: User, now: datetime
) -> Release:
    return Release.objects.create(
        solution=solution,
        version=request.version,
        notes=request.increment.release_notes,
        increment=request.increment,
        published_by=actor,
        published_at=now,
        **versions.parts(versions.parse(request.version)),
    )


class _Preview(Exception):
    """Rolls the preview's savepoint back, carrying what it found."""

    def __init__(self, problems: list[publiccode.MetadataProblem]) -> None:
        super().__init__()
        self.problems = problems


def approval_problems(publication_request: PublicationRequest) -> list[publiccode.MetadataProblem]:
    """What the solution's publiccode.yml would still lack if the request were approved now,
    as `solutions.publiccode.MetadataProblem`s (an empty list: it exports at once). Writes
    nothing: the solution and release that approval would make are built in a savepoint that
    is rolled back, with the code approval runs."""
    request = publication_request
    product = request.increment.product
    try:
        with transaction.atomic():
            solution = request.solution or own_solution(product)
            if solution is None:
                solution = _create_solution(request, product)
            if request.metadata:
                try:
                    fill_metadata(solution, request.metadata)
                except DomainError as error:
                    raise _Preview(
                        [
                            publiccode.MetadataProblem(
                                path=publiccode.key_for_field(field or "") or "",
                                field=field,
                                label=publiccode.field_label(field),
                                code=code,
                                message=str(message),
                            )
                            for field, code, message in error.errors
                        ]
                    ) from None
            try:
                with transaction.atomic():
                    _release_of(request, solution, actor=request.requested_by, now=timezone.now())
            except IntegrityError:
                pass  # the version is taken: approval says so itself
            solution = (
                Solution.objects.select_related("cooperative", "developed_by")
                .prefetch_related("categories")
                .get(pk=solution.pk)
            )
            exported = publiccode.export_publiccode(solution)
            raise _Preview(publiccode.metadata_problems(publiccode.validate_publiccode(exported)))
    except _Preview as preview:
        return preview.problems
    except (DomainError, IntegrityError):
        return []


# --- requesting ------------------------------------------------------------------------------
@transaction.atomic
def request_publication(
    *,
    actor: User,
    increment: Increment,
    version: str | None = None,
    solution: Solution | None = None,
    name: str = "",
    short_description: str = "",
    metadata: dict[str, Any] | None = None,
) -> PublicationRequest:
    """The product owner asks to publish an accepted increment, as a new release of `solution`
    (of the product's cooperative) or, when the product has none yet, of a new solution called
    `name`. Only an increment made after the one of the solution's newest release (409
    `increment_outdated` otherwise). The version defaults to the next minor version after the
    newest release (the increment's own for a first release) and must be newer than it.
    `metadata` (long description, categories, repository URL, licence, maintenance; fields as
    the metadata API names them) is checked now and set on the solution on approval."""
    require(
        actor,
        "solutions.request_publication",
        increment,
        REQUEST_REFUSED,
    )
    increment = (
        Increment.objects.select_for_update(of=("self",))
        .select_related("product__cooperative", "product__owner")
        .get(pk=increment.pk)
    )
    product = increment.product
    _check_increment(increment)
    _check_no_open_request(increment)
    if solution is None:
        solution = own_solution(product)
    elif solution.source_product_id != product.pk:
        # An increment is released only into its own product's solution: never into another
        # product's, nor into software brought in from outside.
        raise DomainError(
            _(
                "%(solution)s is not the solution of %(product)s; its increments are released "
                "only into their own product's solution."
            )
            % {"solution": solution.name, "product": product.name},
            field="solution",
        )
    name = (name or "").strip()
    short_description = (short_description or "").strip()
    if len(short_description) > SHORT_DESCRIPTION_MAX:
        raise DomainError(
            _("A short description has at most %(max)s characters.")
            % {"max": SHORT_DESCRIPTION_MAX},
            field="short_description",
            code="max_length",
        )
    if solution is None:
        if not name:
            raise DomainError(_("Give the new solution a name."), field="name", code="required")
        if len(name) > NAME_MAX:
            raise DomainError(
                _("A name has at most %(max)s characters.") % {"max": NAME_MAX},
                field="name",
                code="max_length",
            )
    else:
        # Releases of an existing solution keep its name and description.
        name, short_description = "", ""
    _check_newer_increment(solution, increment)
    text = (suggested_version(solution, increment) if version is None else version or "").strip()
    parsed = versions.parse(text)
    _check_newer(solution, parsed, text)
    metadata = _clean_request_metadata(metadata, solution or Solution())
    try:
        with transaction.atomic():
            request = PublicationRequest.objects.create(
                increment=increment,
                solution=solution,
                version=text,
                name=name,
                short_description=short_description,
                metadata=metadata,
                requested_by=actor,
            )
    except IntegrityError as error:
        raise Conflict(
            _("Publication of increment %(version)s is already requested.")
            % {"version": increment.version},
            field="increment",
            code="already_requested",
        ) from error
    audit.record(
        actor=actor,
        action="publication.requested",
        obj=request,
        cooperative=product.cooperative,
        organisation=product.owner,
        changes={
            "state": [None, request.state],
            "increment": [None, increment.version],
            "version": [None, text],
            "solution": [None, solution.slug if solution else name],
            **({"metadata": [None, metadata]} if metadata else {}),
        },
    )
    events.publication_event(
        request, "publication.requested", _coordinator_ids(product.cooperative_id)
    )
    return request


# --- deciding --------------------------------------------------------------------------------
@transaction.atomic
def approve_publication(*, actor: User, publication_request: PublicationRequest) -> Release:
    """A coordinator of the product's cooperative approves: the release is made (and, the first
    time, the solution). Answers the release; the request is approved and points to it."""
    require(
        actor,
        "solutions.decide_publication",
        publication_request,
        decide_refusal(actor, publication_request),
    )
    request = _locked_request(publication_request)
    _check_open(request)
    # The product's lock serialises approvals of one product, so two of its first requests
    # cannot each make a solution, and the newest release is read once nobody else writes one.
    product = (
        Product.objects.select_for_update(of=("self",))
        .select_related("cooperative", "owner")
        .get(pk=request.increment.product_id)
    )
    increment = request.increment
    _check_increment(increment)
    parsed = versions.parse(request.version)
    solution = request.solution
    if solution is None:
        solution = Solution.objects.filter(source_product=product).order_by("pk").first()
    created = solution is None
    if solution is None:
        solution = _create_solution(request, product)
    else:
        solution = Solution.objects.select_for_update(of=("self",)).get(pk=solution.pk)
        _check_newer_increment(solution, increment)
    _check_newer(solution, parsed, request.version)
    if request.metadata:
        # What the product owner gave for the publiccode.yml, checked again on the solution
        # as it is now: the approved solution exports at once.
        fill_metadata(solution, request.metadata)
    now = timezone.now()
    try:
        with transaction.atomic():
            release = _release_of(request, solution, actor=actor, now=now)
    except IntegrityError as error:
        raise Conflict(
            _("%(solution)s already has a release %(version)s, or this increment is released.")
            % {"solution": solution.name, "version": request.version},
            field="version",
        ) from error
    request.state = PublicationState.APPROVED
    request.decided_by = actor
    request.decided_at = now
    request.solution = solution
    request.release = release
    request.save(update_fields=["state", "decided_by", "decided_at", "solution", "release"])
    cooperative = product.cooperative
    audit.record(
        actor=actor,
        action="publication.approved",
        obj=request,
        cooperative=cooperative,
        changes={
            "state": [PublicationState.REQUESTED, request.state],
            "release": [None, release.version],
        },
    )
    if created:
        audit.record(
            actor=actor,
            action="solution.created",
            obj=solution,
            cooperative=cooperative,
            organisation=solution.developed_by,
            changes={"name": [None, solution.name], "slug": [None, solution.slug]},
        )
    audit.record(
        actor=actor,
        action="release.published",
        obj=release,
        cooperative=cooperative,
        changes={
            "version": [None, release.version],
            "solution": [None, solution.slug],
            "increment": [None, increment.pk],
        },
    )
    events.release_published(release, _adopter_user_ids(solution))
    events.publication_event(request, "publication.approved", [request.requested_by_id])
    return release


@transaction.atomic
def reject_publication(
    *, actor: User, publication_request: PublicationRequest, reason: str
) -> PublicationRequest:
    """A coordinator refuses the publication, saying why; nothing is published."""
    require(
        actor,
        "solutions.decide_publication",
        publication_request,
        decide_refusal(actor, publication_request),
    )
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise DomainError(_("Give the reason for the rejection."), field="reason", code="required")
    request = _locked_request(publication_request)
    _check_open(request)
    request.state = PublicationState.REJECTED
    request.reason = reason
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="publication.rejected",
        obj=request,
        cooperative=request.increment.product.cooperative,
        reason=reason,
        changes={"state": [PublicationState.REQUESTED, request.state]},
    )
    events.publication_event(request, "publication.rejected", [request.requested_by_id])
    return request


@transaction.atomic
def withdraw_publication(
    *, actor: User, publication_request: PublicationRequest
) -> PublicationRequest:
    """The requester takes back an open request; the increment may be requested again."""
    require(
        actor,
        "solutions.withdraw_publication",
        publication_request,
        WITHDRAW_REFUSED,
    )
    request = _locked_request(publication_request)
    _check_open(request)
    request.state = PublicationState.WITHDRAWN
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    cooperative = request.increment.product.cooperative
    audit.record(
        actor=actor,
        action="publication.withdrawn",
        obj=request,
        cooperative=cooperative,
        changes={"state": [PublicationState.REQUESTED, request.state]},
    )
    events.publication_event(request, "publication.withdrawn", _coordinator_ids(cooperative.pk))
    return request


# --- releases of software brought in from outside -------------------------------------------
@transaction.atomic
def record_release(*, actor: User, solution: Solution, version: str, notes: str = "") -> Release:
    """A coordinator records a release that software brought into the library (from its
    publiccode.yml) already had. Only for a solution without a source product: what Deelbaar's
    own sprints build is published from an accepted increment, never recorded by hand."""
    require(
        actor,
        "solutions.edit_solution",
        solution,
        gettext_lazy("Only a coordinator of the solution's cooperative records its releases."),
    )
    solution = Solution.objects.select_for_update(of=("self",)).get(pk=solution.pk)
    if solution.source_product_id is not None:
        raise Conflict(
            _(
                "%(solution)s is built in this platform's sprints: its releases come from "
                "accepted increments, through a publication request."
            )
            % {"solution": solution.name},
            field="version",
            code="published_from_sprints",
        )
    version = (version or "").strip()
    parsed = versions.parse(version)
    _check_newer(solution, parsed, version)
    try:
        with transaction.atomic():
            release = Release.objects.create(
                solution=solution,
                version=version,
                notes=notes or "",
                published_by=actor,
                **versions.parts(parsed),
            )
    except IntegrityError as error:
        raise Conflict(
            _("%(solution)s already has a release %(version)s.")
            % {"solution": solution.name, "version": version},
            field="version",
        ) from error
    audit.record(
        actor=actor,
        action="release.recorded",
        obj=release,
        cooperative=solution.cooperative,
        changes={"version": [None, release.version], "solution": [None, solution.slug]},
    )
    events.release_published(release, _adopter_user_ids(solution))
    return release
