"""Linking a product's git repository, and syncing its commits (the background job's body).

How a sync stays whole and idempotent:

- Only one sync of a repository runs at a time. The job claims the repository under a row lock
  (`select_for_update(skip_locked=True)`) by setting its state to SYNCING and taking a lease (a
  token of its own and a heartbeat time); a second job finds the row locked or the lease held
  and stops without importing anything, but marks the repository `sync_again`: the running sync
  queues one more sync as it ends, so commits pushed during a sync are imported without
  waiting for the next push.
- The running sync renews its lease every `heartbeat_seconds()` (a thread beside the git
  commands, which can run for minutes; in a caller's open transaction, where another
  connection could not see the claim, at each batch instead). A lease not renewed for
  `lease_seconds()` belongs to a dead worker: the next sync takes the repository over, and
  `recover_stalled_syncs` (beat, every half lease) queues that sync. A sync that finds its
  lease taken stops without writing its end: the new holder owns the repository.
- Queueing is checked: when the job cannot be queued (Redis away), the repository is marked
  FAILED at once with a message saying so, and `request_sync` raises `Unavailable` (503).
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
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from kombu.exceptions import OperationalError as BrokerError

from cooperative import audit
from deelbaar.celery import enqueue
from deelbaar.errors import Conflict, DomainError, Unavailable
from deelbaar.events import notify_users
from deelbaar.permissions import require
from deelbaar.typing import User
from integrations import commit_rows
from integrations import git as mirrors
from integrations.models import Repository, SyncState
from integrations.remote import check_remote_url, is_local_path, refuse_credentials
from integrations.services.publiccode import cleared, read_publiccode
from sprints.models import BacklogItem, Product, TeamMember, TeamRole

logger = logging.getLogger(__name__)

# integrations/tasks.py, queued by name: the job imports this module.
SYNC_JOB = "integrations.sync_repository"

BATCH_SIZE = 1000
SYNC_EVENT = "repository.sync"
# A branch name git accepts (git check-ref-format --branch), kept simple and safe.
BRANCH = re.compile(
    r"^(?!-)(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9._/+-]{1,200}(?<![./])(?<!\.lock)$"
)


# --- Linking ---------------------------------------------------------------------------------
def _check_token(url: str, username: str, token: str) -> tuple[str, str]:
    username, token = (username or "").strip(), (token or "").strip()
    if token and (is_local_path(url) or not url.lower().startswith(("https://", "http://"))):
        raise DomainError(
            _("An access token is used only with an https address."),
            field="access_token",
            code="invalid",
        )
    if username and not token:
        raise DomainError(
            _("A user name is used only with an access token."),
            field="access_username",
            code="invalid",
        )
    if any(c.isspace() or ord(c) < 32 for c in token + username) or ":" in username:
        raise DomainError(
            _("The user name and token contain no spaces, control characters or colons."),
            field="access_token",
            code="invalid",
        )
    return username, token


def link_repository(
    *,
    actor: User,
    product: Product,
    url: str,
    default_branch: str = "main",
    access_username: str = "",
    access_token: str = "",
    sync: bool = True,
) -> Repository:
    """Link a git repository to the product; with `sync`, its first sync is queued once the
    link is committed (when it cannot be queued, the repository is FAILED with a message saying
    so: the link itself stands). An address with credentials is refused: a token goes into
    `access_token`, which is never shown back, and the audit record says only whether one was
    given."""
    with transaction.atomic():
        require(actor, "integrations.manage_repository", product)
        url = (url or "").strip()
        check_remote_url(url, allow_local=settings.DEELBAAR_GIT_ALLOW_LOCAL_PATHS)
        refuse_credentials(url)
        access_username, access_token = _check_token(url, access_username, access_token)
        default_branch = (default_branch or "").strip()
        if not BRANCH.match(default_branch):
            raise DomainError(
                _("Give the name of a branch, such as main."),
                field="default_branch",
                code="invalid",
            )
        if Repository.objects.filter(product=product, url=url).exists():
            raise Conflict(_("This repository is already linked to the product."), field="url")
        try:
            with transaction.atomic():
                repository = Repository.objects.create(
                    product=product,
                    url=url,
                    default_branch=default_branch,
                    access_username=access_username,
                    access_token=access_token,
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
            changes={
                "url": [None, url],
                "default_branch": [None, default_branch],
                "access_token": [None, "set" if access_token else None],
            },
        )
        queued = _queue(repository, requested_by=actor) if sync else None
    if queued is not None and queued.failed:
        repository.refresh_from_db()
    return repository


@transaction.atomic
def set_access_token(
    *, actor: User, repository: Repository, access_username: str = "", access_token: str = ""
) -> Repository:
    """Replace the repository's access token (blank: remove it). The token is never shown
    back; the audit record says only that it changed."""
    require(actor, "integrations.manage_repository", repository.product)
    repository = Repository.objects.select_for_update().get(pk=repository.pk)
    access_username, access_token = _check_token(repository.url, access_username, access_token)
    had = bool(repository.access_token)
    repository.access_username = access_username
    repository.access_token = access_token
    repository.save(update_fields=["access_username", "access_token"])
    audit.record(
        actor=actor,
        action="repository.access_token_changed",
        obj=repository,
        cooperative=repository.product.cooperative,
        organisation=repository.product.owner,
        changes={"access_token": ["set" if had else None, "set" if access_token else None]},
    )
    return repository


@transaction.atomic
def unlink_repository(*, actor: User, repository: Repository) -> None:
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
def request_sync(*, actor: User, repository: Repository) -> Repository:
    """Queue a sync of the repository; the job starts once this transaction commits. A sync
    asked for while one runs is harmless: the running one keeps the repository. Raises
    `Unavailable` when the job could not be queued (the repository is then FAILED, saying so)
    and the caller holds no transaction of its own."""
    with transaction.atomic():
        require(actor, "integrations.manage_repository", repository.product)
        repository = Repository.objects.select_for_update().get(pk=repository.pk)
        if repository.state != SyncState.SYNCING:
            repository.state = SyncState.QUEUED
            repository.save(update_fields=["state"])
        queued = _queue(repository, requested_by=actor)
    queued.raise_if_failed()
    return repository


class QueuedSync:
    """A sync to queue once the transaction commits; `failed` once queueing it failed."""

    def __init__(self, repository_id: int, requested_by: int | None) -> None:
        self.repository_id = repository_id
        self.requested_by = requested_by
        self.failed = False

    def send(self) -> None:
        try:
            enqueue(SYNC_JOB, self.repository_id, requested_by=self.requested_by)
        except BrokerError:
            logger.exception("could not queue the sync of repository %s", self.repository_id)
            self.failed = True
            # At once, so the page does not say "waiting to sync" with no job behind it.
            Repository.objects.filter(pk=self.repository_id).exclude(
                state=SyncState.SYNCING
            ).update(state=SyncState.FAILED, state_message=str(not_queued_message()))

    def raise_if_failed(self) -> None:
        if self.failed:
            raise Unavailable(not_queued_message(), code="queue_unavailable")


def not_queued_message() -> str:
    return _("The sync could not be queued: the job queue is not reachable. Try again later.")


def _queue(repository: Repository, *, requested_by: User | None = None) -> QueuedSync:
    user_id = requested_by.pk if requested_by is not None else None
    queued = QueuedSync(repository.pk, user_id)
    transaction.on_commit(queued.send)
    return queued


def recover_stalled_syncs(*, now: datetime | None = None) -> int:
    """Queue a sync of every repository whose sync has not renewed its lease within
    `lease_seconds()` (its worker died); that sync takes the repository over. Returns how many
    were queued."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    stalled = list(
        Repository.objects.filter(state=SyncState.SYNCING)
        .exclude(sync_heartbeat_at__gte=cutoff)
        .values_list("pk", flat=True)
    )
    for repository_id in stalled:
        logger.warning("sync of repository %s lost its worker; queued again", repository_id)
        enqueue(SYNC_JOB, repository_id)
    return len(stalled)


# --- The job ---------------------------------------------------------------------------------
def _recipients(repository: Repository, requested_by: int | None) -> set[int]:
    ids = set(
        TeamMember.objects.filter(
            product_id=repository.product_id, role=TeamRole.PRODUCT_OWNER
        ).values_list("user_id", flat=True)
    )
    if requested_by:
        ids.add(requested_by)
    return ids


def _notify(repository: Repository, recipients: Any) -> None:
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


# --- The lease -------------------------------------------------------------------------------
def lease_seconds() -> float:
    return float(settings.DEELBAAR_SYNC_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    return lease_seconds() / 6


def lease_expired(repository: Repository, *, now: datetime | None = None) -> bool:
    """Whether the repository's sync lease was not renewed within `lease_seconds()`."""
    beat = repository.sync_heartbeat_at
    now = now or timezone.now()
    return beat is None or beat < now - timedelta(seconds=lease_seconds())


class LeaseLost(Exception):
    """Another sync took the repository over: this one's worker was thought dead."""


class Lease:
    """A running sync's hold on its repository. `renew()` says it is alive; `held` turns
    False for good once another sync has taken the repository."""

    def __init__(self, repository_id: int, token: str, *, renewed_at: Any = None) -> None:
        self.repository_id = repository_id
        self.token = token
        self.renewed_at = renewed_at or timezone.now()
        self.held = True
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def renew(self, *, now: datetime | None = None) -> bool:
        """Renew the lease now; False (and `held` False) when it is no longer this sync's."""
        if not self.held:
            return False
        now = now or timezone.now()
        renewed = Repository.objects.filter(
            pk=self.repository_id, state=SyncState.SYNCING, sync_lease=self.token
        ).update(sync_heartbeat_at=now)
        if renewed:
            self.renewed_at = now
        else:
            self.held = False
        return self.held

    def renew_if_due(self) -> bool:
        if timezone.now() - self.renewed_at >= timedelta(seconds=heartbeat_seconds()):
            return self.renew()
        return self.held

    def check(self) -> None:
        """Raise LeaseLost when another sync holds the repository (renewing when due)."""
        if not self.renew_if_due():
            raise LeaseLost

    def _beat(self) -> None:
        try:
            while not self._stop.wait(heartbeat_seconds()):
                try:
                    if not self.renew():
                        return
                except Exception:
                    # A database hiccup: the next beat tries again; the lease lasts several.
                    logger.warning("could not renew the lease of repository %s", self.repository_id)
        finally:
            connections.close_all()  # this thread's own connection

    def __enter__(self) -> "Lease":
        # A thread has its own connection, which cannot see a claim made in a transaction the
        # caller still holds (a test, or a sync run inside another transaction): renew from
        # this thread only, at each batch (check()), in that case.
        if not connection.in_atomic_block:
            self._thread = threading.Thread(
                target=self._beat, name=f"sync-lease-{self.repository_id}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> Literal[False]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return False


def _claim(repository_id: int, *, now: datetime | None = None) -> tuple[Repository, Lease] | None:
    """Take the repository for this job, or None when it is gone or another sync holds a
    live lease on it."""
    now = now or timezone.now()
    with transaction.atomic():
        repository = (
            Repository.objects.select_for_update(skip_locked=True)
            .select_related("product")
            .filter(pk=repository_id)
            .first()
        )
        if repository is None:
            return None
        if repository.state == SyncState.SYNCING and not lease_expired(repository, now=now):
            return None
        if repository.state == SyncState.SYNCING:
            logger.warning("sync of repository %s: lease expired, taken over", repository_id)
        repository.state = SyncState.SYNCING
        repository.sync_started_at = now
        repository.sync_lease = uuid.uuid4().hex
        repository.sync_heartbeat_at = now
        repository.progress_done = 0
        repository.progress_total = 0
        repository.sync_again = False  # this sync covers whatever was asked before it
        repository.save(
            update_fields=[
                "state",
                "sync_started_at",
                "sync_lease",
                "sync_heartbeat_at",
                "progress_done",
                "progress_total",
                "sync_again",
            ]
        )
        return repository, Lease(repository.pk, repository.sync_lease, renewed_at=now)


def _claim_or_defer(repository_id: int) -> tuple[Repository, Lease] | None:
    """Take the repository; when another sync has it, ask that one to run once more as it
    ends (None). A few tries, as the running sync may be ending right then."""
    for _attempt in range(3):
        claimed = _claim(repository_id)
        if claimed is not None:
            return claimed
        # Blocks while the running sync finishes; then it is no longer SYNCING and matches
        # nothing, and the claim is tried again.
        deferred = Repository.objects.filter(pk=repository_id, state=SyncState.SYNCING).update(
            sync_again=True
        )
        if deferred:
            return None
    return None


def _finish(
    repository: Repository, lease: Any, recipients: Any, *, state: str, message: str, **fields: Any
) -> bool:
    """End the sync; if another was asked for meanwhile, queue it once this commits. False,
    writing nothing, when another sync has taken the repository over."""
    with transaction.atomic():
        row = (
            Repository.objects.select_for_update()
            .filter(pk=repository.pk)
            .values_list("sync_again", "sync_lease", "state")
            .first()
        )
        if row is None or row[1] != lease.token or row[2] != SyncState.SYNCING:
            lease.held = False
            return False
        again = row[0]
        repository.state = state
        repository.state_message = mirrors.scrub(message, repository.access_token)
        repository.sync_again = False
        repository.sync_lease = ""
        for name, value in fields.items():
            setattr(repository, name, value)
        repository.save(
            update_fields=[
                "state",
                "state_message",
                "progress_done",
                "progress_total",
                "sync_again",
                "sync_lease",
                *fields,
            ]
        )
        _notify(repository, recipients)
        if again:
            _queue(repository)
    return True


def reference_pattern(key: str) -> re.Pattern:
    """`SUB-42` as a whole word, in any case."""
    return re.compile(rf"\b{re.escape(key)}-(\d+)\b", re.IGNORECASE)


def _import_batch(
    repository: Repository, lease: Any, batch: Any, pattern: Any, recipients: Any
) -> int:
    """One batch, whole or not at all: the commits, their item links and the progress.
    Returns how many commits were new (inserted)."""
    lease.check()
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
        Repository.objects.filter(pk=repository.pk, sync_lease=lease.token).update(
            progress_done=repository.progress_done
        )
        _notify(repository, recipients)
    return len(inserted)


def sync_repository(repository_id: int, *, requested_by: int | None = None) -> str:
    """Fetch the repository's mirror and import the commits of its default branch not seen
    before, linking each to the backlog items it mentions. Returns the state it ended in,
    "busy" when another sync has the repository (that one then runs once more as it ends), or
    "lost" when another sync took this one's repository over (its lease expired) meanwhile.
    Never raises for a git problem: the repository ends FAILED with a message saying what
    went wrong, with no credential in it."""
    claimed = _claim_or_defer(repository_id)
    if claimed is None:
        return "busy"
    repository, lease = claimed
    with lease:
        return _sync(repository, lease, requested_by)


def _sync(repository: Repository, lease: Any, requested_by: int | None) -> str:
    recipients = _recipients(repository, requested_by)
    _notify(repository, recipients)

    def finish(**fields: Any) -> str:
        if not _finish(repository, lease, recipients, **fields):
            logger.warning("sync of repository %s was taken over meanwhile", repository.pk)
            return "lost"
        return repository.state

    try:
        credentials = mirrors.credential_env(
            repository.url, repository.access_username, repository.access_token
        )
        path = mirrors.update_mirror(repository.pk, repository.url, env=credentials)
        lease.check()
        if mirrors.is_empty(path):
            return finish(
                state=SyncState.SYNCED,
                message=_("The repository has no commits yet."),
                last_synced_at=timezone.now(),
                head_sha="",
                **cleared(),
            )
        head = mirrors.branch_head(path, repository.default_branch)
        if head is None:
            raise mirrors.GitFailure(
                _("The repository has no branch %(branch)s.")
                % {"branch": repository.default_branch}
            )
        exclude = [repository.head_sha] if repository.head_sha else []
        found = mirrors.commits_between(path, head, exclude=exclude)
        repository.progress_total = len(found)
        Repository.objects.filter(pk=repository.pk, sync_lease=lease.token).update(
            progress_total=len(found)
        )
        _notify(repository, recipients)
        pattern = reference_pattern(repository.product.key)
        imported = 0
        for start in range(0, len(found), BATCH_SIZE):
            batch = found[start : start + BATCH_SIZE]
            imported += _import_batch(repository, lease, batch, pattern, recipients)
        # Read after the commits, so a sync that failed keeps the last file it read.
        publiccode = read_publiccode(path, head)
    except LeaseLost:
        logger.warning("sync of repository %s was taken over; it stops", repository.pk)
        return "lost"
    except mirrors.GitFailure as failure:
        logger.info(
            "sync of repository %s failed: %s",
            repository.pk,
            mirrors.scrub(failure.detail, repository.access_token),
        )
        return finish(state=SyncState.FAILED, message=failure.message)
    except Exception:
        logger.exception("sync of repository %s failed", repository.pk)
        return finish(
            state=SyncState.FAILED,
            message=_("The sync failed unexpectedly; the administrators can see why in the log."),
        )
    # What was inserted, not what was read: a sync that took over from a dead one finds the
    # commits that one already stored, and counts only those it added.
    return finish(
        state=SyncState.SYNCED,
        message=ngettext(
            "Imported %(count)d new commit.", "Imported %(count)d new commits.", imported
        )
        % {"count": imported},
        head_sha=head,
        last_synced_at=timezone.now(),
        **publiccode,
    )
