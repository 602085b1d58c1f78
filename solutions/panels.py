"""Solutions' panels on sprints' pages, in the spots sprints declares (sprints/hooks.py),
registered in `SolutionsConfig.ready()`."""

from django.template.loader import render_to_string

from deelbaar.permissions import allowed
from solutions.models import PublicationRequest, PublicationState, Release
from solutions.selectors.publication import is_newer_increment, newest_released_increment
from solutions.services.publication import own_solution
from sprints.models import IncrementState


def _request_cache(request) -> dict:
    if request is None:
        return {}
    if not hasattr(request, "_publication_links"):
        request._publication_links = {}
    return request._publication_links


def publication_link(context, increment):
    """The increment list (sprints' "increment_actions" spot): the way to request an increment's
    publication, for a product owner, once the increment is accepted, not yet published or
    requested, and newer than the increment of the solution's newest release."""
    if increment.state != IncrementState.ACCEPTED:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    # Worked out once per product and request, however many increments the page shows (each
    # is rendered by its own include, so the template's render context would not do).
    cache = _request_cache(request)
    product_id = increment.product_id
    if product_id not in cache:
        may = allowed(user, "solutions.request_publication", increment)
        taken, released = set(), None
        if may:
            # An increment older than the one of the newest release is never offered.
            released = newest_released_increment(own_solution(increment.product))
            taken = set(
                Release.objects.filter(increment__product_id=product_id).values_list(
                    "increment_id", flat=True
                )
            ) | set(
                PublicationRequest.objects.filter(
                    increment__product_id=product_id, state=PublicationState.REQUESTED
                ).values_list("increment_id", flat=True)
            )
        cache[product_id] = (may, taken, released)
    may, taken, released = cache[product_id]
    if not may or increment.pk in taken or not is_newer_increment(increment, released):
        return ""
    return render_to_string(
        "solutions/publication/_publication_link.html", {"increment": increment}, request=request
    )
