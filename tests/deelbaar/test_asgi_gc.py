"""The web process's garbage collector (deelbaar/asgi.py): what start-up loaded is frozen and
young collections come per GC_THRESHOLD objects left behind, not Python's 700, so that a
collection no longer lands on every twelfth API request (the backlog page's p95, issue 10)."""

import json
import os
import subprocess
import sys

SCRIPT = (
    "import gc, json; import deelbaar.asgi; "
    "print(json.dumps([gc.get_threshold()[0], gc.get_freeze_count()]))"
)


def _server_process_gc(**env):
    """The collector's settings in a fresh process that loaded the ASGI application."""
    environment = {name: value for name, value in os.environ.items() if name != "GC_THRESHOLD"}
    environment.update(DJANGO_SETTINGS_MODULE="deelbaar.settings", **env)
    answer = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def test_the_server_freezes_start_up_and_collects_young_objects_less_often():
    threshold, frozen = _server_process_gc()
    assert threshold == 50_000
    assert frozen > 50_000  # Django, the apps and their modules: out of the collector's sight


def test_gc_threshold_sets_it_back():
    threshold, _frozen = _server_process_gc(GC_THRESHOLD="700")
    assert threshold == 700
