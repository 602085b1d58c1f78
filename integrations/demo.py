"""Demo data of the integrations: a small real git repository of the Subsidiesysteem in the
data folder, its commits mentioning the demo backlog items, linked to the product by its owner
and synced. Idempotent: what exists is left alone."""

from datetime import timedelta

import git
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from deelbaar.demo import Login
from integrations.models import Repository, SyncState
from integrations.services import releases
from integrations.services import repositories as services
from sprints.models import BacklogItem, Product

PRODUCT_KEY = "SUB"
OWNER_USERNAME = "producteigenaar"
OTHER_CHANGES = [
    "Set up the project: Django, settings, README",
    "Add the CI pipeline and the linters",
    "Describe the software in publiccode.yml",
]
AUTHORS = [
    ("Sanne de Vries", "sanne@eindhoven.example"),
    ("Mehmet Yilmaz", "mehmet@eindhoven.example"),
]


# The demo's four sprints each delivered a version; its tag sits on every third commit.
DELIVERY_TAGS = 4
DELIVERY_TAG_EVERY = 3


def repository_path():
    return settings.DATA_DIR / "demo-repos" / "subsidiesysteem"


def _messages(items) -> list[str]:
    """About twelve commit messages: set-up first, then work on the items, some naming two."""
    messages = OTHER_CHANGES[:2]
    for n, item in enumerate(items):
        messages.append(f"{item.reference}: {item.title}")
        if n % 3 == 2 and n + 1 < len(items):
            messages.append(
                f"Tests for {item.reference}\n\nAlso prepares {items[n + 1].reference}."
            )
    return [*messages[:11], OTHER_CHANGES[2]]


def _make_repository(path, items, publiccode: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    start = timezone.now() - timedelta(weeks=10)
    # Each sprint's delivery names its version's tag (sprints/demo.py: v0.N.0), so the
    # delivery and acceptance pages list the commits since the one before.
    tags = {DELIVERY_TAG_EVERY * k - 1: f"v0.{k}.0" for k in range(1, DELIVERY_TAGS + 1)}
    with git.Repo.init(path, initial_branch="main") as repo:
        messages = _messages(items)
        for n, message in enumerate(messages):
            name, email = AUTHORS[n % len(AUTHORS)]
            actor = git.Actor(name, email)
            when = (start + timedelta(days=5 * n, hours=n % 7)).strftime("%Y-%m-%dT%H:%M:%S%z")
            if message == OTHER_CHANGES[2] and publiccode:
                # The library's own description, so the sync offers it back (issue 6.6).
                changed = path / "publiccode.yml"
                changed.write_text(publiccode, encoding="utf-8")
            else:
                changed = path / f"notes/{n + 1:02d}.md"
                changed.parent.mkdir(exist_ok=True)
                changed.write_text(f"{message}\n", encoding="utf-8")
            repo.index.add([str(changed)])
            commit = repo.index.commit(
                message,
                author=actor,
                committer=actor,
                author_date=when,
                commit_date=when,
            )
            if n in tags:
                repo.create_tag(tags[n], ref=commit)


def _publiccode(product) -> str:
    from solutions.models import Solution
    from solutions.publiccode import publiccode_yaml

    solution = Solution.objects.filter(source_product=product).order_by("pk").first()
    return publiccode_yaml(solution) if solution is not None else ""


def load() -> list[Login]:
    product = Product.objects.filter(key=PRODUCT_KEY).first()
    owner = get_user_model().objects.filter(username=OWNER_USERNAME).first()
    if product is None or owner is None:
        return []
    if not settings.DEELBAAR_GIT_ALLOW_LOCAL_PATHS:
        print(
            "integrations demo: skipped the demo repository, as DEELBAAR_GIT_ALLOW_LOCAL_PATHS "
            "is off (a local folder cannot be linked)."
        )
        return []
    path = repository_path()
    if not (path / ".git").exists():
        items = list(BacklogItem.objects.filter(product=product).order_by("number")[:9])
        _make_repository(path, items, _publiccode(product))
    repository = Repository.objects.filter(product=product, url=str(path)).first()
    if repository is None:
        repository = services.link_repository(
            actor=owner, product=product, url=str(path), sync=False
        )
    if repository.state != SyncState.SYNCED:
        services.sync_repository(repository.pk)
    # Releases published before the repository was linked get their tag and changelog now.
    from solutions.models import Release

    for release in Release.objects.filter(
        solution__source_product=product, tag__isnull=True
    ).order_by("major", "minor", "patch", "published_at"):
        releases.tag_release(release.pk)
    return []
