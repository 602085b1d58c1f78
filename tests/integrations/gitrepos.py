"""Real git repositories for the repository tests, made with GitPython in a temporary folder,
and the helpers the integrations tests share.

The fixtures live here rather than in conftest.py so that the browser tests, which cannot see
tests/integrations/conftest.py, import the same ones (tests/integrations/conftest.py imports
them too). They are opt-in: `pytestmark = pytest.mark.usefixtures("git_settings")`."""

import subprocess

import git
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from integrations.services import repositories as services


class WorkRepo:
    """A working repository with a helper to commit; always closed by the fixture."""

    def __init__(self, path, branch="main"):
        self.path = path
        self.repo = git.Repo.init(path, initial_branch=branch)
        with self.repo.config_writer() as config:
            config.set_value("user", "name", "Dani Developer")
            config.set_value("user", "email", "dani@example.org")
        self.count = 0

    def commit(self, message):
        self.count += 1
        name = self.path / f"file{self.count}.txt"
        name.write_text(f"{self.count}\n")
        self.repo.index.add([str(name)])
        return self.repo.index.commit(message).hexsha

    def many(self, count, message="Change {n}"):
        """`count` commits at once with git fast-import: much faster than one by one."""
        head = self.repo.head.commit.hexsha if self.repo.head.is_valid() else None
        branch = self.repo.active_branch.name
        lines = []
        for n in range(count):
            msg = message.format(n=n).encode()
            lines.append(f"commit refs/heads/{branch}\n")
            lines.append(f"committer Dani <dani@example.org> {1700000000 + n} +0000\n")
            lines.append(f"data {len(msg)}\n")
            lines.append(msg.decode() + "\n")
            if n == 0 and head:
                lines.append(f"from {head}\n")
            lines.append("\n")
        subprocess.run(
            ["git", "fast-import", "--quiet"],
            cwd=self.path,
            input="".join(lines).encode(),
            check=True,
        )
        self.repo.git.reset("--hard", branch)

    def close(self):
        self.repo.close()


@pytest.fixture
def git_settings(settings, tmp_path):
    """Local paths may be linked (the work repositories), mirrors go to the test's folder."""
    settings.DEELBAAR_GIT_ALLOW_LOCAL_PATHS = True
    settings.DEELBAAR_GIT_MIRRORS_DIR = tmp_path / "mirrors"
    settings.DEELBAAR_GIT_TIMEOUT = 30
    return settings


@pytest.fixture
def work(tmp_path):
    repo = WorkRepo(tmp_path / "work")
    yield repo
    repo.close()


def sync(repository):
    """Sync now, in this process; returns the sync's state, the repository refreshed."""
    state = services.sync_repository(repository.pk)
    repository.refresh_from_db()
    return state


def link_and_sync(product, actor, url):
    """Link the repository at `url` (a WorkRepo's path, say) and sync it now."""
    repository = services.link_repository(actor=actor, product=product, url=str(url), sync=False)
    sync(repository)
    return repository


def as_(user) -> APIClient:
    """An API client in English, authenticated as `user` (anonymous for None)."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def page_url(repository) -> str:
    """The repository's page."""
    return reverse(
        "integrations:repository_detail",
        kwargs={"product_id": repository.product_id, "repository_id": repository.pk},
    )
