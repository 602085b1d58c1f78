"""From the platform's events to notifications.

`on_event_published` is connected (apps.py) to `deelbaar.events.event_published`, which every
service's `publish_on_commit` / `notify_users` sends after its commit: no app calls us, and
nothing is told about a change that was rolled back. An event published both to a page's group
and to people arrives twice (once with `group`, once with `group` None); each handler here
names which of the two it takes, so every change is told once.

The clock's kinds (deadlines, maintenance ending, failing webhooks) have no event: the
scheduled jobs call `notify_deadline`, `notify_maintenance_ending` and
`notify_webhook_failing`, which are idempotent through their key.
"""

import logging

from django.urls import reverse

from notifications import recipients
from notifications.models import Kind
from notifications.services import mark_verdict_requests_read, notify

logger = logging.getLogger(__name__)


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _actor(actor_id):
    from django.contrib.auth import get_user_model

    if not actor_id:
        return None
    return get_user_model().objects.filter(pk=actor_id).first()


# --- Sprints ------------------------------------------------------------------------------------
def _increment(pk):
    from sprints.models import Increment

    return Increment.objects.select_related("product").filter(pk=pk).first()


def _increment_params(increment) -> dict:
    return {
        "product": increment.product.name,
        "version": increment.version,
        "deadline": increment.deadline.isoformat() if increment.deadline else "",
    }


def increment_submitted(data, group):
    increment = _increment(data.get("id"))
    if increment is None:
        return
    notify(
        kind=Kind.VERDICT_REQUESTED,
        recipient_ids=recipients.verdict_requested(increment),
        cooperative_id=increment.product.cooperative_id,
        subject=increment,
        actor_id=data.get("actor"),
        params=_increment_params(increment),
        url=reverse("sprints:judge", args=[increment.product_id, increment.pk]),
    )


def notify_deadline(increment, kind) -> list:
    """Deadline tomorrow or passed, once per increment and person (scheduled job)."""
    kind = Kind(kind)
    assert kind in (Kind.DEADLINE_TOMORROW, Kind.DEADLINE_PASSED)
    return notify(
        kind=kind,
        recipient_ids=recipients.FOR_KIND[kind](increment),
        cooperative_id=increment.product.cooperative_id,
        subject=increment,
        params=_increment_params(increment),
        url=reverse("sprints:judge", args=[increment.product_id, increment.pk]),
        key=f"increment.{increment.pk}.{increment.deadline}",
    )


def verdict_given(data, group):
    from sprints.models import Verdict

    verdict = (
        Verdict.objects.select_related(
            "tester", "increment_item__item", "increment_item__increment__product"
        )
        .filter(pk=data.get("id"))
        .first()
    )
    if verdict is None:
        return
    increment = verdict.increment_item.increment
    item = verdict.increment_item.item
    notify(
        kind=Kind.VERDICT_GIVEN,
        recipient_ids=recipients.verdict_given(verdict),
        cooperative_id=increment.product.cooperative_id,
        subject=verdict,
        actor_id=verdict.tester_id,
        params={
            "actor": _name(verdict.tester),
            "accepted": verdict.accepted,
            "reference": item.reference,
            "title": item.title,
            "version": increment.version,
            "product": increment.product.name,
        },
        url=reverse("sprints:acceptance", args=[increment.product_id, increment.pk]),
    )
    # Once the tester has judged every item, the request for their verdict is done.
    if verdict.tester_id not in recipients.not_answered(increment):
        mark_verdict_requests_read(person_id=verdict.tester_id, increment=increment)


def increment_decided(data, group):
    increment = _increment(data.get("id"))
    if increment is None:
        return
    notify(
        kind=Kind.INCREMENT_DECIDED,
        recipient_ids=recipients.increment_decided(increment),
        cooperative_id=increment.product.cooperative_id,
        subject=increment,
        actor_id=data.get("actor"),
        params={**_increment_params(increment), "state": increment.state},
        url=reverse("sprints:acceptance", args=[increment.product_id, increment.pk]),
    )


def item_created(data, group):
    from sprints.models import BacklogItem

    if not data.get("follow_up_of"):
        return
    item = BacklogItem.objects.select_related("product").filter(pk=data.get("id")).first()
    if item is None:
        return
    notify(
        kind=Kind.FOLLOW_UP_CREATED,
        recipient_ids=recipients.follow_up_created(item),
        cooperative_id=item.product.cooperative_id,
        subject=item,
        actor_id=data.get("actor"),
        params={"reference": item.reference, "title": item.title, "product": item.product.name},
        url=reverse("sprints:item_detail", args=[item.product_id, item.pk]),
    )


def _team_change(kind, data, group):
    from sprints.models import Product

    product = Product.objects.filter(pk=data.get("product")).first()
    person_id = data.get("user")
    if product is None or not person_id:
        return
    actor = _actor(data.get("actor"))
    notify(
        kind=kind,
        recipient_ids=recipients.FOR_KIND[kind](product, person_id),
        cooperative_id=product.cooperative_id,
        subject=product,
        actor_id=actor.pk if actor else None,
        params={"product": product.name, "role": data.get("role", ""), "actor": _name(actor)},
        url=reverse("sprints:backlog", args=[product.pk]),
    )


def _sprint_change(kind, data, group):
    from sprints.models import Sprint

    sprint = Sprint.objects.select_related("product").filter(pk=data.get("id")).first()
    if sprint is None:
        return
    notify(
        kind=kind,
        recipient_ids=recipients.FOR_KIND[kind](sprint),
        cooperative_id=sprint.product.cooperative_id,
        subject=sprint,
        actor_id=data.get("actor"),
        params={"product": sprint.product.name, "number": sprint.number, "goal": sprint.goal},
        url=reverse("sprints:sprint_board", args=[sprint.product_id, sprint.number]),
    )


# --- Cooperative --------------------------------------------------------------------------------
def _membership(data):
    from cooperative.models import Membership

    return (
        Membership.objects.select_related("cooperative", "organisation")
        .filter(pk=data.get("membership"))
        .first()
    )


def membership_applied(data, group):
    membership = _membership(data)
    if membership is None:
        return
    notify(
        kind=Kind.MEMBERSHIP_APPLIED,
        recipient_ids=recipients.membership_applied(membership),
        cooperative_id=membership.cooperative_id,
        subject=membership,
        actor_id=data.get("actor"),
        params={
            "organisation": membership.organisation.name,
            "cooperative": membership.cooperative.name,
        },
        url=reverse("cooperative:queue", args=[membership.cooperative.slug]),
    )


def membership_decided(data, group):
    membership = _membership(data)
    if membership is None:
        return
    notify(
        kind=Kind.MEMBERSHIP_DECIDED,
        recipient_ids=recipients.membership_decided(membership),
        cooperative_id=membership.cooperative_id,
        subject=membership,
        actor_id=data.get("actor"),
        params={
            "organisation": membership.organisation.name,
            "cooperative": membership.cooperative.name,
            "state": membership.state,
        },
        url=reverse("cooperative:detail", args=[membership.cooperative.slug]),
    )


def access_requested(data, group):
    from cooperative.models import Cooperative

    cooperative = data.get("cooperative")
    field = "pk" if isinstance(cooperative, int) else "slug"
    cooperative = Cooperative.objects.filter(**{field: cooperative}).first()
    if cooperative is None:
        return
    # Someone signed in, or a newcomer without an account who gave a name and organisation.
    actor = _actor(data.get("actor") or data.get("user"))
    who = data.get("name") or _name(actor)
    if data.get("organisation"):
        who = f"{who} ({data['organisation']})"
    notify(
        kind=Kind.ACCESS_REQUESTED,
        recipient_ids=recipients.access_requested(cooperative.pk),
        cooperative_id=cooperative.pk,
        subject=cooperative,
        actor_id=actor.pk if actor else None,
        params={"actor": who, "cooperative": cooperative.name},
        url=data.get("url") or reverse("cooperative:detail", args=[cooperative.slug]),
        # Published to a page and to people alike, it is told once.
        key=f"access.{data['id']}" if data.get("id") else "",
    )


# --- Solutions ----------------------------------------------------------------------------------
def _publication(data):
    from solutions.models import PublicationRequest

    return (
        PublicationRequest.objects.select_related("increment__product", "requested_by")
        .filter(pk=data.get("id"))
        .first()
    )


def publication_requested(data, group):
    request = _publication(data)
    if request is None:
        return
    product = request.increment.product
    notify(
        kind=Kind.PUBLICATION_REQUESTED,
        recipient_ids=recipients.publication_requested(request),
        cooperative_id=product.cooperative_id,
        subject=request,
        actor_id=request.requested_by_id,
        params={
            "actor": _name(request.requested_by),
            "product": product.name,
            "version": request.version,
        },
        url=reverse("solutions:publication_requests"),
    )


def publication_decided(data, group):
    request = _publication(data)
    if request is None:
        return
    product = request.increment.product
    notify(
        kind=Kind.PUBLICATION_DECIDED,
        recipient_ids=recipients.publication_decided(request),
        cooperative_id=product.cooperative_id,
        subject=request,
        actor_id=request.decided_by_id,
        params={"product": product.name, "version": request.version, "state": request.state},
        url=reverse("sprints:increment_list", args=[product.pk]),
    )


def release_published(data, group):
    from solutions.models import Release

    release = Release.objects.select_related("solution").filter(pk=data.get("id")).first()
    if release is None:
        return
    notify(
        kind=Kind.RELEASE_PUBLISHED,
        recipient_ids=recipients.release_published(release),
        cooperative_id=release.solution.cooperative_id,
        subject=release,
        actor_id=release.published_by_id,
        params={"solution": release.solution.name, "version": release.version},
        url=reverse("solutions:detail", args=[release.solution.slug]),
    )


def notify_maintenance_ending(solution) -> list:
    """Maintenance ends within 90 days: once per solution and end date (scheduled job)."""
    until = solution.maintenance_until
    return notify(
        kind=Kind.MAINTENANCE_ENDING,
        recipient_ids=recipients.maintenance_ending(solution),
        cooperative_id=solution.cooperative_id,
        subject=solution,
        params={"solution": solution.name, "until": until.isoformat() if until else ""},
        url=reverse("solutions:detail", args=[solution.slug]),
        key=f"solution.{solution.pk}.{until}",
    )


def review_posted(data, group):
    from solutions.models import Review

    review = (
        Review.objects.select_related("solution", "organisation").filter(pk=data.get("id")).first()
    )
    if review is None:
        return
    notify(
        kind=Kind.REVIEW_POSTED,
        recipient_ids=recipients.review_posted(review),
        cooperative_id=review.solution.cooperative_id,
        subject=review,
        actor_id=review.author_id,
        params={
            "solution": review.solution.name,
            "organisation": review.organisation.name,
            "score": review.score,
        },
        url=reverse("solutions:detail", args=[review.solution.slug]),
    )


# --- Integrations -------------------------------------------------------------------------------
def notify_webhook_failing(subscription, *, since) -> list:
    """A subscription's deliveries have failed for 24 hours: once per run of failures."""
    return notify(
        kind=Kind.WEBHOOK_FAILING,
        recipient_ids=recipients.webhook_failing(subscription),
        cooperative_id=subscription.cooperative_id,
        subject=subscription,
        params={"url": subscription.url},
        url=reverse("integrations:webhooks", args=[subscription.cooperative.slug]),
        key=f"webhook.{subscription.pk}.{since.isoformat()}",
    )


# (event, whether it is taken from the broadcast (True) or from the people's copy (False))
HANDLERS = {
    ("increment.submitted", True): increment_submitted,
    ("verdict.given", True): verdict_given,
    ("increment.decided", True): increment_decided,
    ("item.created", True): item_created,
    ("team.member_added", True): lambda d, g: _team_change(Kind.TEAM_ADDED, d, g),
    ("team.member_removed", True): lambda d, g: _team_change(Kind.TEAM_REMOVED, d, g),
    ("sprint.started", True): lambda d, g: _sprint_change(Kind.SPRINT_STARTED, d, g),
    ("sprint.closed", True): lambda d, g: _sprint_change(Kind.SPRINT_CLOSED, d, g),
    ("membership.applied", False): membership_applied,
    ("membership.approved", False): membership_decided,
    ("membership.rejected", False): membership_decided,
    ("access.requested", True): access_requested,
    ("access.requested", False): access_requested,
    ("publication.requested", False): publication_requested,
    ("publication.approved", False): publication_decided,
    ("publication.rejected", False): publication_decided,
    ("release.published", True): release_published,
    ("review.posted", True): review_posted,
}


def on_event_published(sender, *, group, event, data, **kwargs) -> None:
    handler = HANDLERS.get((event, group is not None))
    if handler is None:
        return
    try:
        handler(data, group)
    except Exception:
        # Telling people must never break the change that caused it (already committed).
        logger.exception("could not make the notifications of %s", event)
