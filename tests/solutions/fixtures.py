"""Solutions tests reuse the cooperative and sprints worlds (built through the services) and
add an accepted increment, the only kind that may be published."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sprints import services as sprints_services
from sprints.models import Increment
from tests.solutions.factories import make_release, make_solution
from tests.sprints.flows import run_sprint


@pytest.fixture
def accepted_increment(product, product_owner, developer, tester) -> Increment:
    """Sprint 1 of Subsidiesysteem, run and closed; its increment 0.1.0 accepted by the tester."""
    sprint = run_sprint(
        product=product,
        owner=product_owner,
        developer=developer,
        testers=[tester],
        estimates=[3, 5],
    )
    return sprint.increments.get()


@pytest.fixture
def submitted_increment(product, product_owner, developer, tester) -> Increment:
    """Sprint 1 run, its increment submitted but without verdicts: not publishable."""
    sprint = run_sprint(
        product=product,
        owner=product_owner,
        developer=developer,
        testers=[tester],
        estimates=[3],
        accept=False,
    )
    items = list(product.items.filter(status="done"))
    increment = sprints_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=items, sprint=sprint
    )
    return sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timedelta(days=3),
        testers=[tester],
    )


@pytest.fixture
def solution(zob, eindhoven, product):
    """Subsidiesysteem in the Zuidoost-Brabant library, with a release 1.0.0.

    Made with the factory, so the catalogue, adoption and publiccode.yml tests do not depend on
    the publication flow; tests of publication build theirs through the services.
    """
    solution = make_solution(
        cooperative=zob,
        name="Subsidiesysteem",
        developed_by=eindhoven,
        source_product=product,
        estimated_cost=250_000,
    )
    make_release(solution, "1.0.0")
    return solution
