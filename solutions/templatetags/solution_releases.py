"""`{% releases_section solution %}`: the solution page's list of releases, newest first, with
their notes and source increment (linked for those who may view the product).

The way to request an increment's publication, on sprints' increment list, is a panel
(solutions/panels.py).
"""

from django import template
from django.template.loader import render_to_string

from deelbaar.permissions import allowed
from solutions.selectors.publication import releases_of

register = template.Library()


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
