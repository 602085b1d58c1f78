"""All the platform's git work, with GitPython: bare mirrors of linked repositories.

Each repository has a bare mirror at `DEELBAAR_GIT_MIRRORS_DIR/<repository id>.git`, cloned
with `--mirror` once and fetched on every sync. Git never prompts (no terminal, no askpass, ssh
in batch mode), every command is stopped after `DEELBAAR_GIT_TIMEOUT` seconds, and every
`git.Repo` is closed after use: GitPython keeps `cat-file` processes and memory maps open
otherwise, which leak in a long-running worker.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import git
from django.conf import settings
from django.utils.translation import gettext as _

from deelbaar.errors import DomainError

# Fields of one commit in `git log` output: unit separator between fields, NUL between
# commits (-z); the message comes last, so a stray separator inside it does no harm.
FIELD = "\x1f"
LOG_FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%ct%x1f%B"
# Never run remote helpers that execute commands, whatever the URL says.
SAFE_CONFIG = ["-c", "protocol.ext.allow=never", "-c", "protocol.fd.allow=never"]


class GitFailure(Exception):
    """A git command failed; `message` says why in words for the repository page."""

    def __init__(self, message: str, detail: str = ""):
        self.message = message
        self.detail = detail
        super().__init__(message)


@dataclass(frozen=True)
class CommitData:
    sha: str
    parents: list[str]
    author_name: str
    author_email: str
    authored_at: datetime
    committed_at: datetime
    message: str


def mirror_path(repository_id: int) -> Path:
    return Path(settings.DEELBAAR_GIT_MIRRORS_DIR) / f"{int(repository_id)}.git"


def git_env() -> dict:
    """The environment of every git command: never wait for a person to type."""
    return {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "echo",
        "SSH_ASKPASS": "echo",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
        "GCM_INTERACTIVE": "never",
        "LC_ALL": "C",
    }


def _timeout() -> float:
    return float(settings.DEELBAAR_GIT_TIMEOUT)


def _explain(error: Exception, url: str) -> GitFailure:
    """Translate git's stderr into a message a product owner can act on."""
    stderr = getattr(error, "stderr", "") or str(error)
    text = stderr.lower()
    if "timeout:" in text or "did not complete in" in text:
        message = _("Git did not finish within %(seconds)s seconds; try again later.") % {
            "seconds": settings.DEELBAAR_GIT_TIMEOUT
        }
    elif "could not resolve host" in text or "name or service not known" in text:
        message = _("The host of %(url)s could not be found.") % {"url": url}
    elif any(
        s in text
        for s in ("connection refused", "failed to connect", "timed out", "network is unreachable")
    ):
        message = _("The host of %(url)s could not be reached.") % {"url": url}
    elif any(
        s in text
        for s in (
            "authentication failed",
            "could not read username",
            "could not read password",
            "permission denied",
            "terminal prompts disabled",
            "host key verification failed",
            "403",
            "401",
        )
    ):
        message = _("The platform was not allowed to read %(url)s: check its access rights.") % {
            "url": url
        }
    elif any(
        s in text
        for s in (
            "not a git repository",
            "does not appear to be a git repository",
            "does not exist",
            "not found",
        )
    ):
        message = _("%(url)s is not a git repository.") % {"url": url}
    else:
        message = _("Git could not fetch %(url)s.") % {"url": url}
    return GitFailure(message, detail=stderr.strip()[-2000:])


def _run(args: list, *, cwd=None, url: str = "") -> bytes:
    try:
        return git.Git(cwd).execute(
            ["git", *SAFE_CONFIG, *args],
            kill_after_timeout=_timeout(),
            env=git_env(),
            stdout_as_string=False,
        )
    except git.GitCommandError as error:
        raise _explain(error, url) from error


def _check_addresses(url: str) -> None:
    from integrations.remote import check_addresses

    try:
        check_addresses(url)
    except DomainError as error:
        raise GitFailure(str(error.message)) from None


def update_mirror(repository_id: int, url: str) -> Path:
    """Clone `url` as a bare mirror, or fetch it into the existing one; return the path.

    A first clone goes to a temporary folder beside the mirror and is renamed into place only
    when complete, so a failed clone leaves nothing behind. The fetch is forced (+refs/*), so a
    force-pushed branch simply points at its new head; old objects stay until git collects them.
    """
    _check_addresses(url)
    path = mirror_path(repository_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not (path / "HEAD").exists():
        shutil.rmtree(path, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f"{path.name}.", dir=path.parent))
        try:
            _run(["clone", "--mirror", "--quiet", "--", url, str(work / "mirror")], url=url)
            os.replace(work / "mirror", path)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return path
    _run(
        [
            "fetch",
            "--quiet",
            "--prune",
            "--force",
            "--",
            url,
            "+refs/heads/*:refs/heads/*",
            "+refs/tags/*:refs/tags/*",
        ],
        cwd=path,
        url=url,
    )
    return path


def remove_mirror(repository_id: int) -> None:
    shutil.rmtree(mirror_path(repository_id), ignore_errors=True)


def is_empty(path: Path) -> bool:
    """A repository without a single branch: nothing to import yet."""
    with git.Repo(path) as repo:
        return not repo.heads


def resolve(path: Path, ref: str) -> str | None:
    """The commit SHA `ref` names in the mirror, or None where it names none."""
    if not ref or ref.startswith("-") or not (Path(path) / "HEAD").exists():
        return None
    with git.Repo(path) as repo:
        try:
            return repo.commit(ref).hexsha
        except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
            return None


def branch_head(path: Path, branch: str) -> str | None:
    return resolve(path, f"refs/heads/{branch}")


def _date(timestamp: str) -> datetime:
    return datetime.fromtimestamp(int(timestamp), tz=UTC)


def _parse(record: str) -> CommitData:
    sha, parents, name, email, authored, committed, message = record.split(FIELD, 6)
    return CommitData(
        sha=sha,
        parents=parents.split(),
        author_name=name,
        author_email=email,
        authored_at=_date(authored),
        committed_at=_date(committed),
        message=message.rstrip("\n"),
    )


def commits_between(path: Path, head: str, *, exclude=()) -> list[CommitData]:
    """Commits reachable from `head` but from none of `exclude`, oldest first (parents before
    their children). Excluded SHAs the mirror no longer has are ignored."""
    with git.Repo(path) as repo:
        known = []
        for sha in exclude:
            try:
                repo.commit(sha)
            except (git.BadName, git.BadObject, ValueError):
                continue
            known.append(sha)
    args = ["log", "-z", "--reverse", "--topo-order", f"--format={LOG_FORMAT}", head]
    if known:
        args += ["--not", *known]
    output = _run(args, cwd=path).decode("utf-8", errors="replace")
    return [_parse(record) for record in output.split("\x00") if record.strip()]


def rev_list(path: Path, head: str, *, exclude=()) -> list[str]:
    """SHAs reachable from `head` and not from `exclude` (all resolved SHAs)."""
    args = ["rev-list", head]
    if exclude:
        args += ["--not", *exclude]
    output = _run(args, cwd=path).decode()
    return output.split()
