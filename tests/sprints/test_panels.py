"""sprints' extra panels (sprints/hooks.py, `{% extra_panels %}`): the spots where the apps above
show their parts of a sprints page, without sprints' templates loading their tags."""

import pytest
from django.template import Context, Template

from sprints import hooks


def _render(text, **values):
    return Template("{% load sprints_panels %}" + text).render(Context(values))


def test_a_spot_shows_its_panels_in_order(monkeypatch):
    monkeypatch.setitem(
        hooks.PANELS._panels,
        "item",
        [
            lambda context, item: "<b>plain</b>",
            lambda context, item: None,
            lambda context, item: ("sprints/_git_ref_option.html", {"option": item}),
        ],
    )
    option = {"name": "main", "kind": "branch", "sha": "0123456789abcdef"}
    html = _render('[{% extra_panels "item" item %}]', item=option, who="x")
    assert html == (
        '[&lt;b&gt;plain&lt;/b&gt;<option value="main" label="branch · 0123456789"></option>]'
    )


def test_the_panels_see_the_page_and_their_options(monkeypatch):
    seen = []
    monkeypatch.setitem(
        hooks.PANELS._panels,
        "increment",
        [lambda context, obj, newest: seen.append((context["who"], obj, newest))],
    )
    assert _render('{% extra_panels "increment" 3 newest=True %}', who="x") == ""
    assert seen == [("x", 3, True)]
    with pytest.raises(TypeError):
        _render('{% extra_panels "item" 3 newest=True %}')


def test_the_apps_above_register_their_panels():
    assert [panel.__module__ for panel in hooks.panels("item")] == ["integrations.panels"]
    assert [panel.__module__ for panel in hooks.panels("acceptance")] == ["integrations.panels"]
    assert [panel.__module__ for panel in hooks.panels("increment_actions")] == ["solutions.panels"]
    with pytest.raises(TypeError):
        hooks.register_panel("nowhere", lambda context, obj: "")
