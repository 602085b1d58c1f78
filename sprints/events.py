"""The live events of a product, sent to everyone viewing its pages after the commit."""

from deelbaar.events import notify_users, publish_on_commit


def product_group(product_id: int) -> str:
    return f"product.{product_id}"


def item_payload(item) -> dict:
    return {
        "id": item.pk,
        "reference": item.reference,
        "title": item.title,
        "kind": item.kind,
        "status": item.status,
        "estimate": item.estimate,
        "position": item.position,
        "sprint": item.sprint_id,
        "version": item.version,
        "ready": item.is_ready,
    }


def item_event(item, event: str, **extra) -> None:
    """item.created, item.changed or item.moved."""
    publish_on_commit(product_group(item.product_id), event, {**item_payload(item), **extra})


def sprint_event(sprint, event: str, **extra) -> None:
    """sprint.planned, sprint.started, sprint.review or sprint.closed."""
    publish_on_commit(
        product_group(sprint.product_id),
        event,
        {"id": sprint.pk, "number": sprint.number, "state": sprint.state, **extra},
    )


def increment_submitted(increment, tester_ids, *, actor=None) -> None:
    data = {
        "id": increment.pk,
        "version": increment.version,
        "product": increment.product_id,
        "deadline": increment.deadline,
        "actor": getattr(actor, "pk", None),
    }
    publish_on_commit(product_group(increment.product_id), "increment.submitted", data)
    notify_users(tester_ids, "increment.submitted", data)


def increment_decided(increment, *, actor=None) -> None:
    """increment.decided: every item has its outcome, so the increment is accepted or rejected."""
    publish_on_commit(
        product_group(increment.product_id),
        "increment.decided",
        {
            "id": increment.pk,
            "version": increment.version,
            "state": increment.state,
            "actor": getattr(actor, "pk", None),
        },
    )


def verdict_given(verdict, increment_item, tester_ids) -> None:
    data = {
        "id": verdict.pk,
        "increment": increment_item.increment_id,
        "item": increment_item.item_id,
        "accepted": verdict.accepted,
        "outcome": increment_item.outcome,
        "tester": verdict.tester_id,
    }
    publish_on_commit(product_group(increment_item.increment.product_id), "verdict.given", data)
    notify_users(tester_ids, "verdict.given", data)


def team_event(product, event: str, member, *, actor, **extra) -> None:
    """team.member_added, team.member_changed, team.member_removed or team.owner_changed:
    who (`user`) now holds or no longer holds which role, and who did it (`actor`)."""
    publish_on_commit(
        product_group(product.pk),
        event,
        {
            "product": product.pk,
            "product_name": product.name,
            "membership": member.pk,
            "user": member.user_id,
            "role": member.role,
            "actor": getattr(actor, "pk", None),
            **extra,
        },
    )


def product_changed(product, fields) -> None:
    """product.changed: the product's own fields (name, vision, ...) were edited."""
    publish_on_commit(
        product_group(product.pk),
        "product.changed",
        {"id": product.pk, "version": product.version, "fields": list(fields)},
    )
