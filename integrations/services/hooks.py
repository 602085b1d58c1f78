"""Incoming push hooks from GitHub, GitLab and Gitea: verify, record once, schedule a sync.

A push counts once twice over: by the provider's delivery id (forever), and by the SHA-256 of
its signed body within `DEELBAAR_HOOK_REPLAY_WINDOW` (HookBodyDigest). GitHub signs the body
but no time, so a captured request stays valid; sent again with a new delivery id it would
start a sync each time. The body of a real push is unique (it names the commits before and
after), so the same body again is a replay: it is acknowledged with 200 "already received"
and changes nothing. A 2xx, not a 409, because git hosts count 4xx answers as failures and
GitLab disables a hook that keeps failing; a replay has nothing to fix on the sender's side.
Digests older than the window are pruned as new ones arrive.
"""

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deelbaar.errors import DomainError, NotFound
from deelbaar.input import InputError, load_json
from integrations import signatures
from integrations.models import HookBodyDigest, HookDelivery, Repository
from integrations.services.repositories import QueuedSync

# The largest body a hook may carry. GitHub caps its payloads at 25 MB, but a push hook's body
# only tells us to fetch; a megabyte holds hundreds of commits' summaries.
MAX_BODY_BYTES = 1024 * 1024
# delivery_id is a CharField: its max_length is set.
MAX_DELIVERY_ID_LENGTH = cast(int, HookDelivery._meta.get_field("delivery_id").max_length)


class BodyTooLarge(DomainError):
    status_code = 413
    default_code = "too_large"


class Outcome:
    """What `receive_push` did with a delivery (set as `delivery.outcome`)."""

    SCHEDULED = "scheduled"  # a push to the default branch: recorded, a sync scheduled
    REPEATED = "repeated"  # this delivery id was received before: nothing new
    REPLAYED = "replayed"  # this signed body was received before (replay window): nothing new
    IGNORED = "ignored"  # another branch, a tag or another event: acknowledged, nothing written


def too_large() -> BodyTooLarge:
    return BodyTooLarge(
        _("The hook's body is larger than %(limit)d bytes.") % {"limit": MAX_BODY_BYTES},
        field="body",
    )


def _payload(body: bytes) -> dict:
    try:
        payload = load_json(body)
    except InputError as error:
        # Nested too deeply, text the database cannot store, an integer beyond 64 bits.
        field = f"body.{error.field}" if error.field else "body"
        raise DomainError(error.message, field=field, code="malformed") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise DomainError(
            _("The hook's body is not valid JSON: %(error)s") % {"error": error},
            field="body",
            code="malformed",
        ) from error
    if not isinstance(payload, dict):
        raise DomainError(
            _("The hook's body must be a JSON object."), field="body", code="malformed"
        )
    return payload


def receive_push(
    *, provider: str, repository: Repository, headers: Mapping[str, str], body: bytes
) -> HookDelivery:
    """Verify a hook with the repository's secret and act on it.

    A push to the repository's default branch is recorded as a HookDelivery and schedules a sync
    once the transaction commits. The same delivery id again (for this repository and provider)
    is accepted but changes nothing. Pushes to other branches, tags and other events (GitHub's
    "ping") are acknowledged and write nothing: the returned delivery is then unsaved.
    `delivery.outcome` says which of these happened. Unsigned, wrongly signed, oversized or
    malformed hooks raise a DomainError (401, 403, 413, 400) and write nothing.

    The same signed body again within the replay window, under another delivery id, is
    acknowledged as REPLAYED and writes nothing.

    When the sync cannot be queued (Redis away), the delivery is forgotten again, so the git
    host's retry counts, and `Unavailable` (503) is raised; the repository is FAILED, saying so.

    The signature is the only credential: there is no person acting, so no permission check.
    The HookDelivery row is the record of what arrived.
    """
    delivery = _receive(provider=provider, repository=repository, headers=headers, body=body)
    queued = getattr(delivery, "queued", None)
    if queued is not None and queued.failed:
        with transaction.atomic():
            HookDelivery.objects.filter(pk=delivery.pk).delete()
            HookBodyDigest.objects.filter(
                repository=repository, digest=hashlib.sha256(body).hexdigest()
            ).delete()
        queued.raise_if_failed()
    return delivery


@transaction.atomic
def _receive(
    *, provider: str, repository: Repository, headers: Mapping[str, str], body: bytes
) -> HookDelivery:
    scheme = signatures.scheme_for(provider)
    if scheme is None:
        raise NotFound(_("There is no hook provider called “%(name)s”.") % {"name": provider})
    if len(body) > MAX_BODY_BYTES:
        raise too_large()
    signatures.verify(provider, secret=repository.hook_secret, headers=headers, body=body)
    payload = _payload(body)

    event = signatures.event(provider, headers)
    delivery = HookDelivery(repository=repository, provider=provider, event=event[:100])
    ref = payload.get("ref")
    if ref is not None and not isinstance(ref, str):
        raise DomainError(_("The push's “ref” must be a string."), field="ref", code="malformed")
    if event not in scheme.push_events or ref != f"refs/heads/{repository.default_branch}":
        delivery.outcome = Outcome.IGNORED
        return delivery

    # Old GitLab versions send no delivery id: the body (unique per push, the same on a retry)
    # stands in for it.
    delivery.delivery_id = (
        signatures.delivery_id(provider, headers)
        or f"body-sha256:{hashlib.sha256(body).hexdigest()}"
    )
    if len(delivery.delivery_id) > MAX_DELIVERY_ID_LENGTH:
        raise DomainError(
            _("The delivery id is longer than %(limit)d characters.")
            % {"limit": MAX_DELIVERY_ID_LENGTH},
            field=scheme.delivery_headers[0],
        )
    # get_or_create survives two identical deliveries at once: the unique constraint holds one.
    delivery, created = HookDelivery.objects.get_or_create(
        repository=repository,
        provider=provider,
        delivery_id=delivery.delivery_id,
        defaults={"event": delivery.event},
    )
    if not created:
        delivery.outcome = Outcome.REPEATED
        return delivery
    if not _first_time(repository, hashlib.sha256(body).hexdigest()):
        # A replay under a new delivery id: not recorded as a delivery either.
        transaction.set_rollback(True)
        delivery.outcome = Outcome.REPLAYED
        return delivery

    delivery.queued = QueuedSync(repository.pk, None)
    transaction.on_commit(delivery.queued.send)
    delivery.outcome = Outcome.SCHEDULED
    return delivery


def _first_time(repository: Repository, digest: str, *, now: datetime | None = None) -> bool:
    """Record the body's digest; False when it was received within the replay window. Older
    digests (of every repository) are pruned first, so the table holds one window's pushes."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.DEELBAAR_HOOK_REPLAY_WINDOW)
    HookBodyDigest.objects.filter(received_at__lt=cutoff).delete()
    # get_or_create survives two replays at once: the unique constraint holds one.
    _digest, created = HookBodyDigest.objects.get_or_create(
        repository=repository, digest=digest, defaults={"received_at": now}
    )
    return created
