"""Panels: the spots on a lower app's pages where a higher app shows its part (docs/decisions/0007).

The layers (docs/architecture.md) hold in the templates too: a template never loads a higher
app's tags (tests/deelbaar/test_template_layers.py). So the app whose page it is declares its
spots (`Spots`), each higher app registers a panel for a spot in its `AppConfig.ready()`, and
the page renders the spot with a tag of its own app. Until an app registers, a spot shows
nothing: the page works, with less, without it.

A panel is `panel(context, obj, **options)` (the template context, the spot's object, the
spot's declared options) and returns nothing (None or ""), HTML (a str, escaped unless marked
safe) or `(template name, values)`, rendered in place as `{% include %}` would: with the page's
context plus the values. The panels of a spot show in the order they were registered.

The page shell's spots are here (`SHELL`, `{% load deelbaar_panels %}{% shell_panels "spot" %}`);
sprints declares its own in sprints/hooks.py.
"""

from collections.abc import Callable
from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

Panel = Callable[..., Any]


class Spots:
    def __init__(self, owner: str, options: dict[str, tuple[str, ...]]) -> None:
        """`options`: each spot's name and the options its tag may pass to the panels."""
        self.owner = owner
        self.options = dict(options)
        self._panels: dict[str, list[Panel]] = {spot: [] for spot in options}

    def register(self, spot: str, panel: Panel) -> None:
        if spot not in self._panels:
            raise TypeError(f"{self.owner} has no panel spot {spot}")
        if panel not in self._panels[spot]:
            self._panels[spot].append(panel)

    def panels(self, spot: str) -> list[Panel]:
        if spot not in self._panels:
            raise TypeError(f"{self.owner} has no panel spot {spot}")
        return list(self._panels[spot])

    def render(self, context, spot: str, obj: Any = None, **options: Any) -> SafeString:
        unknown = set(options) - set(self.options.get(spot, ()))
        if unknown:
            raise TypeError(f"the panel spot {spot} takes no {', '.join(sorted(unknown))}")
        shown = (_render(context, panel(context, obj, **options)) for panel in self.panels(spot))
        # Each part escaped unless it is safe (a rendered template is).
        return format_html_join("", "{}", ((part,) for part in shown))


def _render(context, shown: Any) -> Any:
    if not shown:
        return ""
    if isinstance(shown, tuple):
        template_name, values = shown
        # As `{% include %}` does: the page's context, with the panel's values on top.
        template = context.template.engine.get_template(template_name)
        with context.push(**values):
            return template.render(context)
    return shown


SHELL = Spots(
    "deelbaar",
    {
        # The header's tools, after the language switch (notifications: the unread count).
        "header_tools": (),
        # A main navigation entry that counts unread things, after its label (notifications).
        "unread": (),
        # The login page, above the form (signin: the organisation's identity provider).
        "login": (),
    },
)
