"""The newcomers' part of "Mijn werk" (deelbaar.work): for coordinators, the requests for access
waiting in each cooperative they coordinate. Reads only, in one query."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from cooperative.selectors import coordinated_cooperatives
from deelbaar.work import Section
from people.models import AccessRequest, AccessRequestState


def sections(user) -> list[Section]:
    cooperatives = list(
        coordinated_cooperatives(user).annotate(
            pending=Count(
                "access_requests",
                filter=Q(access_requests__state=AccessRequestState.PENDING),
            )
        )
    )
    if not cooperatives:
        return []
    return [
        Section(
            key="access",
            title=_("Requests for access"),
            template="people/work/_access.html",
            context={"cooperatives": cooperatives},
            waiting=sum(c.pending for c in cooperatives),
            order=22,
        )
    ]


def waiting(user):
    return AccessRequest.objects.filter(
        cooperative__coordinator__user=user, state=AccessRequestState.PENDING
    )
