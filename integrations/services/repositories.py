"""Linking a product's git repository, and syncing its commits (the background job's body).

How a sync stays whole and idempotent:

- Only one sync of a repository runs at a time. The job claims the repository under a row lock
  (`select_for_update(skip_locked=True)`) by setting its state to SYNCING; a second job finds
  the row locked or the state taken and stops without importing anything, but marks the
  repository `sync_again`: the running sync queues one more sync as it ends, so commits pushed
  during a sync are imported without waiting for the next push. A claim older than the
  Celery time limit counts as abandoned (a worker that died) and may be taken over.
- Commits are imported oldest first in batches. Each batch is one transaction holding the
  commits, their links to backlog items and the progress numbers, so a batch is either wholly
  there or not at all; rows are inserted skipping any SHA already stored for the repository
  (the unique (repository, sha); see `integrations.commit_rows`), and only the commits inserted
  get item links, so a repeated sync imports nothing twice. The repository's head and SYNCED
  state move only once every batch is in: a sync that fails halfway keeps the old head and
  FAILED state, and the next sync continues where it stopped.
- A force-pushed branch: the new commits are listed from the new head excluding what is already
  known (the old head, where the mirror still has it, and the SHAs in the database); commits of
  the old history stay.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperative import audit
from deelbaar.errors import Conflict, DomainError
from deelbaar.events import notify_users
from deelbaar.permissions import require
from integrations import commit_rows
from integrations import git as mirrors
from integrations.models import Repository, SyncState
from integrations.remote import check_remote_url
from integrations.services.publiccode import cleared, read_publiccode
from sprints.models import BacklogItem, TeamMember, TeamRole

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
SYNC_EVENT = "repository.sync"
# A branch name git accepts (git check-ref-format --branch), kept simple and safe.
BRANCH = re.compile(
    r"^(?!-)(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9._/+-]{1,200}(?<![./])(?<!\.lock)$"
)


# --- Linking ---------------------------------------------------------------------------------
@transaction.atomic
def link_repository(*, actor, product, url: str, default_branch: str = "main", sync: bool = True):
    """Link a git repository to the product; with `sync`, its first sync is queued once the
    link is committed."""
    require(actor, "integrations.manage_repository", product)
    url = (url or "").strip()
    check_remote_url(url, allow_local=settings.DEELBAAR_GIT_ALLOW_LOCAL_PATHS)
    default_branch = (default_branch or "").strip()
    if not BRANCH.match(default_branch):
        raise DomainError(
            _("Give the name of a branch, such as main."), field="default_branch", code="invalid"
        )
    if Repository.objects.filter(product=product, url=url).exists():
        raise Conflict(_("This repository is already linked to the product."), field="url")
    try:
        with transaction.atomic():
            repository = Repository.objects.create(
                product=product, url=url, default_branch=default_branch
            )
    except IntegrityError as error:
        raise Conflict(
            _("This repository is already linked to the product."), field="url"
        ) from error
    audit.record(
        actor=actor,
        action="repository.linked",
        obj=repository,
        cooperative=product.cooperative,
        organisation=product.owner,
        changes={"url": [None, url], "default_branch": [None, default_branch]},
    )
    if sync:
        _queue(repository, requested_by=actor)
    return repository


@transaction.atomic
def unlink_repository(*, actor, repository) -> None:
    """Remove the link and, once that is committed, the mirror. Imported commits go with it."""
    product = repository.product
    require(actor, "integrations.manage_repository", product)
    repository_id = repository.pk
    audit.record(
        actor=actor,
        action="repository.unlinked",
        obj=repository,
        cooperative=product.cooperative,
        organisation=product.owner,
        changes={"url": [repository.url, None]},
    )
    repository.delete()
    transaction.on_commit(lambda: mirrors.remove_mirror(repository_id))


# --- Asking for a sync -----------------------------------------------------------------------
@transaction.atomic
def request_sync(*, actor, repository) -> Repository:
    """Queue a sync of the repository; the job starts once this transaction commits. A sync
    asked for while one runs is harmless: the running one keeps the repository."""
    require(actor, "integrations.manage_repository", repository.product)
    repository = Repository.objects.select_for_update().get(pk=repository.pk)
    if repository.state != SyncState.SYNCING:
        repository.state = SyncState.QUEUED
        repository.save(update_fields=["state"])
    _queue(repository, requested_by=actor)
    return repository


def _queue(repository, *, requested_by=None) -> None:
    from integrations import tasks

    repository_id = repository.pk
    user_id = requested_by.pk if requested_by is not None else None
    transaction.on_commit(lambda: tasks.sync_repository.delay(repository_id, requested_by=user_id))


# --- The job ---------------------------------------------------------------------------------
def _recipients(repository, requested_by) -> set[int]:
    ids = set(
        TeamMember.objects.filter(
            product_id=repository.product_id, role=TeamRole.PRODUCT_OWNER
        ).values_list("user_id", flat=True)
    )
    if requested_by:
        ids.add(requested_by)
    return ids


def _notify(repository, recipients) -> None:
    notify_users(
        recipients,
        SYNC_EVENT,
        {
            "id": repository.pk,
            "state": repository.state,
            "done": repository.progress_done,
            "total": repository.progress_total,
        },
    )


def _lease_expired(repository) -> bool:
    started = repository.sync_started_at
    limit = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 15 * 60))
    return started is None or started < timezone.now() - limit


def _claim(repository_id) -> Repository | None:
    """Take the repository for this job, or None when it is gone or another sync has it."""
    with transaction.atomic():
        repository = (
            Repository.objects.select_for_update(skip_locked=True)
            .select_related("product")
            .filter(pk=repository_id)
            .first()
        )
        if repository is None:
            return None
        if repository.state == SyncState.SYNCING and not _lease_expired(repository):
            return None
        repository.state = SyncState.SYNCING
        repository.sync_started_at = timezone.now()
        repository.progress_done = 0
        repository.progress_total = 0
        repository.sync_again = False  # this sync covers whatever was asked before it
        repository.save(
            update_fields=[
                "state",
                "sync_started_at",
                "progress_done",
                "progress_total",
                "sync_again",
            ]
        )
        return repository


def _claim_or_defer(repository_id) -> Repository | None:
    """Take the repository; when another sync has it, ask that one to run once more as it
    ends (None). A few tries, as the running sync may be ending right then."""
    for _attempt in range(3):
        repository = _claim(repository_id)
        if repository is not None:
            return repository
        # Blocks while the running sync finishes; then it is no longer SYNCING and matches
        # nothing, and the claim is tried again.
        deferred = Repository.objects.filter(pk=repository_id, state=SyncState.SYNCING).update(
            sync_again=True
        )
        if deferred:
            return None
    return None


def _finish(repository, recipients, *, state, message, **fields) -> None:
    """End the sync; if another was asked for meanwhile, queue it once this commits."""
    with transaction.atomic():
        again = (
            Repository.objects.select_for_update()
            .filter(pk=repository.pk)
            .values_list("sync_again", flat=True)
            .first()
        )
        repository.state = state
        repository.state_message = message
        repository.sync_again = False
        for name, value in fields.items():
            setattr(repository, name, value)
        repository.save(
            update_fields=[
                "state",
                "state_message",
                "progress_done",
                "progress_total",
                "sync_again",
                *fields,
            ]
        )
        _notify(repository, recipients)
        if again:
            _queue(repository)


def reference_pattern(key: str) -> re.Pattern:
    """`SUB-42` as a whole word, in any case."""
    return re.compile(rf"\b{re.escape(key)}-(\d+)\b", re.IGNORECASE)


def _import_batch(repository, batch, pattern, recipients) -> None:
    """One batch, whole or not at all: the commits, their item links and the progress."""
    with transaction.atomic():
        inserted = commit_rows.insert_commits(repository.pk, batch)
        mentions = {}
        for c in batch:
            if c.sha in inserted:
                numbers = {int(n) for n in pattern.findall(c.message)}
                if numbers:
                    mentions[inserted[c.sha]] = numbers
        if mentions:
            items = dict(
                BacklogItem.objects.filter(
                    product_id=repository.product_id, number__in=set().union(*mentions.values())
                ).values_list("number", "pk")
            )
            commit_rows.insert_links(
                (commit_id, items[number])
                for commit_id, numbers in mentions.items()
                for number in sorted(numbers)
                if number in items
            )
        repository.progress_done += len(batch)
        Repository.objects.filter(pk=repository.pk).update(progress_done=repository.progress_done)
        _notify(repository, recipients)


def sync_repository(repository_id: int, *, requested_by: int | None = None) -> str:
    """Fetch the repository's mirror and import the commits of its default branch not seen
    before, linking each to the backlog items it mentions. Returns the state it ended in, or
    "busy" when another sync has the repository (that one then runs once more as it ends).
    Never raises for a git problem: the repository ends FAILED with a message saying what
    went wrong."""
    repository = _claim_or_defer(repository_id)
    if repository is None:
        return "busy"
    recipients = _recipients(repository, requested_by)
    _notify(repository, recipients)
    try:
        path = mirrors.update_mirror(repository.pk, repository.url)
        if mirrors.is_empty(path):
            _finish(
                repository,
                recipients,
                state=SyncState.SYNCED,
                message=_("The repository has no commits yet."),
                last_synced_at=timezone.now(),
                head_sha="",
                **cleared(),
            )
            return repository.state
        head = mirrors.branch_head(path, repository.default_branch)
        if head is None:
            raise mirrors.GitFailure(
                _("The repository has no branch %(branch)s.")
                % {"branch": repository.default_branch}
            )
        exclude = [repository.head_sha] if repository.head_sha else []
        found = mirrors.commits_between(path, head, exclude=exclude)
        repository.progress_total = len(found)
        Repository.objects.filter(pk=repository.pk).update(progress_total=len(found))
        _notify(repository, recipients)
        pattern = reference_pattern(repository.product.key)
        for start in range(0, len(found), BATCH_SIZE):
            _import_batch(repository, found[start : start + BATCH_SIZE], pattern, recipients)
        # Read after the commits, so a sync that failed keeps the last file it read.
        publiccode = read_publiccode(path, head)
    except mirrors.GitFailure as failure:
        logger.info("sync of repository %s failed: %s", repository_id, failure.detail)
        _finish(repository, recipients, state=SyncState.FAILED, message=failure.message)
        return repository.state
    except Exception:
        logger.exception("sync of repository %s failed", repository_id)
        _finish(
            repository,
            recipients,
            state=SyncState.FAILED,
            message=_("The sync failed unexpectedly; the administrators can see why in the log."),
        )
        return repository.state
    _finish(
        repository,
        recipients,
        state=SyncState.SYNCED,
        message=ngettext(
            "Imported %(count)d new commit.", "Imported %(count)d new commits.", len(found)
        )
        % {"count": len(found)},
        head_sha=head,
        last_synced_at=timezone.now(),
        **publiccode,
    )
    return repository.state
