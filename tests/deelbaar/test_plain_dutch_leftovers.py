"""The last walk's plain-Dutch leftovers, read from the Dutch catalogue itself: the README's
glossary word for product owner, no git words on the delivery page, versions (not releases) in
the library."""

from pathlib import Path

import polib
import pytest

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "platform/deelbaar/locale/nl/LC_MESSAGES/django.po"
)


@pytest.fixture(scope="module")
def dutch():
    return {entry.msgid: entry for entry in polib.pofile(str(CATALOGUE))}


def _texts(entry):
    return [entry.msgstr, *entry.msgstr_plural.values()]


def test_product_owner_is_producteigenaar_everywhere(dutch):
    assert dutch["product owner"].msgstr == "producteigenaar"
    said = [e.msgid for e in dutch.values() if any("product owner" in t.lower() for t in _texts(e))]
    assert not said, f"Dutch that says 'product owner': {said}"


def test_the_delivery_page_speaks_of_changes_not_commits(dutch):
    page = [
        e
        for e in dutch.values()
        if any("integrations/increment/_commits.html" in where for where, _line in e.occurrences)
    ]
    assert page
    for entry in page:
        for text in _texts(entry):
            assert "commit" not in text.lower() and "git" not in text.lower(), entry.msgid
    assert dutch["Git reference"].msgstr == "Broncodeversie"


def test_the_library_shows_versions(dutch):
    assert dutch["Releases"].msgstr == "Versies"
    assert dutch["Choose a release."].msgstr == "Kies een versie."


def test_the_invitation_subject_names_the_inviter(dutch):
    entry = dutch["%(inviter)s invites you to Deelbaar for %(organisation)s"]
    assert entry.msgstr.startswith("%(inviter)s nodigt u uit")
