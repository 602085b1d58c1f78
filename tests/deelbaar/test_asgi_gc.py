"""The web process freezes what start-up loaded out of the garbage collector (deelbaar/asgi.py):
a full collection then walks only what requests left behind (its worst in the HTTP bench 134 ->
31 ms, issue 10)."""

from tests.deelbaar.test_settings import run

SCRIPT = (
    "import gc; before = gc.get_freeze_count(); import deelbaar.asgi; "
    "print(before, gc.get_freeze_count(), gc.get_threshold()[0])"
)


def test_the_server_freezes_what_start_up_loaded(tmp_path):
    answer = run(SCRIPT, {}, tmp_path)
    assert answer.returncode == 0, answer.stderr
    before, frozen, threshold = map(int, answer.stdout.split()[-3:])
    assert before == 0
    assert frozen > 50_000  # Django, the apps and their modules
    assert threshold == 700  # Python's own: a larger young generation measured slower
