"""The metadata section of the solution page: `{% publiccode_section solution %}`.

Everyone gets a link to download the solution's publiccode.yml. Those the rule
`solutions.edit_solution` allows also get links to edit the metadata and to update it from a
file, and, while the exported file would not pass the validator, the problems to fix.
"""

from django import template
from django.template.loader import render_to_string

from deelbaar.permissions import allowed
from solutions.publiccode import export_publiccode, metadata_problems, validate_publiccode

register = template.Library()


@register.simple_tag(takes_context=True)
def publiccode_section(context, solution):
    request = context.get("request")
    user = getattr(request, "user", None)
    can_edit = allowed(user, "solutions.edit_solution", solution)
    problems = (
        metadata_problems(validate_publiccode(export_publiccode(solution))) if can_edit else []
    )
    return render_to_string(
        "solutions/publiccode/_section.html",
        {"solution": solution, "can_edit": can_edit, "problems": problems},
        request=request,
    )
