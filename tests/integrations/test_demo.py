"""The integrations' demo loader: a real repository in the data folder, linked to the
Subsidiesysteem and synced, its commits linked to the demo backlog items; idempotent."""

import pytest

from cooperative import demo as cooperative_demo
from cooperative.models import AuditRecord
from deelbaar import demo as project_demo
from integrations import demo
from integrations.models import Commit, ReleaseTag, Repository, SyncState
from solutions import demo as solutions_demo
from sprints import demo as sprints_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DEELBAAR_GIT_MIRRORS_DIR = tmp_path / "mirrors"
    settings.DEELBAAR_GIT_ALLOW_LOCAL_PATHS = True
    project_demo.load()
    cooperative_demo.load()
    sprints_demo.load()
    solutions_demo.load()
    demo.load()
    return settings


def counts():
    return {
        "repositories": Repository.objects.count(),
        "commits": Commit.objects.count(),
        "links": Commit.items.through.objects.count(),
        "tags": ReleaseTag.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


def test_the_subsidiesysteem_has_a_synced_repository_with_linked_commits(loaded):
    repository = Repository.objects.get(product__key="SUB")
    assert (demo.repository_path() / ".git").exists()
    assert repository.state == SyncState.SYNCED
    assert repository.head_sha
    commits = Commit.objects.filter(repository=repository)
    assert 10 <= commits.count() <= 12
    linked = commits.filter(items__isnull=False).distinct()
    assert linked.count() >= 8
    for commit in linked.prefetch_related("items"):
        for item in commit.items.all():
            assert item.product.key == "SUB"
            assert item.reference in commit.message
    assert AuditRecord.objects.filter(action="repository.linked").count() == 1
    # The Subsidiesysteem's published release is tagged, with its changelog.
    tag = ReleaseTag.objects.get(repository=repository)
    assert tag.release.git_tag == tag.name == f"v{tag.release.version}"
    assert tag.sha == repository.head_sha
    assert "### SUB-" in tag.changelog
    # Its publiccode.yml (the library's own description) is read and offered, without problems.
    assert repository.publiccode_sha == repository.head_sha
    assert repository.publiccode_fields["name"] == tag.release.solution.name
    assert repository.publiccode_problems == []


def test_loading_twice_changes_nothing(loaded):
    before = counts()
    demo.load()
    assert counts() == before


def test_without_local_paths_it_is_skipped(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path / "data"
    settings.DEELBAAR_GIT_ALLOW_LOCAL_PATHS = False
    project_demo.load()
    cooperative_demo.load()
    sprints_demo.load()
    demo.load()
    assert not Repository.objects.exists()
    assert "DEELBAAR_GIT_ALLOW_LOCAL_PATHS" in capsys.readouterr().out


def test_each_delivery_lists_the_commits_since_the_one_before(loaded):
    """The demo's deliveries name the tags v0.1.0 ... v0.4.0; the repository has them, so the
    delivery and acceptance pages show what changed instead of "not found"."""
    from integrations.selectors.repositories import increment_commits
    from sprints.models import Increment

    deliveries = list(Increment.objects.filter(product__key="SUB").order_by("pk"))
    assert [d.git_ref for d in deliveries] == ["v0.1.0", "v0.2.0", "v0.3.0", "v0.4.0"]
    found = [increment_commits(delivery) for delivery in deliveries]
    assert all(each.found for each in found)
    totals = [each.total for each in found]
    assert totals == [3, 3, 3, 3]
