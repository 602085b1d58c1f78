"""Release tags with real repositories: the annotated tag in the mirror, pushed to a local bare
"remote", the changelog grouped by backlog item, a tag that stays local, idempotence."""

import git
import pytest
from django.db import transaction

from integrations import git as mirrors
from integrations.models import ReleaseTag
from integrations.services import releases
from integrations.services import repositories as services
from solutions import events as solution_events
from tests.integrations.gitrepos import link_and_sync
from tests.solutions.factories import make_release

# eager: the tag job runs in this process, also where Celery has a real broker.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("git_settings", "eager")]


@pytest.fixture
def remote(tmp_path, work):
    """A bare repository the work repository pushes to: the platform may push there too."""
    path = tmp_path / "remote.git"
    git.Repo.init(path, bare=True).close()
    work.repo.create_remote("origin", str(path))
    return path


def push(work):
    work.repo.git.push("origin", "main")


def publish(solution, version, callbacks):
    """A release published the way the services announce it: the event after the commit."""
    with callbacks(execute=True), transaction.atomic():
        release = make_release(solution, version)
        solution_events.release_published(release, [])
    release.refresh_from_db()
    return release


def remote_tags(path):
    with git.Repo(path) as repo:
        return {t.name: t for t in repo.tags}


def test_published_release_is_tagged_pushed_and_has_a_changelog(
    work,
    remote,
    product,
    product_owner,
    make_item,
    solution,
    django_capture_on_commit_callbacks,
):
    form, confirm = make_item("Formulier invullen"), make_item("Bevestiging sturen")
    work.commit(f"Start the form for {form.reference}")
    work.commit(f"{confirm.reference}: send the confirmation, finishes {form.reference}")
    work.commit("Tidy the README")
    push(work)
    repository = link_and_sync(product, product_owner, remote)

    release = publish(solution, "1.1.0", django_capture_on_commit_callbacks)

    tag = ReleaseTag.objects.get(release=release)
    assert release.git_tag == tag.name == "v1.1.0"
    assert tag.repository == repository
    assert tag.sha == work.repo.head.commit.hexsha
    assert tag.pushed is True
    assert "1.1.0" in tag.message
    with git.Repo(mirrors.mirror_path(repository.pk)) as mirror:
        made = mirror.tags["v1.1.0"]
        assert made.tag is not None  # annotated
        assert made.commit.hexsha == tag.sha
    assert remote_tags(remote)["v1.1.0"].commit.hexsha == tag.sha
    text = tag.changelog
    assert text.startswith("## ")
    assert f"### {form.reference} Formulier invullen" in text
    assert f"### {confirm.reference} Bevestiging sturen" in text
    assert "### Other changes" in text
    # The commit naming both items is under both; the README under other changes only.
    assert text.count("send the confirmation") == 2
    assert text.index("Tidy the README") > text.index("### Other changes")


def test_changelog_covers_only_commits_since_the_previous_tag(
    work,
    remote,
    product,
    product_owner,
    make_item,
    solution,
    django_capture_on_commit_callbacks,
):
    first, second = make_item("Eerste"), make_item("Tweede")
    work.commit(f"Work on {first.reference}")
    push(work)
    repository = link_and_sync(product, product_owner, remote)
    publish(solution, "1.1.0", django_capture_on_commit_callbacks)

    work.commit(f"Work on {second.reference}")
    work.commit("Bump dependencies")
    push(work)
    services.sync_repository(repository.pk)
    release = publish(solution, "1.2.0", django_capture_on_commit_callbacks)

    tag = release.tag
    assert "v1.1.0" in tag.changelog.splitlines()[0]
    assert f"### {second.reference} Tweede" in tag.changelog
    assert first.reference not in tag.changelog
    assert "Bump dependencies" in tag.changelog
    assert set(remote_tags(remote)) == {"v1.1.0", "v1.2.0"}


def test_a_tag_that_cannot_be_pushed_stays_local(
    work, remote, product, product_owner, solution, django_capture_on_commit_callbacks
):
    work.commit("Only commit")
    push(work)
    repository = link_and_sync(product, product_owner, remote)
    # The remote now refuses every push, as a server does where the platform may only read.
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'read-only' >&2\nexit 1\n")
    hook.chmod(0o755)
    release = publish(solution, "1.1.0", django_capture_on_commit_callbacks)
    tag = release.tag
    assert tag.pushed is False
    assert release.git_tag == "v1.1.0"
    assert mirrors.resolve(mirrors.mirror_path(repository.pk), "refs/tags/v1.1.0") == tag.sha
    assert "v1.1.0" not in remote_tags(remote)


def test_tagging_twice_does_nothing(
    work, remote, product, product_owner, solution, django_capture_on_commit_callbacks
):
    work.commit("Only commit")
    push(work)
    link_and_sync(product, product_owner, remote)
    release = publish(solution, "1.1.0", django_capture_on_commit_callbacks)
    first = release.tag
    again = releases.tag_release(release.pk)
    assert again.pk == first.pk
    assert ReleaseTag.objects.count() == 1


def test_no_repository_no_tag(solution, django_capture_on_commit_callbacks):
    release = publish(solution, "1.1.0", django_capture_on_commit_callbacks)
    assert release.git_tag == ""
    assert not ReleaseTag.objects.exists()
