"""Reads of repositories and their commits, with their joins decided once."""

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import overload

import git
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from deelbaar.typing import Person
from integrations import git as mirrors
from integrations.models import Commit, ReleaseTag, Repository
from sprints.models import BacklogItem, Increment, Product
from sprints.selectors import products_visible_to


def repositories_visible_to(user: Person | None) -> QuerySet[Repository]:
    """The repositories of the products the person may view."""
    return Repository.objects.filter(product__in=products_visible_to(user)).select_related(
        "product"
    )


def repositories_of(product: Product) -> QuerySet[Repository]:
    return Repository.objects.filter(product=product).select_related("product")


def repository_url(product: Product) -> str:
    """The product's first repository on a web address: what publiccode.yml's url names."""
    for repository in repositories_of(product).order_by("pk"):
        if repository.url.startswith("https://"):
            return repository.url
    return ""


def _with_items(commits: QuerySet[Commit]) -> QuerySet[Commit]:
    return commits.prefetch_related(
        Prefetch(
            "items",
            queryset=BacklogItem.objects.select_related("product").order_by("number"),
        )
    )


def commits_of(repository: Repository) -> QuerySet[Commit]:
    """The repository's commits, newest first, each with the backlog items it mentions."""
    return _with_items(Commit.objects.filter(repository=repository)).order_by(
        "-committed_at", "sha"
    )


def commits_for_item(item: BacklogItem) -> QuerySet[Commit]:
    """The commits that mention the item, newest first, with their repository."""
    return (
        Commit.objects.filter(items=item)
        .select_related("repository")
        .order_by("-committed_at", "sha")
    )


def previous_increment(increment: Increment) -> Increment | None:
    return (
        increment.product.increments.filter(created_at__lt=increment.created_at)
        .order_by("-created_at", "-pk")
        .first()
    )


def _synced_mirrors(product: Product | int) -> list[tuple[Repository, Path]]:
    """(repository, mirror path) of the product's (or product id's) repositories that were
    synced at least once and whose mirror holds a branch: only those can say whether a
    reference exists."""
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


def git_refs_for_product(product: Product) -> list[mirrors.RefData]:
    """The branches and tags of the product's synced mirrors, newest first per repository,
    each name once (the first repository that has it wins), at most `MAX_REFS`."""
    seen: dict[str, mirrors.RefData] = {}
    for _repository, path in _synced_mirrors(product):
        try:
            refs = mirrors.list_refs(path)
        except mirrors.GitFailure:
            continue
        for ref in refs:
            seen.setdefault(ref.name, ref)
    return list(seen.values())[: mirrors.MAX_REFS]


def unresolved_ref(product: Product, ref: str | None) -> bool:
    """Whether the product has a synced repository and `ref` names a commit in none of their
    mirrors. Without a synced repository nothing can be checked, so nothing is unresolved."""
    synced = _synced_mirrors(product)
    if not ref or not synced:
        return False
    return all(mirrors.resolve(path, ref) is None for _repository, path in synced)


def git_ref_problem(product: Product, ref: str | None) -> str | None:
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


@dataclass(frozen=True)
class _Range:
    """The commits of one repository since the previous increment, as git sees them."""

    repository_id: int
    path: Path
    head: str
    exclude: tuple[str, ...]
    total: int


def _since_previous(
    increment: Increment,
) -> tuple[list[_Range], bool, bool, Increment | None]:
    """The ranges (one per repository where the increment's reference and the previous one's
    resolve, with git's count of their commits), whether the increment's own reference
    resolved in any mirror, whether the previous increment's reference was missing where it
    did, and the previous increment. Never lists the SHAs: git counts."""
    previous = previous_increment(increment)
    previous_ref = previous.git_ref if previous is not None else ""
    ranges: list[_Range] = []
    found = previous_missing = False
    if not increment.git_ref:
        return ranges, found, previous_missing, previous
    for repository in Repository.objects.filter(product_id=increment.product_id).order_by("pk"):
        path = mirrors.mirror_path(repository.pk)
        head = mirrors.resolve(path, increment.git_ref)
        if head is None:
            continue
        exclude: tuple[str, ...] = ()
        if previous_ref:
            base = mirrors.resolve(path, previous_ref)
            if base is None:
                # The increment's own reference is there; only the start is unknown.
                found = previous_missing = True
                continue
            exclude = (base,)
        try:
            total = mirrors.rev_count(path, head, exclude=exclude)
        except mirrors.GitFailure:
            continue
        found = True
        ranges.append(_Range(repository.pk, path, head, exclude, total))
    return ranges, found, previous_missing, previous


# count() without an argument: all the commits, as a queryset's count().
_ALL = object()


class CommitRange(Sequence[Commit]):
    """The commits of some ranges, newest first, read a page at a time: git counts them and
    gives the SHAs of the asked slice only (one rev-list per repository), and the database is
    asked for those SHAs alone, in one query (plus one for their items). It is what Django's
    paginator wants (its length and slicing), so the API pages it like a queryset.

    Commits the platform has not imported (the sync imports the default branch; a reference
    on another branch can reach further) are counted but not listed."""

    def __init__(self, ranges: Sequence[_Range]) -> None:
        self.ranges = [r for r in ranges if r.total]
        self.total = sum(r.total for r in self.ranges)

    def count(self, value: object = _ALL, /) -> int:
        """The number of commits, as a queryset's count(); given a value, how often it occurs,
        as a Sequence's. (Django's paginator, seeing the argument, asks len(): the same.)"""
        if value is _ALL:
            return self.total
        return super().count(value)

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[Commit]:
        return iter(self[:])

    @overload
    def __getitem__(self, index: int) -> Commit: ...

    @overload
    def __getitem__(self, index: slice) -> list[Commit]: ...

    def __getitem__(self, index: int | slice) -> Commit | list[Commit]:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else self[index:][:1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop, step = index.indices(self.total)
        if step != 1:
            raise ValueError("CommitRange slices take no step")
        return self._page(start, max(stop - start, 0))

    def _shas(self, offset: int, limit: int) -> list[tuple[int, str]]:
        """[(repository id, sha)] of the slice, in order."""
        if len(self.ranges) == 1:
            # Most products have one repository: git skips to the page itself.
            r = self.ranges[0]
            page = mirrors.rev_page(r.path, r.head, exclude=r.exclude, skip=offset, count=limit)
            return [(r.repository_id, sha) for sha, _at in page]
        # Several: the first offset+limit of each, merged newest first (each list keeps git's
        # order), then sliced.
        lists: list[list[tuple[int, int, int, str]]] = []
        for r in self.ranges:
            page = mirrors.rev_page(r.path, r.head, exclude=r.exclude, count=offset + limit)
            lists.append([(-at, n, r.repository_id, sha) for n, (sha, at) in enumerate(page)])
        merged = heapq.merge(*lists, key=lambda entry: entry[0])
        return [(repo, sha) for _at, _n, repo, sha in islice(merged, offset, offset + limit)]

    def _page(self, offset: int, limit: int) -> list[Commit]:
        if limit <= 0 or offset >= self.total:
            return []
        try:
            wanted = self._shas(offset, limit)
        except mirrors.GitFailure:
            return []
        if not wanted:
            return []
        by_repository: dict[int, list[str]] = {}
        for repository_id, sha in wanted:
            by_repository.setdefault(repository_id, []).append(sha)
        condition = Q()
        for repository_id, shas in by_repository.items():
            condition |= Q(repository_id=repository_id, sha__in=shas)
        commits = _with_items(Commit.objects.filter(condition).select_related("repository"))
        found = {(c.repository_id, c.sha): c for c in commits}
        return [found[key] for key in wanted if key in found]


def commits_since_previous_increment(increment: Increment) -> CommitRange:
    """The commits reachable from this increment's git reference and not from the previous
    increment's, in the product's repositories where both references resolve in the mirror
    (where there is no previous increment with a reference: every commit up to this one),
    newest first. Repositories where a reference does not resolve are skipped. Read lazily:
    slice it (or page it) rather than listing a long history whole."""
    ranges, _found, _missing, _previous = _since_previous(increment)
    return CommitRange(ranges)


@dataclass
class IncrementCommits:
    """What an increment's page says about its commits: `found` is False when its reference
    names nothing in the mirrors; `commits` holds at most the asked number, `total` all."""

    increment: Increment
    previous: Increment | None
    found: bool
    previous_missing: bool
    commits: list[Commit]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.commits), 0)


def increment_commits(increment: Increment, limit: int | None = None) -> IncrementCommits:
    """The increment's commits since the previous increment for its pages, at most `limit`
    of them (all without one), with their total."""
    ranges, found, previous_missing, previous = _since_previous(increment)
    commits = CommitRange(ranges)
    return IncrementCommits(
        increment=increment,
        previous=previous,
        found=found,
        previous_missing=previous_missing and not ranges,
        commits=commits[:limit] if limit else list(commits),
        total=commits.total,
    )


def tags_of(repository: Repository) -> QuerySet[ReleaseTag]:
    """The repository's release tags, newest first, each with its release and solution (the
    page links the release on its solution's page)."""
    return (
        ReleaseTag.objects.filter(repository=repository)
        .select_related("release__solution")
        .order_by("-created_at", "-pk")
    )
