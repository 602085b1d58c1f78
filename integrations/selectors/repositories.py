"""Reads of repositories and their commits, with their joins decided once."""

from dataclasses import dataclass

import git
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from integrations import git as mirrors
from integrations.models import Commit, ReleaseTag, Repository
from sprints.models import BacklogItem
from sprints.selectors import products_visible_to


def repositories_visible_to(user):
    """The repositories of the products the person may view."""
    return Repository.objects.filter(product__in=products_visible_to(user)).select_related(
        "product"
    )


def repositories_of(product):
    return Repository.objects.filter(product=product).select_related("product")


def _with_items(commits):
    return commits.prefetch_related(
        Prefetch(
            "items",
            queryset=BacklogItem.objects.select_related("product").order_by("number"),
        )
    )


def commits_of(repository):
    """The repository's commits, newest first, each with the backlog items it mentions."""
    return _with_items(Commit.objects.filter(repository=repository)).order_by(
        "-committed_at", "sha"
    )


def commits_for_item(item):
    """The commits that mention the item, newest first, with their repository."""
    return (
        Commit.objects.filter(items=item)
        .select_related("repository")
        .order_by("-committed_at", "sha")
    )


def previous_increment(increment):
    return (
        increment.product.increments.filter(created_at__lt=increment.created_at)
        .order_by("-created_at", "-pk")
        .first()
    )


def _synced_mirrors(product):
    """(repository, mirror path) of the product's repositories that were synced at least once
    and whose mirror holds a branch: only those can say whether a reference exists."""
    mirrors_found = []
    for repository in Repository.objects.filter(
        product_id=getattr(product, "pk", product), last_synced_at__isnull=False
    ).order_by("pk"):
        path = mirrors.mirror_path(repository.pk)
        if not (path / "HEAD").exists():
            continue
        try:
            if mirrors.is_empty(path):
                continue
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            continue  # a broken mirror says nothing about references; the next sync redoes it
        mirrors_found.append((repository, path))
    return mirrors_found


def git_refs_for_product(product):
    """The branches and tags of the product's synced mirrors, newest first per repository,
    each name once (the first repository that has it wins), at most `MAX_REFS`."""
    seen = {}
    for _repository, path in _synced_mirrors(product):
        try:
            refs = mirrors.list_refs(path)
        except mirrors.GitFailure:
            continue
        for ref in refs:
            seen.setdefault(ref.name, ref)
    return list(seen.values())[: mirrors.MAX_REFS]


def unresolved_ref(product, ref) -> bool:
    """Whether the product has a synced repository and `ref` names a commit in none of their
    mirrors. Without a synced repository nothing can be checked, so nothing is unresolved."""
    synced = _synced_mirrors(product)
    if not ref or not synced:
        return False
    return all(mirrors.resolve(path, ref) is None for _repository, path in synced)


def git_ref_problem(product, ref) -> str | None:
    """Why `ref` cannot be an increment's git reference, in words; None when it can (an empty
    reference is fine: it is optional)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    if not mirrors.is_plausible_ref(ref):
        return _(
            "“%(ref)s” is not a git reference: give the name of a branch or tag, or a commit "
            "SHA, without spaces or any of ~ ^ : ? * [ \\ .. and not starting with a dash."
        ) % {"ref": ref[:60]}
    if unresolved_ref(product, ref):
        return _(
            "“%(ref)s” is not a branch, tag or commit in this product's repositories. Sync the "
            "repository if it was pushed just now."
        ) % {"ref": ref}
    return None


def _since_previous(increment):
    """{repository id: SHAs since the previous increment}, whether the increment's own
    reference resolved in any mirror, whether the previous increment's reference was missing
    where it did, and the previous increment."""
    previous = previous_increment(increment)
    previous_ref = previous.git_ref if previous is not None else ""
    wanted = {}
    found = previous_missing = False
    if not increment.git_ref:
        return wanted, found, previous_missing, previous
    for repository in Repository.objects.filter(product_id=increment.product_id):
        path = mirrors.mirror_path(repository.pk)
        head = mirrors.resolve(path, increment.git_ref)
        if head is None:
            continue
        found = True
        exclude = []
        if previous_ref:
            base = mirrors.resolve(path, previous_ref)
            if base is None:
                previous_missing = True
                continue
            exclude = [base]
        try:
            wanted[repository.pk] = mirrors.rev_list(path, head, exclude=exclude)
        except mirrors.GitFailure:
            continue
    return wanted, found, previous_missing, previous


def _commits_in(wanted):
    if not wanted:
        return Commit.objects.none()
    commits = Commit.objects.none()
    for repository_id, shas in wanted.items():
        commits = commits | Commit.objects.filter(repository_id=repository_id, sha__in=shas)
    return _with_items(commits.select_related("repository")).order_by("-committed_at", "sha")


def commits_since_previous_increment(increment):
    """The commits reachable from this increment's git reference and not from the previous
    increment's, in the product's repositories where both references resolve in the mirror
    (where there is no previous increment with a reference: every commit up to this one).
    Repositories where a reference does not resolve are skipped."""
    wanted, _found, _missing, _previous = _since_previous(increment)
    return _commits_in(wanted)


@dataclass
class IncrementCommits:
    """What an increment's page says about its commits: `found` is False when its reference
    names nothing in the mirrors; `commits` holds at most the asked number, `total` all."""

    increment: object
    previous: object
    found: bool
    previous_missing: bool
    commits: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.commits)


def increment_commits(increment, limit=None) -> IncrementCommits:
    """The increment's commits since the previous increment for its pages, at most `limit`
    of them (all without one), with their total."""
    wanted, found, previous_missing, previous = _since_previous(increment)
    commits = _commits_in(wanted)
    total = commits.count() if wanted else 0
    shown = list(commits[:limit] if limit else commits) if total else []
    return IncrementCommits(
        increment=increment,
        previous=previous,
        found=found,
        previous_missing=previous_missing and not wanted,
        commits=shown,
        total=total,
    )


def tags_of(repository):
    """The repository's release tags, newest first, each with its release and solution (the
    page links the release on its solution's page)."""
    return (
        ReleaseTag.objects.filter(repository=repository)
        .select_related("release__solution")
        .order_by("-created_at", "-pk")
    )
