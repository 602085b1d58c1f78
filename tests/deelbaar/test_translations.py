"""Dutch is the default and complete; the committed catalogue matches the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "platform" / "deelbaar" / "locale" / "nl" / "LC_MESSAGES"


def test_dutch_catalogue_is_complete():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    assert {e.msgid: e.msgstr for e in po.translated_entries()} == {
        e.msgid: e.msgstr for e in mo if e.msgid
    }, "run `make messages` and commit django.mo"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext (installed by .ci/run)")
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """Extract the strings anew from a copy of the code and compare with what is committed."""
    for folder in ("platform", "sprints", "solutions", "integrations"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("static", "__pycache__")
        )
    # The copy must be the code that runs, or makemessages would write into the real tree.
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{tmp_path / 'platform'}:{tmp_path}",
        "DJANGO_SETTINGS_MODULE": "deelbaar.settings",
        "DEELBAAR_DATA_DIR": str(tmp_path / "var"),
    }
    where = subprocess.run(
        [sys.executable, "-c", "import deelbaar; print(deelbaar.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(tmp_path)), where.stdout
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "nl", "--no-obsolete"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "platform/deelbaar/locale/nl/LC_MESSAGES/django.po"))
    committed = polib.pofile(str(CATALOGUE / "django.po"))
    missing = {e.msgid for e in fresh} - {e.msgid for e in committed}
    assert not missing, f"strings missing from the catalogue (run `make messages`): {missing}"


@pytest.mark.django_db
def test_home_is_dutch_without_a_preference_and_english_on_request():
    dutch = Client().get("/")
    assert dutch["Content-Language"] == "nl"
    assert "Eenmaal bouwen, met elk lid delen" in dutch.content.decode()

    english = Client(headers={"accept-language": "en"}).get("/")
    assert english["Content-Language"] == "en"
    assert "Build once, share with every member" in english.content.decode()


@pytest.mark.django_db
def test_language_switch_remembers_the_choice():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Build once" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert "Eenmaal bouwen" in client.get("/").content.decode()
