"""The publication API's tests that need a world other than test_publication_api.py's: a
new solution without a name, and the list endpoints at a constant number of queries. They were
in test_publication_api.py, whose other tests now share one world per module (tests/shared.py).
"""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from solutions.models import PublicationRequest, Solution
from sprints.models import Increment, IncrementState
from tests.permissions import request_as
from tests.solutions.factories import make_release, make_solution

pytestmark = pytest.mark.django_db

API = "/api/v1"


def test_a_new_solution_needs_a_name(product_owner, accepted_increment):
    response = request_as(
        product_owner,
        "post",
        f"{API}/publication-requests/",
        {"increment": accepted_increment.pk, "name": "  "},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    assert not PublicationRequest.objects.exists()


# --- constant queries --------------------------------------------------------------------------
def bulk_requests(product, requester, count):
    Increment.objects.bulk_create(
        [
            Increment(product=product, version=f"9.{n}.0", state=IncrementState.ACCEPTED)
            for n in range(count)
        ]
    )
    increments = Increment.objects.filter(product=product, version__startswith="9.")
    PublicationRequest.objects.bulk_create(
        [
            PublicationRequest(
                increment=increment,
                version=increment.version,
                name=f"Oplossing {increment.pk}",
                requested_by=requester,
                requested_at=timezone.now(),
            )
            for increment in increments
        ]
    )


@pytest.mark.parametrize("size", [3, 300])
def test_the_request_list_takes_the_same_queries_at_any_size(
    product, product_owner, coordinator, size, django_assert_max_num_queries
):
    bulk_requests(product, product_owner, size)
    for person in (coordinator, product_owner):
        client = APIClient()
        client.force_authenticate(person)
        # The count and the page.
        with django_assert_max_num_queries(2):
            response = client.get(f"{API}/publication-requests/?page_size=100")
        assert response.status_code == 200
        assert response.json()["count"] == size


@pytest.mark.parametrize("size", [3, 300])
def test_the_release_list_takes_the_same_queries_at_any_size(
    zob, product, product_owner, size, django_assert_max_num_queries
):
    solutions = [make_solution(cooperative=zob, name=f"Oplossing {n}") for n in range(3)]
    Increment.objects.bulk_create(
        [
            Increment(product=product, version=f"8.{n}.0", state=IncrementState.ACCEPTED)
            for n in range(size)
        ]
    )
    increments = list(Increment.objects.filter(version__startswith="8.").order_by("pk"))
    for n, increment in enumerate(increments):
        make_release(solutions[n % 3], f"1.{n}.0", increment=increment, notes="Beter.")
    client = APIClient()
    for url in (f"{API}/releases/", f"{API}/releases/?solution={solutions[0].slug}"):
        # The count and the page; the filter reads the solution once.
        with django_assert_max_num_queries(3):
            response = client.get(f"{url}{'&' if '?' in url else '?'}page_size=100")
        assert response.status_code == 200
        assert response.json()["count"] in (size, len(increments[::3]))
    assert Solution.objects.count() == 3
