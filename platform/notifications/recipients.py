"""Who is told of what: one function per kind of notification, each returning person ids.

The service (`notifications.services.notify`) then leaves out the person who acted and anyone
outside the cooperative, so these functions say only whom the kind is meant for.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from cooperative.models import Coordinator, OrganisationRole
from notifications.models import Kind


def _ids(queryset) -> set[int]:
    return set(queryset)


def _team(product_id, *roles) -> set[int]:
    from sprints.models import TeamMember

    members = TeamMember.objects.filter(product_id=product_id)
    if roles:
        members = members.filter(role__in=roles)
    return _ids(members.values_list("user_id", flat=True))


def _product_owners(product_id) -> set[int]:
    from sprints.models import TeamRole

    return _team(product_id, TeamRole.PRODUCT_OWNER)


def _owners_and_developers(product_id) -> set[int]:
    from sprints.models import TeamRole

    return _team(product_id, TeamRole.PRODUCT_OWNER, TeamRole.DEVELOPER)


def coordinators(cooperative_id) -> set[int]:
    return _ids(
        Coordinator.objects.filter(cooperative_id=cooperative_id).values_list("user_id", flat=True)
    )


def organisation_admins(organisation_ids) -> set[int]:
    """The admins of each organisation; for one without admins, all its people (someone there
    must hear of it)."""
    from cooperative.models import Affiliation

    rows = list(
        Affiliation.objects.filter(organisation_id__in=list(organisation_ids)).values_list(
            "organisation_id", "user_id", "role"
        )
    )
    with_admins = {org for org, _user, role in rows if role == OrganisationRole.ADMIN}
    return {
        user for org, user, role in rows if role == OrganisationRole.ADMIN or org not in with_admins
    }


# --- One function per kind ----------------------------------------------------------------------
def verdict_requested(increment) -> set[int]:
    """The testers asked for a verdict."""
    return _ids(increment.testers.values_list("pk", flat=True))


def _not_answered(increment) -> set[int]:
    """Testers asked who have not yet given a verdict on every item of the increment."""
    items = increment.increment_items.count()
    answered = (
        get_user_model()
        .objects.filter(increments_to_test=increment)
        .annotate(
            judged=Count(
                "verdicts__increment_item",
                filter=Q(verdicts__increment_item__increment=increment),
                distinct=True,
            )
        )
        .filter(judged__gte=items)
        .values_list("pk", flat=True)
    )
    return verdict_requested(increment) - set(answered)


def not_answered(increment) -> set[int]:
    """The testers asked who still owe a verdict on some item of the increment."""
    return _not_answered(increment)


def deadline_tomorrow(increment) -> set[int]:
    """The testers who have not answered yet, and the product owner."""
    return _not_answered(increment) | _product_owners(increment.product_id)


def deadline_passed(increment) -> set[int]:
    """The testers who did not answer in time, and the product owner."""
    return _not_answered(increment) | _product_owners(increment.product_id)


def verdict_given(verdict) -> set[int]:
    """The product owner and the developers."""
    return _owners_and_developers(verdict.increment_item.increment.product_id)


def increment_decided(increment) -> set[int]:
    """The product owner, the developers and the testers asked."""
    return _owners_and_developers(increment.product_id) | verdict_requested(increment)


def follow_up_created(item) -> set[int]:
    """The product owner and the developers, who take up the work."""
    return _owners_and_developers(item.product_id)


def team_added(product, person_id) -> set[int]:
    """The person added."""
    return {person_id}


def team_removed(product, person_id) -> set[int]:
    """The person removed."""
    return {person_id}


def sprint_started(sprint) -> set[int]:
    """The whole team: product owner, developers, testers."""
    return _team(sprint.product_id)


def sprint_closed(sprint) -> set[int]:
    """The whole team."""
    return _team(sprint.product_id)


def membership_applied(membership) -> set[int]:
    """The cooperative's coordinators."""
    return coordinators(membership.cooperative_id)


def membership_decided(membership) -> set[int]:
    """The applicant organisation's admins."""
    return organisation_admins([membership.organisation_id])


def access_requested(cooperative_id) -> set[int]:
    """The cooperative's coordinators."""
    return coordinators(cooperative_id)


def publication_requested(request) -> set[int]:
    """The coordinators (the requester, if one, is left out as the actor)."""
    return coordinators(request.increment.product.cooperative_id)


def publication_decided(request) -> set[int]:
    """The product owner, and whoever asked."""
    owners = _product_owners(request.increment.product_id)
    return owners | ({request.requested_by_id} if request.requested_by_id else set())


def release_published(release) -> set[int]:
    """The people of every organisation that has the solution in use."""
    from solutions.models import AdoptionState

    return _ids(
        get_user_model()
        .objects.filter(
            affiliations__organisation__adoptions__solution_id=release.solution_id,
            affiliations__organisation__adoptions__state=AdoptionState.IN_USE,
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def maintenance_ending(solution) -> set[int]:
    """The admins of every organisation that has the solution in use."""
    from solutions.models import AdoptionState

    organisations = solution.adoptions.filter(state=AdoptionState.IN_USE).values_list(
        "organisation_id", flat=True
    )
    return organisation_admins(set(organisations))


def review_posted(review) -> set[int]:
    """The product owners of the product the solution came from."""
    product_id = review.solution.source_product_id
    return _product_owners(product_id) if product_id else set()


def webhook_failing(subscription) -> set[int]:
    """The cooperative's coordinators, who manage its subscriptions."""
    return coordinators(subscription.cooperative_id)


FOR_KIND = {
    Kind.VERDICT_REQUESTED: verdict_requested,
    Kind.DEADLINE_TOMORROW: deadline_tomorrow,
    Kind.DEADLINE_PASSED: deadline_passed,
    Kind.VERDICT_GIVEN: verdict_given,
    Kind.INCREMENT_DECIDED: increment_decided,
    Kind.FOLLOW_UP_CREATED: follow_up_created,
    Kind.TEAM_ADDED: team_added,
    Kind.TEAM_REMOVED: team_removed,
    Kind.SPRINT_STARTED: sprint_started,
    Kind.SPRINT_CLOSED: sprint_closed,
    Kind.MEMBERSHIP_APPLIED: membership_applied,
    Kind.MEMBERSHIP_DECIDED: membership_decided,
    Kind.ACCESS_REQUESTED: access_requested,
    Kind.PUBLICATION_REQUESTED: publication_requested,
    Kind.PUBLICATION_DECIDED: publication_decided,
    Kind.RELEASE_PUBLISHED: release_published,
    Kind.MAINTENANCE_ENDING: maintenance_ending,
    Kind.REVIEW_POSTED: review_posted,
    Kind.WEBHOOK_FAILING: webhook_failing,
}
