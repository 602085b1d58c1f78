"""Syncing real git repositories made in the test: first and incremental import, item links,
force pushes, failures, concurrency."""

import socket
import threading

import git
import pytest
from django.db import connection, transaction

from integrations import commit_rows
from integrations import git as mirrors
from integrations.models import Commit, SyncState
from integrations.selectors.repositories import (
    commits_for_item,
    commits_since_previous_increment,
)
from integrations.services import repositories as services
from tests.integrations.gitrepos import sync

pytestmark = pytest.mark.usefixtures("git_settings")


@pytest.mark.django_db
def test_first_import_links_items(work, link, make_item):
    first, second = make_item("Formulier"), make_item("Bevestiging")
    work.commit(f"Start the form\n\nFor {first.reference}.")
    work.commit(f"sub-{second.number}: confirm, see also {first.reference.lower()}")
    work.commit(f"Not an item: XSUB-{first.number} nor SUB-{first.number}0")
    repository = link(work.path)

    assert sync(repository) == SyncState.SYNCED
    assert repository.head_sha == work.repo.head.commit.hexsha
    assert repository.progress_done == repository.progress_total == 3
    assert repository.last_synced_at is not None
    assert "3" in repository.state_message
    commits = list(Commit.objects.filter(repository=repository).order_by("committed_at", "pk"))
    assert len(commits) == 3
    assert commits[0].author_name == "Dani Developer"
    assert commits[0].author_email == "dani@example.org"
    assert commits[1].parents == [commits[0].sha]
    assert commits[0].message.startswith("Start the form")
    assert {c.sha for c in commits_for_item(first)} == {commits[0].sha, commits[1].sha}
    assert {c.sha for c in commits_for_item(second)} == {commits[1].sha}
    assert not commits[2].items.exists()
    # The mirror is bare and under the configured folder.
    assert (mirrors.mirror_path(repository.pk) / "HEAD").exists()


@pytest.mark.django_db
def test_incremental_and_repeated_sync_import_nothing_twice(work, link, make_item):
    item = make_item()
    work.commit(f"{item.reference} one")
    repository = link(work.path)
    sync(repository)
    assert Commit.objects.count() == 1

    assert sync(repository) == SyncState.SYNCED
    assert Commit.objects.count() == 1
    assert repository.progress_total == 0

    work.commit("two")
    work.commit(f"three for {item.reference}")
    sync(repository)
    assert Commit.objects.count() == 3
    assert repository.progress_total == 2
    assert item.commits.count() == 2
    assert repository.head_sha == work.repo.head.commit.hexsha


@pytest.mark.django_db
def test_force_push_imports_new_commits_and_keeps_old(work, link):
    base = work.commit("base")
    old = work.commit("old work")
    repository = link(work.path)
    sync(repository)
    work.repo.git.reset("--hard", base)
    new = work.commit("rewritten work")

    assert sync(repository) == SyncState.SYNCED
    assert repository.head_sha == new
    assert set(Commit.objects.values_list("sha", flat=True)) == {base, old, new}
    assert repository.progress_total == 1


@pytest.mark.django_db
def test_ten_thousand_commits_in_batches(work, link, product):
    work.commit("first")
    work.many(9999, message="SUB-1 change {n}")
    repository = link(work.path)

    assert sync(repository) == SyncState.SYNCED
    assert Commit.objects.filter(repository=repository).count() == 10000
    assert repository.progress_done == repository.progress_total == 10000


@pytest.mark.django_db
def test_empty_repository(tmp_path, link):
    git.Repo.init(tmp_path / "empty").close()
    repository = link(tmp_path / "empty")
    assert sync(repository) == SyncState.SYNCED
    assert repository.head_sha == ""
    assert Commit.objects.count() == 0


@pytest.mark.django_db
def test_missing_default_branch_fails_clearly(work, link):
    work.commit("on main")
    repository = link(work.path, default_branch="develop")
    assert sync(repository) == SyncState.FAILED
    assert "develop" in repository.state_message
    assert Commit.objects.count() == 0


@pytest.mark.django_db
def test_path_that_is_not_a_repository_fails_clearly(tmp_path, link):
    folder = tmp_path / "plain"
    folder.mkdir()
    repository = link(folder)
    assert sync(repository) == SyncState.FAILED
    assert "not a git repository" in repository.state_message
    assert not mirrors.mirror_path(repository.pk).exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_unreachable_host_fails_clearly(settings, link):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["localhost", "127.0.0.1", "::1", "nowhere.invalid"]
    repository = link(f"https://localhost:{_closed_port()}/sub.git")
    assert sync(repository) == SyncState.FAILED
    assert "could not be reached" in repository.state_message

    repository = link("https://nowhere.invalid/sub.git")
    assert sync(repository) == SyncState.FAILED
    assert "could not be found" in repository.state_message


@pytest.mark.django_db
def test_allowed_name_leading_inside_is_not_fetched(settings, link):
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["localhost"]
    repository = link(f"https://localhost:{_closed_port()}/sub.git")
    assert sync(repository) == SyncState.FAILED
    assert "internal address" in repository.state_message
    assert not mirrors.mirror_path(repository.pk).exists()


@pytest.mark.django_db
def test_failed_sync_keeps_previous_head_and_commits(tmp_path, work, link):
    work.commit("one")
    repository = link(work.path)
    sync(repository)
    head = repository.head_sha
    work.repo.close()
    (tmp_path / "work" / ".git").rename(tmp_path / "gone")

    assert sync(repository) == SyncState.FAILED
    assert repository.head_sha == head
    assert Commit.objects.count() == 1


@pytest.mark.django_db
def test_second_sync_while_one_runs_is_refused(work, link):
    work.commit("one")
    repository = link(work.path)
    claimed = services._claim(repository.pk)
    assert claimed is not None
    assert services.sync_repository(repository.pk) == "busy"
    assert Commit.objects.count() == 0
    repository.refresh_from_db()
    assert repository.state == SyncState.SYNCING


@pytest.mark.django_db(transaction=True)
def test_two_syncs_at_once_import_each_commit_once(work, link):
    if connection.vendor == "sqlite":
        pytest.skip("two threads on one in-memory SQLite database")
    work.many(1500)
    repository = link(work.path)
    results = []

    def run():
        try:
            results.append(services.sync_repository(repository.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Commit.objects.filter(repository=repository).count() == 1500
    assert SyncState.SYNCED in results
    sync(repository)
    assert Commit.objects.filter(repository=repository).count() == 1500


@pytest.mark.django_db
def test_commits_since_previous_increment(work, link, product, product_owner):
    from sprints.models import Increment

    first = work.commit("one")
    work.repo.create_tag("v1")
    second = work.commit("two")
    third = work.commit("three")
    repository = link(work.path)
    sync(repository)
    earlier = Increment.objects.create(product=product, version="1.0", git_ref="v1")
    later = Increment.objects.create(product=product, version="1.1", git_ref=third)
    later.created_at = earlier.created_at.replace(year=earlier.created_at.year + 1)
    later.save()

    assert {c.sha for c in commits_since_previous_increment(later)} == {second, third}
    assert {c.sha for c in commits_since_previous_increment(earlier)} == {first}
    earlier.git_ref = "no-such-ref"
    earlier.save()
    assert list(commits_since_previous_increment(later)) == []


@pytest.mark.django_db
def test_commit_values_survive_the_bulk_insert_exactly(work, link, make_item):
    """The rows are written without model instances (COPY on PostgreSQL, plain tuples
    elsewhere): dates, non-ASCII text and over-long names must come back as git has them."""
    item = make_item()
    author = git.Actor("Zoë van 't Hof-" + "x" * 400, "zoe@gemeente.example")
    (work.path / "a.txt").write_text("a\n")
    work.repo.index.add([str(work.path / "a.txt")])
    sha = work.repo.index.commit(
        f"Één regel: café ☕ for {item.reference}\n\nTab\there, quote ' and backslash \\ too.",
        author=author,
        committer=author,
        author_date="1709247598 +0100",
        commit_date="1709247601 +0100",
    ).hexsha
    repository = link(work.path)
    sync(repository)

    stored = Commit.objects.get(repository=repository, sha=sha)
    source = work.repo.commit(sha)
    assert stored.author_name == author.name[:300]
    assert stored.author_email == "zoe@gemeente.example"
    assert stored.authored_at == source.authored_datetime
    assert stored.committed_at == source.committed_datetime
    assert stored.message == source.message
    assert stored.parents == []
    assert list(stored.items.values_list("pk", flat=True)) == [item.pk]


@pytest.mark.django_db
def test_inserting_a_stored_commit_again_skips_it(work, link):
    work.commit("One")
    repository = link(work.path)
    sync(repository)
    path = mirrors.mirror_path(repository.pk)
    again = mirrors.commits_between(path, mirrors.branch_head(path, "main"))
    with transaction.atomic():
        assert commit_rows.insert_commits(repository.pk, again) == {}
    assert Commit.objects.filter(repository=repository).count() == 1
