"""Coordinators deciding at the same moment, with real threads and transactions.

Only PostgreSQL runs transactions side by side with row locks (SQLite serialises every writer),
so these run in CI's PostgreSQL pass. Each thread has its own connection.
"""

import os

import pytest

from deelbaar.errors import Conflict
from solutions.models import PublicationRequest, PublicationState, Release, Solution
from solutions.services.publication import (
    approve_publication,
    reject_publication,
    request_publication,
)
from tests.sprints.flows import run_sprint
from tests.sprints.test_concurrency import run_together

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason=(
            "needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises all writers, so "
            "concurrency would not be tested; runs in CI's PostgreSQL pass"
        ),
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def second_coordinator(admin, zob, person):
    from cooperative import services

    user = person("cor")
    services.appoint_coordinator(actor=admin, cooperative=zob, user=user)
    return user


def _decide(decide):
    try:
        decide()
    except Conflict:
        return "conflict"
    return "done"


def test_two_coordinators_approving_at_once_make_one_release(
    accepted_increment, product_owner, coordinator, second_coordinator
):
    publication = request_publication(
        actor=product_owner, increment=accepted_increment, name="Subsidiesysteem"
    )
    coordinators = [coordinator, second_coordinator]

    def approve(index):
        return _decide(
            lambda: approve_publication(
                actor=coordinators[index],
                publication_request=PublicationRequest.objects.get(pk=publication.pk),
            )
        )

    assert sorted(run_together(approve, count=2)) == ["conflict", "done"]
    assert Release.objects.count() == 1
    assert Solution.objects.count() == 1
    publication.refresh_from_db()
    assert publication.state == PublicationState.APPROVED
    assert publication.release == Release.objects.get()


def test_approve_and_reject_at_once_leave_one_decision(
    accepted_increment, product_owner, coordinator, second_coordinator
):
    publication = request_publication(
        actor=product_owner, increment=accepted_increment, name="Subsidiesysteem"
    )

    def decide(index):
        current = PublicationRequest.objects.get(pk=publication.pk)
        if index == 0:
            return _decide(
                lambda: approve_publication(actor=coordinator, publication_request=current)
            )
        return _decide(
            lambda: reject_publication(
                actor=second_coordinator, publication_request=current, reason="Nee"
            )
        )

    outcomes = run_together(decide, count=2)
    assert sorted(outcomes) == ["conflict", "done"]
    publication.refresh_from_db()
    approved = publication.state == PublicationState.APPROVED
    assert Release.objects.count() == (1 if approved else 0)
    assert Solution.objects.count() == (1 if approved else 0)


def test_first_requests_of_one_product_approved_at_once_make_one_solution(
    accepted_increment,
    product,
    product_owner,
    developer,
    tester,
    coordinator,
    second_coordinator,
):
    """Two increments of a product with no solution yet, each requested as a new solution and
    approved at the same moment: the product's lock makes one solution with both releases."""
    sprint = run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester], estimates=[1]
    )
    requests = [
        request_publication(actor=product_owner, increment=accepted_increment, name="Sub"),
        request_publication(
            actor=product_owner, increment=sprint.increments.get(), name="Subsidiesysteem"
        ),
    ]
    coordinators = [coordinator, second_coordinator]

    def approve(index):
        return _decide(
            lambda: approve_publication(
                actor=coordinators[index],
                publication_request=PublicationRequest.objects.get(pk=requests[index].pk),
            )
        )

    outcomes = run_together(approve, count=2)
    assert Solution.objects.count() == 1
    solution = Solution.objects.get()
    # Whichever came second released into the first one's solution, if its version was newer.
    assert Release.objects.filter(solution=solution).count() == outcomes.count("done")
    assert "done" in outcomes
