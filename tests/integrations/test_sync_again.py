"""A sync asked for while another runs (a push arriving mid-sync) is not lost: the running
sync queues one more as it ends."""

import pytest

from integrations import git as mirrors
from integrations.models import Commit, SyncState
from integrations.services import repositories as services
from integrations.services.repositories import sync_repository as sync_now

# eager: the queued sync runs here, also with REDIS_URL.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("git_settings", "eager")]


def count_syncs(monkeypatch) -> list:
    """The results of the syncs the job runs, in order; the test's own calls go to
    `sync_now`, which the patch does not reach."""
    runs = []

    def counted(repository_id, **kwargs):
        runs.append(sync_now(repository_id, **kwargs))
        return runs[-1]

    monkeypatch.setattr(services, "sync_repository", counted)
    return runs


def test_a_push_during_a_sync_is_imported_by_one_more_sync(
    work, link, monkeypatch, django_capture_on_commit_callbacks
):
    work.commit("one")
    repository = link(work.path)
    fetch = mirrors.update_mirror
    pushed = []

    def fetch_while_someone_pushes(repository_id, url, **kwargs):
        path = fetch(repository_id, url, **kwargs)
        if not pushed:
            # The push lands after this fetch; its hook asks for a sync, which finds this one
            # running.
            pushed.append(work.commit("two, pushed mid-sync"))
            assert sync_now(repository_id) == "busy"
        return path

    monkeypatch.setattr(mirrors, "update_mirror", fetch_while_someone_pushes)
    runs = count_syncs(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_now(repository.pk) == SyncState.SYNCED

    repository.refresh_from_db()
    assert runs == [SyncState.SYNCED]  # the queued one ran, once
    assert repository.head_sha == pushed[0]
    assert set(Commit.objects.values_list("message", flat=True)) == {"one", "two, pushed mid-sync"}
    assert repository.sync_again is False
    assert repository.state == SyncState.SYNCED


def test_without_a_request_meanwhile_nothing_more_is_queued(
    work, link, monkeypatch, django_capture_on_commit_callbacks
):
    work.commit("one")
    repository = link(work.path)
    runs = count_syncs(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_now(repository.pk) == SyncState.SYNCED
    assert runs == []


def test_a_busy_answer_marks_the_running_sync(work, link):
    work.commit("one")
    repository = link(work.path)
    assert services._claim(repository.pk) is not None
    assert sync_now(repository.pk) == "busy"
    repository.refresh_from_db()
    assert repository.sync_again is True
    assert Commit.objects.count() == 0
