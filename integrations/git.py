"""All the platform's git work, with GitPython: bare mirrors of linked repositories.

Each repository has a bare mirror at `DEELBAAR_GIT_MIRRORS_DIR/<repository id>.git`, cloned
with `--mirror` once and fetched on every sync. Git never prompts (no terminal, no askpass, ssh
in batch mode), every command is stopped after `DEELBAAR_GIT_TIMEOUT` seconds, and every
`git.Repo` is closed after use: GitPython keeps `cat-file` processes and memory maps open
otherwise, which leak in a long-running worker.
"""

import base64
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import git
from django.conf import settings
from django.utils.translation import gettext as _

from deelbaar.errors import DomainError

# Fields of one commit in `git log` output: unit separator between fields, NUL between
# commits (-z); the message comes last, so a stray separator inside it does no harm.
FIELD = "\x1f"
LOG_FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%ct%x1f%B"
# Never run remote helpers that execute commands, whatever the URL says; never follow an http
# redirect (git follows the first one by default), which could lead from an allowed host to
# an internal one that was never checked.
SAFE_CONFIG = [
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "protocol.fd.allow=never",
    "-c",
    "http.followRedirects=false",
]


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


# The user name sent with an access token when none is given: GitHub takes any with a token
# (and wants this one with an app's installation token); GitLab takes any with a personal or
# project token, its deploy tokens need their own.
DEFAULT_TOKEN_USERNAME = "x-access-token"  # noqa: S105  (a user name)


def credential_env(url: str, username: str = "", token: str = "") -> dict:
    """The environment that gives git the repository's access token for `url` (https only):
    an `Authorization` header as configuration in the environment (GIT_CONFIG_COUNT), scoped
    to the repository's host. Not on the command line (which every local user can read), not
    in the URL, not in the mirror's config; {} without a token."""
    if not token:
        return {}
    try:
        parts = urlsplit(url)
    except ValueError:
        return {}
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        return {}
    pair = f"{username or DEFAULT_TOKEN_USERNAME}:{token}".encode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{parts.scheme.lower()}://{parts.netloc}/.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {base64.b64encode(pair).decode()}",
    }


# The user information of an address (https://user:secret@host/…): never in a message.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
# The query string or fragment of an address (…/app.git?token=…, …#ghp_…), up to the end of
# the address as git and messages quote it (space or quote).
_QUERY = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s'\"<>?#]*)([?#])[^\s'\"<>]*")


def scrub(text: str, *secrets: str) -> str:
    """`text` with the user and password, and the query string and fragment, of every address
    in it, and each of `secrets`, replaced by "***": for messages and logs that may quote a
    URL or git's output."""
    text = _USERINFO.sub(r"\1***@", str(text))
    text = _QUERY.sub(r"\1\2***", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def _timeout() -> float:
    return float(settings.DEELBAAR_GIT_TIMEOUT)


def _explain(error: Exception, url: str, secrets=()) -> GitFailure:
    """Translate git's stderr into a message a product owner can act on; no credential of an
    address, nor any of `secrets`, survives into the message or the detail."""
    stderr = scrub(getattr(error, "stderr", "") or str(error), *secrets)
    url = scrub(url)
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


def _run(args: list, *, cwd=None, url: str = "", env=None) -> bytes:
    env = env or {}
    try:
        return git.Git(cwd).execute(
            ["git", *SAFE_CONFIG, *args],
            kill_after_timeout=_timeout(),
            env={**git_env(), **env},
            stdout_as_string=False,
        )
    except git.GitCommandError as error:
        secrets = [v for k, v in env.items() if k.startswith("GIT_CONFIG_VALUE_")]
        raise _explain(error, url, secrets=secrets) from error


def pin_config(url: str, addresses: list[str]) -> list[str]:
    """The `-c` options that make git over http(s) connect to `addresses` (those checked),
    not to whatever the host name resolves to by the time curl looks it up again.

    Nothing for ssh (ssh resolves the name itself), local paths or an IP address.
    """
    from integrations.remote import is_ip_literal

    if not addresses:
        return []
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        return []
    if scheme not in ("https", "http") or not host or is_ip_literal(host):
        return []
    port = port or (443 if scheme == "https" else 80)
    listed = ",".join(f"[{a}]" if ":" in a else a for a in addresses)
    return ["-c", f"http.curloptResolve={host}:{port}:{listed}"]


def _check_addresses(url: str) -> list[str]:
    """Check where `url` leads right now; return the `-c` options that pin git to it."""
    from integrations.remote import checked_addresses

    try:
        addresses = checked_addresses(url)
    except DomainError as error:
        raise GitFailure(str(error.message)) from None
    return pin_config(url, addresses)


def update_mirror(repository_id: int, url: str, *, env=None) -> Path:
    """Clone `url` as a bare mirror, or fetch it into the existing one; return the path.
    `env`: the credentials (`credential_env`), given to these git commands only.

    A first clone goes to a temporary folder beside the mirror and is renamed into place only
    when complete, so a failed clone leaves nothing behind. The fetch is forced (+refs/*), so a
    force-pushed branch simply points at its new head; old objects stay until git collects them.
    """
    pinned = _check_addresses(url)
    path = mirror_path(repository_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not (path / "HEAD").exists():
        shutil.rmtree(path, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f"{path.name}.", dir=path.parent))
        try:
            _run(
                [*pinned, "clone", "--mirror", "--quiet", "--", url, str(work / "mirror")],
                url=url,
                env=env,
            )
            os.replace(work / "mirror", path)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return path
    _run(
        [
            *pinned,
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
        env=env,
    )
    return path


def remove_mirror(repository_id: int) -> None:
    shutil.rmtree(mirror_path(repository_id), ignore_errors=True)


def is_empty(path: Path) -> bool:
    """A repository without a single branch: nothing to import yet."""
    with git.Repo(path) as repo:
        return not repo.heads


def resolve(path: Path, ref: str) -> str | None:
    """The commit SHA `ref` names in the mirror, or None where it names none.

    Asked of git itself: GitPython's own lookup takes the null SHA "000…0" for a commit and
    reads files of the git folder such as "logs/HEAD" as references. `--verify` wants exactly
    one existing object, `^{commit}` peels a tag and refuses anything that is not a commit."""
    if not ref or ref.startswith("-") or any(ord(ch) < 32 for ch in ref):
        return None
    if not (Path(path) / "HEAD").exists():
        return None
    try:
        output = _run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
            cwd=path,
        )
    except (GitFailure, ValueError):
        return None
    sha = output.decode("ascii", errors="replace").strip()
    return sha if _is_sha(sha) else None


def branch_head(path: Path, branch: str) -> str | None:
    return resolve(path, f"refs/heads/{branch}")


class BlobTooLarge(GitFailure):
    """A file is larger than the caller will read; `size` is its size in bytes."""

    def __init__(self, message: str, size: int):
        self.size = size
        super().__init__(message)


_SHA = frozenset("0123456789abcdef")


def read_file(path: Path, sha: str, name: str, max_bytes: int) -> str | None:
    """The text of the file `name` (a path from the repository's root) in commit `sha`, or
    None where that commit has no such file (or it is a folder, link or submodule). The size
    is asked first (`ls-tree -l`), so a blob over `max_bytes` is never loaded: BlobTooLarge.
    Text that is not UTF-8 is a GitFailure."""
    sha = (sha or "").lower()
    if not _is_sha(sha):
        raise ValueError("read_file takes a full commit SHA")
    if not name or name.startswith(("-", "/")) or ".." in name.split("/"):
        raise ValueError("read_file takes a path inside the repository")
    listing = _run(["ls-tree", "-l", "-z", sha, "--", name], cwd=path)
    for entry in listing.split(b"\x00"):
        if not entry:
            continue
        meta, _tab, entry_name = entry.partition(b"\t")
        mode, kind, blob, size_field = meta.split()
        # Only a regular file: a link's text is its target, not the file.
        if entry_name.decode("utf-8", "replace") != name or kind != b"blob":
            continue
        if mode not in (b"100644", b"100755"):
            return None
        size = int(size_field)
        if size > max_bytes:
            raise BlobTooLarge(
                _("%(name)s is %(size)s KB; at most %(max)s KB is read.")
                % {"name": name, "size": (size + 1023) // 1024, "max": max_bytes // 1024},
                size,
            )
        content = _run(["cat-file", "blob", blob.decode()], cwd=path)
        # GitPython drops one trailing newline of the output; the size says there was one.
        if len(content) == size - 1:
            content += b"\n"
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise GitFailure(
                _("%(name)s is not UTF-8 text.") % {"name": name}, str(error)
            ) from error
    return None


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


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and set(text) <= _SHA


def _range(head: str, exclude) -> list[str]:
    """`head ^base…` for rev-list: only full SHAs (resolved before), after --end-of-options,
    so nothing a person typed reaches git as an option or a revision expression."""
    if not all(_is_sha(sha) for sha in (head, *exclude)):
        raise ValueError("rev-list takes resolved commit SHAs")
    return ["--end-of-options", head, *(f"^{sha}" for sha in exclude)]


def rev_count(path: Path, head: str, *, exclude=()) -> int:
    """How many commits are reachable from `head` and from none of `exclude`; git counts,
    so a history of any length costs no memory here."""
    output = _run(["rev-list", "--count", *_range(head, exclude)], cwd=path)
    return int(output.decode().strip() or 0)


def rev_page(path: Path, head: str, *, exclude=(), skip: int = 0, count: int) -> list:
    """At most `count` of the commits reachable from `head` and from none of `exclude`, after
    the first `skip`, in git's order (newest commit date first, never a parent before its
    child): [(sha, committed at as a Unix timestamp)]."""
    if count <= 0:
        return []
    args = ["rev-list", "--timestamp", f"--max-count={int(count)}"]
    if skip > 0:
        args.append(f"--skip={int(skip)}")
    output = _run([*args, *_range(head, exclude)], cwd=path).decode()
    page = []
    for line in output.splitlines():
        timestamp, _space, sha = line.strip().partition(" ")
        if sha:
            page.append((sha, int(timestamp)))
    return page


# At most this many references are offered to pick from: enough for any real product, and a
# bound on the work a repository with thousands of tags can cause.
MAX_REFS = 200
# What `git check-ref-format` refuses in a name, plus what a revision could smuggle in.
_REF_FORBIDDEN = set("~^:?*[\\") | {" ", "\x7f"}


class RefData(NamedTuple):
    """One branch or tag: a tuple (name, kind, sha), so it unpacks like one."""

    name: str
    kind: str  # "branch" or "tag"
    sha: str


def is_plausible_ref(ref: str) -> bool:
    """Whether `ref` could be a branch, tag or commit name and is safe to hand to git: no
    spaces or control characters, no leading '-' (git would read an option), none of the
    characters git forbids in reference names, no '..' or '@{' (revision ranges and
    reflog lookups)."""
    if not ref or len(ref) > 200 or ref.startswith(("-", "/", ".")):
        return False
    if any(ch in _REF_FORBIDDEN or ord(ch) < 32 for ch in ref):
        return False
    if ".." in ref or "@{" in ref or "//" in ref or "/." in ref:
        return False
    return not ref.endswith(("/", ".", ".lock"))


def list_refs(path: Path) -> list[RefData]:
    """The mirror's branches and tags, newest first (branch: its last commit; tag: when it was
    made), at most `MAX_REFS`; [] where the mirror does not exist or has no references. A tag
    is given with the commit it names (annotated tags are peeled)."""
    if not (Path(path) / "HEAD").exists():
        return []
    output = _run(
        [
            "for-each-ref",
            "--sort=-creatordate",
            f"--count={MAX_REFS}",
            "--format=%(refname)%1f%(objectname)%1f%(*objectname)",
            "refs/heads/",
            "refs/tags/",
        ],
        cwd=path,
    ).decode("utf-8", errors="replace")
    refs = []
    for line in output.splitlines():
        if not line.strip():
            continue
        name, sha, peeled = line.split(FIELD, 2)
        if name.startswith("refs/heads/"):
            refs.append(RefData(name.removeprefix("refs/heads/"), "branch", sha))
        elif name.startswith("refs/tags/"):
            refs.append(RefData(name.removeprefix("refs/tags/"), "tag", peeled or sha))
    return refs
