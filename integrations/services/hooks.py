"""Incoming push hooks from GitHub, GitLab and Gitea: verify, record once, schedule a sync."""

import hashlib
import json
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from deelbaar.errors import DomainError, NotFound
from integrations import signatures
from integrations.models import HookDelivery, Repository

# The largest body a hook may carry. GitHub caps its payloads at 25 MB, but a push hook's body
# only tells us to fetch; a megabyte holds hundreds of commits' summaries.
MAX_BODY_BYTES = 1024 * 1024
MAX_DELIVERY_ID_LENGTH = HookDelivery._meta.get_field("delivery_id").max_length


class BodyTooLarge(DomainError):
    status_code = 413
    default_code = "too_large"


class Outcome:
    """What `receive_push` did with a delivery (set as `delivery.outcome`)."""

    SCHEDULED = "scheduled"  # a push to the default branch: recorded, a sync scheduled
    REPEATED = "repeated"  # this delivery id was received before: nothing new
    IGNORED = "ignored"  # another branch, a tag or another event: acknowledged, nothing written


def too_large() -> BodyTooLarge:
    return BodyTooLarge(
        _("The hook's body is larger than %(limit)d bytes.") % {"limit": MAX_BODY_BYTES},
        field="body",
    )


def _payload(body: bytes) -> dict:
    try:
        payload = json.loads(body)
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


@transaction.atomic
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

    The signature is the only credential: there is no person acting, so no permission check.
    The HookDelivery row is the record of what arrived.
    """
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

    from integrations import tasks

    repository_id = repository.pk
    transaction.on_commit(lambda: tasks.sync_repository.delay(repository_id))
    delivery.outcome = Outcome.SCHEDULED
    return delivery
