"""The adoption and reviews sections of the solution page:

- `{% adoption_section solution %}`: where the solution is in use (organisation, release,
  since, inhabitants) with the total; for a logged-in visitor an adopt button per organisation
  of theirs that may adopt, or why it can't with a link to join; their own adoptions with
  take-into-use, upgrade and stop; and a notice when a newer release exists or maintenance
  ends within 90 days.
- `{% reviews_section solution %}`: the reviews with score, pros, cons and organisation, and a
  link to the review form for an organisation with the solution in use.

The adoption page renders the same templates with the same context (solutions.views.adoption).
"""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def adoption_section(context, solution):
    from solutions.views.adoption import adoption_context

    request = context["request"]
    return render_to_string(
        "solutions/adoption/_section.html", adoption_context(request, solution), request=request
    )


@register.simple_tag(takes_context=True)
def reviews_section(context, solution):
    from solutions.views.adoption import reviews_context

    request = context["request"]
    return render_to_string(
        "solutions/adoption/_reviews.html", reviews_context(request, solution), request=request
    )
