"""Whole sprints run through the services, for tests that need a recorded history."""

from datetime import date, timedelta

from django.utils import timezone

from sprints import services
from sprints.models import ItemStatus


def ready_item(product, actor, title, estimate, **extra):
    return services.create_item(
        actor=actor,
        product=product,
        title=title,
        acceptance_criteria=["Het werkt zoals beschreven"],
        estimate=estimate,
        **extra,
    )


def run_sprint(
    *, product, owner, developer, testers, estimates, start: date | None = None, accept=True
):
    """Plan, commit, start, finish and close a sprint whose items are all done; when `accept`,
    every tester accepts every item, so the sprint's velocity is the sum of `estimates`."""
    start = start or timezone.localdate()
    sprint = services.plan_sprint(actor=owner, product=product, start=start)
    items = [
        ready_item(product, owner, f"Sprint {sprint.number} item {n}", estimate)
        for n, estimate in enumerate(estimates)
    ]
    services.commit_items(actor=owner, sprint=sprint, items=items)
    services.start_sprint(actor=owner, sprint=sprint)
    for item in items:
        services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)
    services.finish_sprint(actor=owner, sprint=sprint)
    if accept:
        increment = services.create_increment(
            actor=developer,
            product=product,
            version=f"0.{sprint.number}.0",
            items=items,
            sprint=sprint,
        )
        services.submit_increment(
            actor=owner,
            increment=increment,
            deadline=timezone.localdate() + timedelta(days=3),
            testers=testers,
        )
        for tester in testers:
            for item in items:
                services.give_verdict(actor=tester, increment=increment, item=item, accepted=True)
    return services.close_sprint(actor=owner, sprint=sprint)
