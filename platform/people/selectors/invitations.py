"""Reads of the people app, with their joins decided once."""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from cooperative import selectors as cooperative_selectors
from cooperative.models import Organisation, OrganisationKind
from deelbaar.typing import Person, User
from people.models import Invitation
from sprints.selectors import product_organisations

if TYPE_CHECKING:
    from sprints.models import Product


def account_for_email(email: str) -> User | None:
    """The account an e-mail address belongs to (its user name or its address), if any."""
    email = (email or "").strip()
    if not email:
        return None
    return (
        get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .order_by("pk")
        .first()
    )


def team_organisations(product: "Product") -> QuerySet[Organisation]:
    """Organisations whose people may join the product's team: its own organisations (owner,
    participants and the municipalities a participating joint arrangement acts for) and
    suppliers, as `sprints.selectors.team_candidates` has it."""

    return Organisation.objects.filter(
        Q(pk__in=product_organisations(product).values("pk")) | Q(kind=OrganisationKind.SUPPLIER)
    )


def _with_relations(queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return queryset.select_related(
        "organisation", "product", "invited_by", "accepted_by", "revoked_by"
    )


def invitations_of(organisation: Organisation) -> QuerySet[Invitation]:
    """An organisation's invitations, newest first."""
    return _with_relations(Invitation.objects.filter(organisation=organisation))


def invitations_visible_to(user: Person | None) -> QuerySet[Invitation]:
    """The invitations a person manages: those of organisations whose people they manage, those
    to the teams of products whose team they manage, and those they sent themselves."""
    if user is None or not user.is_authenticated:
        return Invitation.objects.none()
    managed = cooperative_selectors.organisations_managed_by(user).values("pk")
    # The products whose team they manage (sprints.manage_team): owned or coordinated.
    team_managed = Q(product__members__user=user, product__members__role="product_owner") | Q(
        product__cooperative__coordinator__user=user
    )
    ids = Invitation.objects.filter(
        Q(organisation__in=managed) | team_managed | Q(invited_by=user)
    ).values("pk")
    return _with_relations(Invitation.objects.filter(pk__in=ids))
