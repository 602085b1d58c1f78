"""What the apps above sprints add to its pages, through `sprints.hooks` (docs/decisions/0007).

`{% extra_panels "item" item %}`: the panels registered for a spot, each rendered in place as an
`{% include %}` would be (the page's context plus the panel's values).

`{% git_ref_choices product as refs %}`: the branches and tags to suggest for an increment's
git reference (none unless integrations is installed).
"""

from django import template
from django.utils.html import format_html_join

from sprints import hooks

register = template.Library()


def _render(context, shown):
    if not shown:
        return ""
    if isinstance(shown, tuple):
        template_name, values = shown
        # As `{% include %}` does: the page's context, with the panel's values on top.
        panel_template = context.template.engine.get_template(template_name)
        with context.push(**values):
            return panel_template.render(context)
    return shown


@register.simple_tag(takes_context=True)
def extra_panels(context, spot, obj, **options):
    unknown = set(options) - set(hooks.PANEL_SPOTS.get(spot, ()))
    if unknown:
        raise TypeError(f"the panel spot {spot} takes no {', '.join(sorted(unknown))}")
    shown = (_render(context, panel(context, obj, **options)) for panel in hooks.panels(spot))
    # Each part escaped unless it is safe (a rendered template is).
    return format_html_join("", "{}", ((part,) for part in shown))


@register.simple_tag
def git_ref_choices(product):
    return hooks.git_refs(product)
