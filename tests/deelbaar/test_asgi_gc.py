"""The web process freezes what start-up loaded out of the garbage collector (deelbaar/asgi.py):
a full collection then walks only what requests left behind (its worst in the HTTP bench 134 ->
31 ms, issue 10)."""

import os
import subprocess
import sys

SCRIPT = (
    "import gc; before = gc.get_freeze_count(); import deelbaar.asgi; "
    "print(before, gc.get_freeze_count(), gc.get_threshold()[0])"
)


def test_the_server_freezes_what_start_up_loaded():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "deelbaar.settings"}
    answer = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environment, capture_output=True, text=True, check=True
    )
    before, frozen, threshold = map(int, answer.stdout.split()[-3:])
    assert before == 0
    assert frozen > 50_000  # Django, the apps and their modules
    assert threshold == 700  # Python's own: a larger young generation measured slower
