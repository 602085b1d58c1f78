"""Real git repositories for the production tests, made with the git command line (the test
process does not import the project's code, which runs in the stack's processes)."""

import subprocess
from pathlib import Path

AUTHOR = {
    "GIT_AUTHOR_NAME": "Dani Developer",
    "GIT_AUTHOR_EMAIL": "dani@example.org",
    "GIT_COMMITTER_NAME": "Dani Developer",
    "GIT_COMMITTER_EMAIL": "dani@example.org",
}


def git(path: Path, *args: str, data: bytes | None = None) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=path,
        input=data,
        capture_output=True,
        check=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(path), **AUTHOR},
        timeout=120,
    )
    return result.stdout.decode().strip()


def repository(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    return path


def commit(path: Path, message: str) -> str:
    """One commit (an empty one: the import reads commits, not files); its SHA."""
    git(path, "commit", "--quiet", "--allow-empty", "-m", message)
    return git(path, "rev-parse", "HEAD")


def many(path: Path, count: int, message: str = "Change {n}") -> None:
    """`count` commits on main at once with git fast-import: seconds for 20,000."""
    stream = []
    for n in range(count):
        text = message.format(n=n).encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"committer Dani <dani@example.org> %d +0000\n" % (1700000000 + n))
        stream.append(b"data %d\n%s\n\n" % (len(text), text))
    git(path, "fast-import", "--quiet", data=b"".join(stream))


def shas(path: Path) -> list[str]:
    return git(path, "rev-list", "main").split()
