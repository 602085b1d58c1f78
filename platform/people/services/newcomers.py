"""Newcomers asking a cooperative for access without an account (the reads, what joining costs
and the queue, are in `people.selectors.newcomers`).

`request_access()` is open to anyone (the page guards it against spam); the request waits in
the cooperative's queue until a coordinator approves it, which invites the applicant by e-mail
to the organisation the coordinator picks (`people.services.invite`), or declines it.

Events: `access.requested` on commit (the notifications app tells the coordinators).
Audit: `access.requested`, `access.approved`, `access.declined`, in the cooperative's trail.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from cooperative.models import Cooperative, Organisation, OrganisationRole
from deelbaar import events
from deelbaar.errors import Conflict, DomainError
from deelbaar.permissions import require
from deelbaar.typing import User
from people.models import AccessRequest, AccessRequestState
from people.services.invitations import invite


def _audit(
    access_request: AccessRequest,
    *,
    actor: User | None,
    action: str,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    organisation: Organisation | None = None,
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=access_request,
        cooperative=access_request.cooperative,
        organisation=organisation,
        changes=changes or {},
        reason=reason,
    )


@transaction.atomic
def request_access(
    *, cooperative: Cooperative, organisation_name: str, name: str, email: str, message: str = ""
) -> AccessRequest:
    """Ask `cooperative` for access. One pending request per e-mail address and cooperative:
    a second one answers 409 `already_requested`."""
    email = (email or "").strip().lower()
    try:
        with transaction.atomic():
            access_request = AccessRequest.objects.create(
                cooperative=cooperative,
                organisation_name=organisation_name.strip(),
                name=name.strip(),
                email=email,
                message=(message or "").strip(),
            )
    except IntegrityError:
        raise Conflict(
            _(
                "A request for access from %(email)s is already waiting for the coordinators of "
                "%(cooperative)s; they will answer it by e-mail."
            )
            % {"email": email, "cooperative": cooperative.name},
            field="email",
            code="already_requested",
        ) from None
    _audit(
        access_request,
        actor=None,
        action="access.requested",
        changes={
            "organisation": [None, access_request.organisation_name],
            "name": [None, access_request.name],
            "email": [None, email],
        },
    )
    events.publish_on_commit(
        f"cooperative.{cooperative.pk}",
        "access.requested",
        {
            "id": access_request.pk,
            "cooperative": cooperative.slug,
            "name": access_request.name,
            "organisation": access_request.organisation_name,
            "url": reverse("access:access_queue", args=[cooperative.slug]),
        },
    )
    return access_request


def _pending(access_request: AccessRequest) -> AccessRequest:
    locked = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("cooperative")
        .get(pk=access_request.pk)
    )
    if locked.state != AccessRequestState.PENDING:
        raise Conflict(
            _("This request was already %(state)s.") % {"state": locked.get_state_display()},
            field="state",
        )
    return locked


@transaction.atomic
def approve_access_request(
    *,
    actor: User,
    access_request: AccessRequest,
    organisation: Organisation,
    role: str = OrganisationRole.ADMIN,
) -> AccessRequest:
    """Approve: invite the applicant by e-mail to work for `organisation` with `role` (admin by
    default: the first person of a newcomer organisation manages its people). The invitation
    follows the invitation rules (the coordinator must be allowed to invite to that
    organisation); if it is refused, nothing is approved."""
    require(actor, "cooperative.manage_memberships", access_request.cooperative)
    access_request = _pending(access_request)
    invitation = invite(
        actor=actor,
        email=access_request.email,
        organisation=organisation,
        role=role,
        admitted_by=access_request.cooperative,
    )
    access_request.state = AccessRequestState.APPROVED
    access_request.organisation = organisation
    access_request.invitation = invitation
    access_request.decided_by = actor
    access_request.decided_at = timezone.now()
    access_request.save()
    _audit(
        access_request,
        actor=actor,
        action="access.approved",
        organisation=organisation,
        changes={
            "state": [AccessRequestState.PENDING, AccessRequestState.APPROVED],
            "organisation": [None, organisation.name],
            "role": [None, role],
        },
    )
    return access_request


@transaction.atomic
def decline_access_request(
    *, actor: User, access_request: AccessRequest, reason: str
) -> AccessRequest:
    """Decline, with the reason (kept in the audit trail; the applicant is not mailed)."""
    require(actor, "cooperative.manage_memberships", access_request.cooperative)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for declining."), field="reason", code="required")
    access_request = _pending(access_request)
    access_request.state = AccessRequestState.DECLINED
    access_request.decline_reason = reason
    access_request.decided_by = actor
    access_request.decided_at = timezone.now()
    access_request.save()
    _audit(
        access_request,
        actor=actor,
        action="access.declined",
        changes={"state": [AccessRequestState.PENDING, AccessRequestState.DECLINED]},
        reason=reason,
    )
    return access_request
