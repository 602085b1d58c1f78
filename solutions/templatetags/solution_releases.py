"""Publication on other apps' pages.

`{% releases_section solution %}`: the solution page's list of releases, newest first, with
their notes and source increment (linked for those who may view the product).

`{% publication_link increment %}`: on an increment, the way to request its publication, for
a product owner, once the increment is accepted, not yet published or requested, and newer
than the increment of the solution's newest release.
"""

from django import template
from django.template.loader import render_to_string

from deelbaar.permissions import allowed
from solutions.models import PublicationRequest, PublicationState, Release
from solutions.selectors.publication import (
    is_newer_increment,
    newest_released_increment,
    releases_of,
)
from solutions.services.publication import own_solution
from sprints.models import IncrementState

register = template.Library()


def _request_cache(request) -> dict:
    if request is None:
        return {}
    if not hasattr(request, "_publication_links"):
        request._publication_links = {}
    return request._publication_links


@register.simple_tag(takes_context=True)
def releases_section(context, solution):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    releases = list(releases_of(solution))
    # Whether the person may follow a source increment to its product: once per product.
    viewable = {}
    for release in releases:
        increment = release.increment
        release.increment_viewable = False
        if increment is not None:
            product = increment.product
            if product.pk not in viewable:
                viewable[product.pk] = allowed(user, "sprints.view_product", product)
            release.increment_viewable = viewable[product.pk]
    return render_to_string(
        "solutions/publication/_releases.html",
        {"solution": solution, "releases": releases},
        request=request,
    )


@register.simple_tag(takes_context=True)
def publication_link(context, increment):
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
