"""The layers hold in the templates too (.importlinter, docs/decisions/0007): import-linter reads
only Python, so this reads each app's `{% load %}` tags. A lower app's page shows a higher app's
part through a hook the lower app declares (sprints' extra panels), never by loading its tags."""

import configparser
import re
from pathlib import Path

from django.apps import apps
from django.template.backends.django import get_installed_libraries

ROOT = Path(__file__).resolve().parents[2]
LOAD = re.compile(r"{%\s*load\s+(.*?)\s*%}")


def _ranks() -> dict[str, int]:
    """Each app's layer, 0 for the core; apps side by side share one."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    lines = config["importlinter:contract:layers"]["layers"].splitlines()
    layers = [line for line in lines if line.strip()]
    return {
        app.strip(): rank
        for rank, layer in enumerate(reversed(layers))
        for app in re.split(r"[:|]", layer)
    }


def _libraries(tag: str) -> list[str]:
    names = tag.split()
    return names[-1:] if "from" in names else names


def _loads():
    """(app, template, library's app) for every library a layered app's template loads."""
    ranks = _ranks()
    owner = {name: module.split(".")[0] for name, module in get_installed_libraries().items()}
    for config in apps.get_app_configs():
        if config.name not in ranks:
            continue
        folder = Path(config.path) / "templates"
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if not path.is_file():
                continue
            for tag in LOAD.findall(path.read_text(encoding="utf-8")):
                for library in _libraries(tag):
                    yield config.name, path.relative_to(ROOT), owner[library]


def test_the_layers_are_read():
    ranks = _ranks()
    assert ranks["deelbaar"] == 0
    assert ranks["integrations"] > ranks["solutions"] > ranks["sprints"] > ranks["cooperative"]
    assert ranks["people"] == ranks["notifications"] == ranks["signin"] > ranks["integrations"]
    seen = {(app, library) for app, _template, library in _loads()}
    assert ("sprints", "sprints") in seen and ("solutions", "deelbaar") in seen


def test_no_template_loads_the_tags_of_a_higher_app():
    ranks = _ranks()
    upward = [
        f"{template} loads {library}'s tags"
        for app, template, library in _loads()
        if library != app and library in ranks and ranks[library] >= ranks[app]
    ]
    assert not upward


def test_the_apps_above_fill_the_shells_spots():
    from deelbaar.panels import SHELL

    assert [panel.__module__ for panel in SHELL.panels("header_tools")] == ["notifications.panels"]
    assert [panel.__module__ for panel in SHELL.panels("unread")] == ["notifications.panels"]
    assert [panel.__module__ for panel in SHELL.panels("login")] == ["signin.panels"]
