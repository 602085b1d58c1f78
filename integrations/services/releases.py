"""Release tags: on `release.published`, an annotated tag in the product's repository and a
changelog since the previous tag (the body of the `integrations.tag_release` job).

- The tag ("v" + version) is made in the bare mirror at the head of the default branch, then
  pushed to the repository's URL. A push that fails (no write access, a read-only URL) keeps
  the tag in the mirror and records `pushed=False`; the page then says the tag is local.
- The changelog lists the commits between the previous tag of the repository (the newest
  earlier ReleaseTag) and this one, grouped by the backlog items they are linked to, with the
  commits linked to none under "Other changes".
- Idempotent: a release that has its ReleaseTag is left alone, and a tag already in the mirror
  (a job that stopped before its row was written) is reused, not made again.
"""

import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import git
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from deelbaar.celery import enqueue
from deelbaar.errors import DomainError
from integrations import git as mirrors
from integrations.models import Commit, ReleaseTag, Repository, SyncState
from integrations.remote import checked_addresses
from solutions.models import Release

logger = logging.getLogger(__name__)

TAGGER_NAME = "Deelbaar"


def tag_name(version: str) -> str:
    return f"v{version}"


def _repository_for(release: Release) -> Repository | None:
    product_id = release.solution.source_product_id
    if product_id is None:
        return None
    return (
        Repository.objects.filter(product_id=product_id, state=SyncState.SYNCED)
        .exclude(head_sha="")
        .order_by("created_at", "pk")
        .first()
    )


def _git(path: Path, args: list, env: dict | None = None) -> str:
    """One git command in the mirror, with git.py's no-prompt environment and timeout."""
    with git.Repo(path) as repo:
        return str(
            repo.git.execute(
                ["git", *mirrors.SAFE_CONFIG, *args],
                kill_after_timeout=float(settings.DEELBAAR_GIT_TIMEOUT),
                env={**mirrors.git_env(), **(env or {})},
            )
        )


def _make_tag(path: Path, name: str, sha: str, message: str) -> str:
    """The annotated tag `name` at `sha`; an existing tag of that name is kept. Returns the
    tagged commit's SHA."""
    existing = mirrors.resolve(path, f"refs/tags/{name}")
    if existing:
        return existing
    email = getattr(settings, "DEFAULT_FROM_EMAIL", "") or "deelbaar@localhost"
    _git(
        path,
        [
            "-c",
            f"user.name={TAGGER_NAME}",
            "-c",
            f"user.email={email}",
            "tag",
            "--annotate",
            "--message",
            message,
            "--",
            name,
            sha,
        ],
    )
    return sha


def _push(path: Path, repository: Repository, name: str) -> bool:
    """Push the tag to the repository (with its access token, if it has one); False when git
    may not or cannot."""
    url = repository.url
    ref = f"refs/tags/{name}"
    try:
        # git connects to the addresses checked here, not to a second lookup of the name.
        pinned = mirrors.pin_config(url, checked_addresses(url))
    except DomainError as error:
        logger.info("tag %s stays local: %s", name, error.message)
        return False
    try:
        credentials = mirrors.credential_env(
            url, repository.access_username, repository.access_token
        )
        _git(path, [*pinned, "push", "--quiet", "--", url, f"{ref}:{ref}"], env=credentials)
    except git.GitCommandError as error:
        stderr = mirrors.scrub(error.stderr or "", repository.access_token)
        logger.info("tag %s stays local: %s", name, stderr.strip()[-500:])
        return False
    return True


def _first_line(message: str) -> str:
    return (message.strip().splitlines() or [""])[0]


def changelog(
    repository: Repository, path: Path, *, head: str, previous: ReleaseTag | None, name: str
) -> str:
    """Markdown: the commits after the previous tag up to `head`, grouped by backlog item."""
    exclude = [previous.sha] if previous is not None and previous.sha else []
    found = mirrors.commits_between(path, head, exclude=exclude)
    shas = [c.sha for c in found]
    linked = defaultdict(list)
    items = {}
    for stored in Commit.objects.filter(repository=repository, sha__in=shas).prefetch_related(
        "items"
    ):
        for item in stored.items.all():
            items[item.pk] = item
            linked[stored.sha].append(item.pk)
    by_item = defaultdict(list)
    other = []
    # Newest first, as a changelog reads.
    for commit in reversed(found):
        line = f"- {commit.sha[:10]} {_first_line(commit.message)}"
        if linked.get(commit.sha):
            for item_pk in linked[commit.sha]:
                by_item[item_pk].append(line)
        else:
            other.append(line)
    if previous is not None:
        title = _("Changes in %(tag)s since %(previous)s") % {
            "tag": name,
            "previous": previous.name,
        }
    else:
        title = _("Changes in %(tag)s") % {"tag": name}
    lines = [f"## {title}", ""]
    if not found:
        lines += [_("No new commits."), ""]
    for item in sorted(items.values(), key=lambda i: i.number):
        lines += [f"### {item.reference} {item.title}", "", *by_item[item.pk], ""]
    if other:
        lines += [f"### {_('Other changes')}", "", *other, ""]
    return "\n".join(lines).rstrip() + "\n"


def tag_release(release_id: int) -> ReleaseTag | None:
    """Tag the release in its product's repository and write its changelog; None when there is
    nothing to tag (no source product, no synced repository) or the git work failed."""
    from solutions.models import Release

    release = Release.objects.select_related("solution").filter(pk=release_id).first()
    if release is None:
        return None
    done = ReleaseTag.objects.filter(release=release).first()
    if done is not None:
        return done
    repository = _repository_for(release)
    if repository is None:
        return None
    path = mirrors.mirror_path(repository.pk)
    name = tag_name(release.version)
    message = _("%(solution)s %(version)s, published in Deelbaar.") % {
        "solution": release.solution.name,
        "version": release.version,
    }
    try:
        head = mirrors.branch_head(path, repository.default_branch)
        if head is None:
            return None
        sha = _make_tag(path, name, head, message)
        previous = (
            ReleaseTag.objects.filter(repository=repository)
            .exclude(release=release)
            .order_by("-created_at", "-pk")
            .first()
        )
        text = changelog(repository, path, head=sha, previous=previous, name=name)
        pushed = _push(path, repository, name)
    except (git.GitCommandError, mirrors.GitFailure):
        logger.exception("could not tag release %s", release_id)
        return None
    try:
        with transaction.atomic():
            tag = ReleaseTag.objects.create(
                release=release,
                repository=repository,
                name=name,
                sha=sha,
                pushed=pushed,
                message=message,
                changelog=text,
            )
            Release.objects.filter(pk=release.pk).update(git_tag=name)
    except IntegrityError:
        # Another job tagged it first.
        return ReleaseTag.objects.filter(release=release).first()
    return tag


def on_event_published(sender: Any, *, group: Any, event: str, data: Any, **kwargs: Any) -> None:
    """Queue the tag of a release once it is published (connected in integrations/apps.py to
    `deelbaar.events.event_published`, sent after the publishing transaction commits)."""
    # release.published is announced twice (to the solution's page and to people); the
    # broadcast one (with a group) counts.
    if event != "release.published" or group is None:
        return
    try:
        # integrations/tasks.py, by name: the job imports this module.
        enqueue("integrations.tag_release", int(data["id"]))
    except Exception:
        # The release is published already; a missing tag must not hide that.
        logger.exception("could not queue the tag of release %s", data.get("id"))
