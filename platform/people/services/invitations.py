"""Invitations: every state change, one function each, in one transaction with its audit record.

The service other apps call to bring a person in:

    invite(*, actor, email: str, organisation: Organisation,
           role: str = "staff", product: Product | None = None,
           team_role: str = "", send: bool = True,
           admitted_by: Cooperative | None = None) -> Invitation

- `actor` is the person inviting. They need `cooperative.manage_people` on `organisation`
  (its admin, a coordinator of a cooperative it belongs to or whose office it is, an
  administrator), or, with `product` and `team_role` ("developer" or "tester"),
  `sprints.manage_team` on the product (its owner, the cooperative's coordinators); then the
  organisation must be the product's owner, a participant (or a municipality a participating
  joint arrangement acts for) or a supplier, and `role` must be "staff".
- `admitted_by` (a cooperative; approving a request for access passes it): its coordinators
  may also invite to an organisation nobody works for on Deelbaar yet and that belongs to no
  other cooperative, so a newcomer's first person can be seated. An organisation that already
  has people, or belongs elsewhere, keeps its own admins in charge.
- `role` is "admin" or "staff": the organisation role the person gets on accepting.
- `email` is normalised (trimmed, lower case). One open invitation per address and organisation
  (and team role): a second answers 409 `already_invited`; a person who already works there
  (and holds the team role) answers 409 `already_member`.
- The invitation mail (with the single-use link, valid for `INVITATION_DAYS` days) is queued
  with `deelbaar.mail.queue_mail` and sent after the commit. `send=False` leaves sending to the
  caller (`invitation_link()` is then unavailable: the token exists only in that mail).
- Audit `invitation.sent`; event `invitation.sent` on commit.

`resend(*, actor, invitation)`, `revoke(*, actor, invitation, reason="")`,
`accept(*, token, user=None, password="", first_name="", last_name="")` and
`find(token)` complete it; an identity provider's sign-in accepts with `accept(token=…, user=…)`.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cooperative import audit
from cooperative import services as cooperative_services
from cooperative.models import Affiliation, Cooperative, Organisation, OrganisationRole
from deelbaar import events
from deelbaar.errors import Conflict, DomainError, NotAllowed, NotFound
from deelbaar.mail import absolute_url, queue_mail
from deelbaar.permissions import allowed, require
from deelbaar.typing import User
from people import selectors
from people.models import Invitation, InvitationState, InvitationTeamRole
from sprints import services as sprint_services

# A product of the sprints app: people sits below sprints, so it names no sprints model.
SprintsProduct = Any
INVITATION_DAYS = 7
TOKEN_BYTES = 32


class InvitationUnusable(NotFound):
    """The link no longer opens an invitation: unknown, used, revoked or expired."""

    status_code = 410
    default_code = "invitation_unusable"

    def __init__(self, message: str | None = None, *, reason: str = "unknown") -> None:
        self.reason = reason
        super().__init__(message, code=f"invitation_{reason}")


def token_hash(token: str) -> str:
    """The stored form of a link's token: keyed with SECRET_KEY, so the table opens nothing."""
    return salted_hmac("people.invitation", token, algorithm="sha256").hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def invitation_path(token: str) -> str:
    return reverse("people:accept", args=[token])


def invitation_link(token: str) -> str:
    return absolute_url(invitation_path(token))


def _person(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _normalised_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise DomainError(
            _("Enter a valid e-mail address."), field="email", code="invalid"
        ) from error
    return email


def _unclaimed_newcomer(organisation: Organisation, cooperative: Cooperative) -> bool:
    """Nobody works for the organisation on Deelbaar yet and it belongs to no other
    cooperative: the coordinators admitting it seat its first person."""
    return (
        not Affiliation.objects.filter(organisation=organisation).exists()
        and not organisation.memberships.exclude(cooperative=cooperative).exists()
    )


def _check_may_invite(
    actor: User,
    organisation: Organisation,
    role: str,
    product: SprintsProduct | None,
    team_role: str,
    admitted_by: Cooperative | None = None,
) -> None:
    if product is None:
        if team_role:
            raise DomainError(_("A team role needs a product."), field="product", code="required")
        if (
            admitted_by is not None
            and allowed(actor, "cooperative.manage_memberships", admitted_by)
            and _unclaimed_newcomer(organisation, admitted_by)
        ):
            return
        require(
            actor,
            "cooperative.manage_people",
            organisation,
            _("Only the organisation's admins and the cooperative's coordinators invite people."),
        )
        return
    if team_role not in InvitationTeamRole.values:
        raise DomainError(
            _("Choose the team role: developer or tester."), field="team_role", code="invalid"
        )
    require(
        actor,
        "sprints.manage_team",
        product,
        _("Only the product owner and the cooperative's coordinators invite to the team."),
    )
    if role != OrganisationRole.STAFF and not allowed(
        actor, "cooperative.manage_people", organisation
    ):
        raise NotAllowed(_("Only the organisation's admins make someone its admin."))
    if not selectors.team_organisations(product).filter(pk=organisation.pk).exists():
        raise DomainError(
            _(
                "%(organisation)s neither owns nor takes part in %(product)s and is no supplier: "
                "invite people of the product's own organisations."
            )
            % {"organisation": organisation, "product": product.name},
            field="organisation",
        )


def _already_in(
    email: str, organisation: Organisation, product: SprintsProduct | None, team_role: str
) -> bool:
    user = selectors.account_for_email(email)
    if user is None:
        return False
    if not Affiliation.objects.filter(user=user, organisation=organisation).exists():
        return False
    if product is None:
        return True
    return bool(product.members.filter(user=user, role=team_role).exists())


def _send(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "inviter": _person(invitation.invited_by),
        "link": invitation_link(token),
        "days": INVITATION_DAYS,
    }
    queue_mail(
        to=[invitation.email],
        # The subject names who invites: a name the receiver knows, not a platform's message.
        subject=_("%(inviter)s invites you to Deelbaar for %(organisation)s")
        % {"inviter": context["inviter"], "organisation": invitation.organisation.name},
        text=render_to_string("people/mail/invitation.txt", context),
        html=render_to_string("people/mail/invitation.html", context),
    )


def _event(invitation: Invitation, event: str, people: Iterable[int | None]) -> None:
    events.notify_users(
        [p for p in people if p is not None],
        event,
        {
            "invitation": invitation.pk,
            "organisation": invitation.organisation_id,
            "organisation_name": invitation.organisation.name,
            "role": invitation.role,
            "product": invitation.product_id,
            "team_role": invitation.team_role,
            "state": invitation.state,
        },
    )


def _audit(
    invitation: Invitation,
    *,
    actor: User,
    action: str,
    changes: dict | None = None,
    reason: str = "",
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=invitation,
        organisation=invitation.organisation,
        cooperative=invitation.product.cooperative if invitation.product is not None else None,
        changes=changes or {},
        reason=reason,
    )


@transaction.atomic
def invite(
    *,
    actor: User,
    email: str,
    organisation: Organisation,
    role: str = OrganisationRole.STAFF,
    product: SprintsProduct | None = None,
    team_role: str = "",
    send: bool = True,
    admitted_by: Cooperative | None = None,
) -> Invitation:
    """Invite a person by e-mail address to work for `organisation` (and, with a product, to
    its team). See the module's docstring for who may and what is refused."""
    role = role or OrganisationRole.STAFF
    team_role = team_role or ""
    if role not in OrganisationRole.values:
        raise DomainError(_("Unknown organisation role: %(role)s.") % {"role": role}, field="role")
    _check_may_invite(actor, organisation, role, product, team_role, admitted_by)
    email = _normalised_email(email)
    if _already_in(email, organisation, product, team_role):
        raise Conflict(
            _("%(email)s already works for %(organisation)s%(team)s.")
            % {
                "email": email,
                "organisation": organisation,
                "team": (
                    _(" and is on the team of %(product)s") % {"product": product.name}
                    if product
                    else ""
                ),
            },
            field="email",
            code="already_member",
        )
    token, hashed = _new_token()
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email,
                organisation=organisation,
                role=role,
                product=product,
                team_role=team_role,
                invited_by=actor,
                token_hash=hashed,
                created_at=now,
                sent_at=now,
                expires_at=now + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError as error:
        raise Conflict(
            _("%(email)s has an open invitation already: resend it instead.") % {"email": email},
            field="email",
            code="already_invited",
        ) from error
    _audit(
        invitation,
        actor=actor,
        action="invitation.sent",
        changes={
            "email": [None, email],
            "role": [None, role],
            "product": [None, product.name if product else None],
            "team_role": [None, team_role or None],
        },
    )
    if send:
        _send(invitation, token)
    # Kept on the object for the caller's tests and for `send=False` callers; never stored.
    invitation.token = token
    _event(invitation, "invitation.sent", [actor.pk])
    return invitation


def _locked(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation", "product", "invited_by")
        .get(pk=invitation.pk)
    )


def _expect_pending(invitation: Invitation, verb: str) -> None:
    if invitation.state != InvitationState.PENDING:
        raise Conflict(
            _("This invitation is %(state)s and cannot be %(verb)s.")
            % {"state": invitation.get_state_display(), "verb": verb},
            field="state",
        )


@transaction.atomic
def resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send the invitation again with a new link (the old one stops working) and a new week."""
    require(actor, "people.manage_invitation", invitation)
    invitation = _locked(invitation)
    _expect_pending(invitation, _("resent"))
    token, invitation.token_hash = _new_token()
    now = timezone.now()
    before = invitation.expires_at
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    _audit(
        invitation,
        actor=actor,
        action="invitation.resent",
        changes={"expires_at": [before, invitation.expires_at]},
    )
    _send(invitation, token)
    invitation.token = token
    _event(invitation, "invitation.sent", [actor.pk])
    return invitation


@transaction.atomic
def revoke(*, actor: User, invitation: Invitation, reason: str = "") -> Invitation:
    """Withdraw an invitation: its link stops working."""
    require(actor, "people.manage_invitation", invitation)
    invitation = _locked(invitation)
    _expect_pending(invitation, _("revoked"))
    invitation.state = InvitationState.REVOKED
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["state", "revoked_at", "revoked_by"])
    _audit(
        invitation,
        actor=actor,
        action="invitation.revoked",
        changes={"state": [InvitationState.PENDING, InvitationState.REVOKED]},
        reason=reason,
    )
    return invitation


def find(token: str) -> Invitation:
    """The pending, unexpired invitation a link opens, or `InvitationUnusable` saying why not."""
    invitation = (
        Invitation.objects.select_related("organisation", "product", "invited_by")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable(
            _("This invitation link is not valid. Ask for a new invitation."), reason="unknown"
        )
    if invitation.state == InvitationState.ACCEPTED:
        raise InvitationUnusable(
            _("This invitation has been used already. Log in, or ask for a new invitation."),
            reason="used",
        )
    if invitation.state == InvitationState.REVOKED:
        raise InvitationUnusable(
            _("This invitation has been withdrawn. Ask the person who invited you."),
            reason="revoked",
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable(
            _("This invitation expired on %(date)s. Ask for a new invitation.")
            % {"date": timezone.localtime(invitation.expires_at).strftime("%d-%m-%Y %H:%M")},
            reason="expired",
        )
    return invitation


def free_username(first_name: str, last_name: str, email: str) -> str:
    """A user name for a new account made from an invitation: from the person's name (else the
    e-mail address's local part), numbered when taken. Not the e-mail address itself, since
    user names are shown to the team and to other testers, and addresses are private; people
    sign in with either (people.backends.EmailOrUsernameBackend)."""
    from django.utils.text import slugify

    base = slugify(f"{first_name} {last_name}").replace("-", ".")
    base = (base or slugify(email.split("@")[0]).replace("-", ".") or "persoon")[:140]
    User = get_user_model()
    candidate, number = base, 2
    while User.objects.filter(username__iexact=candidate).exists():
        candidate, number = f"{base}{number}", number + 1
    return candidate


def _new_account(invitation: Invitation, *, password: str, first_name: str, last_name: str) -> User:
    User = get_user_model()
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name:
        raise DomainError(_("Give your first name."), field="first_name", code="required")
    if not password:
        raise DomainError(_("Choose a password."), field="password", code="required")
    user = User(
        username=free_username(first_name, last_name, invitation.email),
        email=invitation.email,
        first_name=first_name[:150],
        last_name=last_name[:150],
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise DomainError(
            problems=[("password", "password_invalid", message) for message in error.messages]
        ) from error
    if User.objects.filter(
        Q(email__iexact=invitation.email) | Q(username__iexact=invitation.email)
    ).exists():
        raise Conflict(
            _("An account with this e-mail address exists: log in to accept the invitation."),
            field="email",
            code="account_exists",
        )
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def accept(
    *,
    token: str,
    user: User | None = None,
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> tuple[Invitation, User]:
    """Accept the invitation the link opens, as `user` (signed in, or through the identity
    provider) or as a new account with the given password (Django's password validators).

    The person is affiliated with the organisation in the invited role and, for a team
    invitation, put on the product's team by the inviter's right (`add_team_member`). Returns
    `(invitation, user)`. A signed-in person whose account belongs to another e-mail address
    may accept too (the link went to the address's owner); an address that has an account of
    its own must be accepted by that account."""
    invitation = find(token)
    invitation = _locked(invitation)
    find(token)  # again under the lock: two acceptances of one link, one wins
    existing = selectors.account_for_email(invitation.email)
    if user is not None and user.is_authenticated:
        if existing is not None and existing.pk != user.pk:
            raise NotAllowed(
                _(
                    "This invitation is for %(email)s, which has an account of its own: log in "
                    "with that account to accept it."
                )
                % {"email": invitation.email}
            )
        if not user.is_active:
            raise NotAllowed(_("This account is deactivated."))
        person, created = user, False
    else:
        if existing is not None:
            raise Conflict(
                _("An account with this e-mail address exists: log in to accept the invitation."),
                field="email",
                code="account_exists",
            )
        person = _new_account(
            invitation, password=password, first_name=first_name, last_name=last_name
        )
        created = True
    cooperative_services.add_person(
        actor=invitation.invited_by,
        organisation=invitation.organisation,
        user=person,
        role=invitation.role,
        reason=_("Accepted an invitation."),
    )
    team_note = ""
    if invitation.product_id:
        team_note = _add_to_team(invitation, person)
    invitation.state = InvitationState.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = person
    invitation.save(update_fields=["state", "accepted_at", "accepted_by"])
    _audit(
        invitation,
        actor=person,
        action="invitation.accepted",
        changes={
            "state": [InvitationState.PENDING, InvitationState.ACCEPTED],
            "person": [None, person.get_username()],
            "account": [None, "created" if created else "linked"],
        },
        reason=team_note,
    )
    _event(invitation, "invitation.accepted", [invitation.invited_by_id, person.pk])
    return invitation, person


def _add_to_team(invitation: Invitation, person: User) -> str:
    """Put the person on the team by the inviter's right; if the inviter lost it since, the
    person still joins the organisation and the product owner adds them by hand."""

    product = invitation.product
    assert product is not None  # only a team invitation comes here
    try:
        with transaction.atomic():
            sprint_services.add_team_member(
                actor=invitation.invited_by,
                product=product,
                user=person,
                role=invitation.team_role,
            )
    except DomainError as error:
        return _("Not put on the team of %(product)s: %(reason)s") % {
            "product": product.name,
            "reason": error.message,
        }
    return ""
