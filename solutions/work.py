"""The library's part of "Mijn werk" (deelbaar.work): for coordinators, the publication requests
awaiting their decision; for product owners, their own requests still open. Reads only."""

from django.utils.translation import gettext_lazy as _

from cooperative.models import Coordinator
from deelbaar.work import Section
from solutions.models import PublicationRequest, PublicationState
from solutions.selectors.publication import open_requests_for


def sections(user) -> list[Section]:
    coordinated = set(
        Coordinator.objects.filter(user=user).values_list("cooperative_id", flat=True)
    )
    requests = list(open_requests_for(user))
    to_decide = [
        r
        for r in requests
        if r.increment.product.cooperative_id in coordinated and r.requested_by_id != user.pk
    ]
    own = [r for r in requests if r.requested_by_id == user.pk]
    if not (coordinated or own):
        return []
    return [
        Section(
            key="publications",
            title=_("Publication requests"),
            template="solutions/work/_publications.html",
            context={"to_decide": to_decide, "own": own, "coordinates": bool(coordinated)},
            waiting=len(to_decide),
            order=25,
        )
    ]


def waiting(user):
    coordinated = Coordinator.objects.filter(user=user).values("cooperative_id")
    return PublicationRequest.objects.filter(
        state=PublicationState.REQUESTED,
        increment__product__cooperative_id__in=coordinated,
    ).exclude(requested_by=user)
