"""Segregation of duties in publication: a coordinator who owns the product, or who asked for
its publication, does not decide on it; another coordinator of the cooperative does (issue 12).
"""

import pytest
from django.urls import reverse

from cooperative import services as cooperative_services
from solutions.models import PublicationRequest, PublicationState
from solutions.services.publication import request_publication
from sprints import services as sprints_services
from tests.permissions import request_as

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def owning_coordinator(admin, zob, product_owner):
    """The product owner is made a coordinator of the cooperative as well."""
    cooperative_services.appoint_coordinator(actor=admin, cooperative=zob, user=product_owner)
    return product_owner


@pytest.fixture
def open_request(accepted_increment, product_owner):
    return request_publication(
        actor=product_owner, increment=accepted_increment, name="Subsidiesysteem"
    )


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_coordinator_who_owns_the_product_cannot_decide_on_its_publication(
    owning_coordinator, open_request, decision
):
    response = request_as(
        owning_coordinator,
        "post",
        f"{API}/publication-requests/{open_request.pk}/{decision}/",
        {"reason": "Eigen product."} if decision == "reject" else None,
    )
    assert response.status_code == 403
    assert "another coordinator" in response.json()["detail"]
    open_request.refresh_from_db()
    assert open_request.state == PublicationState.REQUESTED


def test_a_coordinator_who_asked_for_the_publication_cannot_approve_it_after_handing_over(
    owning_coordinator, open_request, product, tester
):
    # No longer the owner, but still the one who asked: another coordinator decides.
    sprints_services.hand_over_product(actor=owning_coordinator, product=product, user=tester)
    response = request_as(
        owning_coordinator, "post", f"{API}/publication-requests/{open_request.pk}/approve/"
    )
    assert response.status_code == 403


def test_another_coordinator_approves(owning_coordinator, open_request, coordinator):
    response = request_as(
        coordinator, "post", f"{API}/publication-requests/{open_request.pk}/approve/"
    )
    assert response.status_code == 200, response.json()
    assert PublicationRequest.objects.get(pk=open_request.pk).state == PublicationState.APPROVED


def test_the_queue_page_says_another_coordinator_decides(client, owning_coordinator, open_request):
    client.force_login(owning_coordinator)
    page = client.get(reverse("solutions:publication_requests"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert f'id="own-decision-{open_request.pk}"' in html
    assert f'id="approve-{open_request.pk}"' not in html
    refused = client.post(reverse("solutions:publication_approve", args=[open_request.pk]))
    assert refused.status_code == 403
