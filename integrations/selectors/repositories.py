"""Reads of repositories and their commits, with their joins decided once."""

from django.db.models import Prefetch

from integrations import git as mirrors
from integrations.models import Commit, Repository
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


def commits_since_previous_increment(increment):
    """The commits reachable from this increment's git reference and not from the previous
    increment's, in the product's repositories where both references resolve in the mirror
    (where there is no previous increment with a reference: every commit up to this one).
    Repositories where a reference does not resolve are skipped."""
    if not increment.git_ref:
        return Commit.objects.none()
    previous = previous_increment(increment)
    previous_ref = previous.git_ref if previous is not None else ""
    wanted = {}
    for repository in Repository.objects.filter(product_id=increment.product_id):
        path = mirrors.mirror_path(repository.pk)
        head = mirrors.resolve(path, increment.git_ref)
        if head is None:
            continue
        exclude = []
        if previous_ref:
            base = mirrors.resolve(path, previous_ref)
            if base is None:
                continue
            exclude = [base]
        try:
            wanted[repository.pk] = mirrors.rev_list(path, head, exclude=exclude)
        except mirrors.GitFailure:
            continue
    if not wanted:
        return Commit.objects.none()
    commits = Commit.objects.none()
    for repository_id, shas in wanted.items():
        commits = commits | Commit.objects.filter(repository_id=repository_id, sha__in=shas)
    return _with_items(commits.select_related("repository")).order_by("-committed_at", "sha")
