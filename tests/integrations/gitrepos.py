"""Real git repositories for the repository tests, made with GitPython in a temporary folder."""

import subprocess

import git


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
