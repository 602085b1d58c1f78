"""`{% shell_panels "spot" %}`: what the apps above the core show in the page shell, through the
spots of `deelbaar.panels.SHELL` (docs/decisions/0007)."""

from django import template

from deelbaar.panels import SHELL

register = template.Library()


@register.simple_tag(takes_context=True)
def shell_panels(context, spot, obj=None, **options):
    return SHELL.render(context, spot, obj, **options)
