"""What the apps above sprints add to its pages, through `sprints.hooks` (docs/decisions/0007).

`{% extra_panels "item" item %}`: the panels registered for a spot of `sprints.hooks.PANELS`,
each rendered in place as an `{% include %}` would be (deelbaar/panels.py).

`{% git_ref_choices product as refs %}`: the branches and tags to suggest for an increment's
git reference (none unless integrations is installed).
"""

from django import template

from sprints import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def extra_panels(context, spot, obj, **options):
    return hooks.PANELS.render(context, spot, obj, **options)


@register.simple_tag
def git_ref_choices(product):
    return hooks.git_refs(product)
