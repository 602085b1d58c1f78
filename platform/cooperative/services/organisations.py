"""Organisations and the people who work for them."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cooperative import audit, selectors, signals
from cooperative.models import (
    Affiliation,
    Cooperative,
    Organisation,
    OrganisationKind,
    OrganisationRole,
)
from cooperative.services._common import _unique_slug, _validated
from deelbaar.errors import Conflict, DomainError, NotFound
from deelbaar.permissions import require
from deelbaar.typing import User


@transaction.atomic
def register_organisation(
    *,
    actor: User,
    kind: str,
    name: str,
    cbs_code: str | None = None,
    inhabitants: int | None = None,
    represents: Any = (),
    slug: str | None = None,
) -> Organisation:
    require(actor, "cooperative.add_organisation")
    if kind not in OrganisationKind.values:
        raise ValidationError(
            {"kind": _("Unknown kind of organisation: %(kind)s.") % {"kind": kind}}
        )
    organisation = Organisation(
        kind=kind,
        name=(name or "").strip(),
        cbs_code=cbs_code or None,
        inhabitants=inhabitants,
        slug=_unique_slug(Organisation, name, slug),
    )
    _validated(organisation)
    organisation.save()
    represented = list(represents)
    if represented:
        if kind not in (OrganisationKind.JOINT_ARRANGEMENT, OrganisationKind.SHARED_SERVICE_CENTRE):
            raise ValidationError(
                {
                    "represents": _(
                        "Only a joint arrangement or shared service centre represents "
                        "municipalities."
                    )
                }
            )
        if any(m.kind != OrganisationKind.MUNICIPALITY for m in represented):
            raise ValidationError({"represents": _("Only municipalities can be represented.")})
        organisation.represents.set(represented)
    audit.record(
        actor=actor,
        action="organisation.registered",
        obj=organisation,
        changes={
            "kind": [None, kind],
            "name": [None, organisation.name],
            "cbs_code": [None, organisation.cbs_code],
            "inhabitants": [None, inhabitants],
            "represents": [None, sorted(m.pk for m in represented)],
        },
    )
    return organisation


ORGANISATION_FIELDS = ["name", "cbs_code", "inhabitants"]


@transaction.atomic
def update_organisation(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    cbs_code: str | None = None,
    inhabitants: int | None = None,
    represents: Any = (),
) -> Organisation:
    """Correct an organisation's name, CBS code, inhabitants or the municipalities it
    represents. Its kind and slug stay as registered.

    The change is recorded once in each cooperative the organisation belongs to, so every
    coordinator who answers for it sees it in their own trail (once, without a cooperative,
    when it belongs to none)."""
    require(actor, "cooperative.change_organisation", organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    cooperatives: list[Cooperative | None] = list(
        selectors.cooperatives_of_organisation(organisation)
    ) or [None]
    before = audit.snapshot(organisation, ORGANISATION_FIELDS)
    before["represents"] = sorted(organisation.represents.values_list("pk", flat=True))
    organisation.name = (name or "").strip()
    organisation.cbs_code = cbs_code or None
    organisation.inhabitants = inhabitants
    _validated(organisation)
    represented = list(represents)
    if represented and organisation.kind not in (
        OrganisationKind.JOINT_ARRANGEMENT,
        OrganisationKind.SHARED_SERVICE_CENTRE,
    ):
        raise ValidationError(
            {
                "represents": _(
                    "Only a joint arrangement or shared service centre represents municipalities."
                )
            }
        )
    if any(m.kind != OrganisationKind.MUNICIPALITY for m in represented):
        raise ValidationError({"represents": _("Only municipalities can be represented.")})
    organisation.save(update_fields=ORGANISATION_FIELDS)
    organisation.represents.set(represented)
    after = audit.snapshot(organisation, ORGANISATION_FIELDS)
    after["represents"] = sorted(m.pk for m in represented)
    changes = audit.diff(before, after)
    if changes:
        for cooperative in cooperatives:
            audit.record(
                actor=actor,
                action="organisation.changed",
                obj=organisation,
                changes=changes,
                cooperative=cooperative,
                organisation=organisation,
            )
    return organisation


@transaction.atomic
def affiliate(
    *, actor: User, organisation: Organisation, user: User, role: str = OrganisationRole.STAFF
) -> Affiliation:
    """Record that `user` works for `organisation` (administrators; invitations use
    `add_person`)."""
    require(actor, "cooperative.affiliate")
    return _affiliate(actor=actor, organisation=organisation, user=user, role=role)


def _affiliate(
    *, actor: User, organisation: Organisation, user: User, role: str, reason: str = ""
) -> Affiliation:
    if role not in OrganisationRole.values:
        raise DomainError(_("Unknown organisation role: %(role)s.") % {"role": role}, field="role")
    affiliation, created = Affiliation.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if created:
        audit.record(
            actor=actor,
            action="organisation.person_added",
            obj=organisation,
            changes={"person": [None, user.get_username()], "role": [None, role]},
            organisation=organisation,
            reason=reason,
        )
    elif role == OrganisationRole.ADMIN and affiliation.role != role:
        # Joining again as admin promotes; joining again as staff never demotes.
        affiliation.role = role
        affiliation.save(update_fields=["role"])
        audit.record(
            actor=actor,
            action="organisation.role_changed",
            obj=organisation,
            changes={"person": [user.get_username()] * 2, "role": [OrganisationRole.STAFF, role]},
            organisation=organisation,
            reason=reason,
        )
    return affiliation


def add_person(
    *, actor: User, organisation: Organisation, user: User, role: str, reason: str = ""
) -> Affiliation:
    """Affiliate `user` with `organisation` on behalf of `actor`, whose right to do so the caller
    has checked (an accepted invitation carries the inviter's). Call inside a transaction."""
    return _affiliate(actor=actor, organisation=organisation, user=user, role=role, reason=reason)


def _locked_affiliation(organisation: Organisation, user: User) -> Affiliation:
    affiliation = (
        Affiliation.objects.select_for_update()
        .filter(organisation=organisation, user=user)
        .select_related("user")
        .first()
    )
    if affiliation is None:
        raise NotFound(
            _("This person does not work for %(organisation)s.") % {"organisation": organisation}
        )
    return affiliation


def _keep_an_admin(organisation: Organisation, affiliation: Any) -> None:
    """An organisation with admins keeps at least one: its people must stay manageable by
    someone of its own."""
    others = (
        Affiliation.objects.select_for_update()
        .filter(organisation=organisation, role=OrganisationRole.ADMIN)
        .exclude(pk=affiliation.pk)
    )
    if affiliation.role == OrganisationRole.ADMIN and not others.exists():
        raise Conflict(
            _("%(person)s is the last admin of %(organisation)s: make someone else admin first.")
            % {
                "person": affiliation.user.get_full_name() or affiliation.user.get_username(),
                "organisation": organisation,
            },
            field="role",
            code="last_admin",
        )


@transaction.atomic
def change_organisation_role(
    *, actor: User, organisation: Organisation, user: User, role: str
) -> Affiliation:
    """Make a person of the organisation its admin, or staff."""
    require(actor, "cooperative.manage_people", organisation)
    if role not in OrganisationRole.values:
        raise DomainError(_("Unknown organisation role: %(role)s.") % {"role": role}, field="role")
    affiliation = _locked_affiliation(organisation, user)
    if affiliation.role == role:
        return affiliation
    if role != OrganisationRole.ADMIN:
        _keep_an_admin(organisation, affiliation)
    before = affiliation.role
    affiliation.role = role
    affiliation.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="organisation.role_changed",
        obj=organisation,
        changes={"person": [user.get_username()] * 2, "role": [before, role]},
        organisation=organisation,
    )
    return affiliation


@transaction.atomic
def remove_person(*, actor: User, organisation: Organisation, user: User, reason: str = "") -> None:
    """The person no longer works for the organisation. Their history (verdicts, the audit
    trail) stays; `person_removed` tells the apps that hold their access (tokens, teams)."""
    require(actor, "cooperative.manage_people", organisation)
    affiliation = _locked_affiliation(organisation, user)
    _keep_an_admin(organisation, affiliation)
    role = affiliation.role
    affiliation.delete()
    audit.record(
        actor=actor,
        action="organisation.person_removed",
        obj=organisation,
        changes={"person": [user.get_username(), None], "role": [role, None]},
        organisation=organisation,
        reason=reason,
    )
    signals.person_removed.send(
        sender=Affiliation, organisation=organisation, user=user, actor=actor
    )
