"""The cooperatives' part of "Mijn werk" (deelbaar.work): for coordinators, the applications and
payments waiting in each cooperative they coordinate; for people of an organisation, where its
memberships stand and the libraries they open. Reads only, each in one query."""

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cooperative.models import Cooperative, Membership, MembershipState, Organisation
from cooperative.selectors import coordinated_cooperatives, organisations_of
from cooperative.services import MEMBER_KINDS
from deelbaar.work import Section


def coordinator_queues(user):
    """The cooperatives this person coordinates, each with `applied` (applications to decide)
    and `approved` (admitted, the payment still to record)."""
    return coordinated_cooperatives(user).annotate(
        applied=Count("memberships", filter=Q(memberships__state=MembershipState.APPLIED)),
        approved=Count("memberships", filter=Q(memberships__state=MembershipState.APPROVED)),
    )


def memberships_of_user(user):
    """The memberships of the person's organisations, in every cooperative, in any state but
    left, and the active memberships of a joint arrangement that represents one of them (its
    people may reuse that library too, as `entitled_organisations` says). `represented` is true
    for the latter; the cooperative and organisation are fetched."""
    own = organisations_of(user).values("pk")
    represents_own = Organisation.represents.through.objects.filter(
        from_organisation=OuterRef("organisation"), to_organisation__in=own
    )
    return (
        Membership.objects.filter(
            Q(organisation__in=own) | Q(state=MembershipState.ACTIVE) & Q(Exists(represents_own))
        )
        .exclude(state=MembershipState.LEFT)
        .annotate(
            represented=ExpressionWrapper(~Q(organisation__in=own), output_field=BooleanField())
        )
        .select_related("organisation", "cooperative")
        .order_by("cooperative__name", "organisation__name")
    )


def sections(user) -> list[Section]:
    found = []
    queues = list(coordinator_queues(user))
    if queues:
        found.append(
            Section(
                key="memberships",
                title=_("Applications to decide"),
                template="cooperative/work/_queues.html",
                context={"queues": queues},
                waiting=sum(c.applied + c.approved for c in queues),
                order=20,
            )
        )
    memberships = list(memberships_of_user(user))
    # Only for people of an organisation that can be a member (not a supplier or the
    # cooperative's own office).
    if memberships or organisations_of(user).filter(kind__in=MEMBER_KINDS).exists():
        found.append(
            Section(
                key="membership",
                title=_("Your organisation's membership"),
                template="cooperative/work/_membership.html",
                context={
                    "memberships": memberships,
                    "active": [m for m in memberships if m.state == MembershipState.ACTIVE],
                    "cooperatives_url_needed": not memberships,
                },
                order=60,
            )
        )
    return found


def waiting(user):
    return Membership.objects.filter(
        cooperative__in=Cooperative.objects.filter(coordinator__user=user),
        state__in=[MembershipState.APPLIED, MembershipState.APPROVED],
    )
