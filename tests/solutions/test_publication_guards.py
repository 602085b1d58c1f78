"""Publication guards: only an increment newer than the one of the solution's newest release
may be published (API 409, not offered on the pages); the version proposed is the next minor
one; the request form asks for what publiccode.yml needs, so the approved solution exports at
once; the coordinator's queue says what would still be missing before approving."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from deelbaar.errors import Conflict
from solutions.models import PublicationRequest, Solution
from solutions.publiccode import check_publiccode, export_publiccode
from solutions.services.publication import approve_publication, request_publication
from tests.solutions.test_publication_pages import FORM_METADATA
from tests.sprints.flows import run_sprint

pytestmark = pytest.mark.django_db

API = "/api/v1"


def as_(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def publish(increment, *, owner, coordinator, version=None, **extra):
    publication = request_publication(
        actor=owner, increment=increment, version=version, name="Subsidiesysteem", **extra
    )
    return approve_publication(actor=coordinator, publication_request=publication)


@pytest.fixture
def two_increments(accepted_increment, product, product_owner, developer, tester):
    """Sprint 1's 0.1.0 (accepted_increment) and sprint 2's 0.2.0, both accepted."""
    sprint = run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester], estimates=[2]
    )
    return accepted_increment, sprint.increments.get()


def test_an_older_increment_is_refused_and_not_offered(
    two_increments, product, product_owner, coordinator
):
    old, new = two_increments
    publish(new, owner=product_owner, coordinator=coordinator)

    with pytest.raises(Conflict) as refused:
        request_publication(actor=product_owner, increment=old, version="0.3.0")
    assert refused.value.code == "increment_outdated"

    api = APIClient()
    api.force_authenticate(product_owner)
    response = api.post(
        f"{API}/publication-requests/", {"increment": old.pk, "version": "0.3.0"}, format="json"
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "increment_outdated"
    assert body["errors"][0]["field"] == "increment"
    assert "0.1.0" in body["detail"] and "0.2.0" in body["detail"]

    # Not offered: no link on the increments page, and the form is not shown.
    client = as_(product_owner)
    increments = client.get(f"/products/{product.pk}/increments/").content
    assert f'id="publish-{old.pk}"'.encode() not in increments
    page = client.get(f"/solutions/publish/{old.pk}/")
    assert b'id="publish-obstacle"' in page.content
    assert b'id="publish-form"' not in page.content
    assert not PublicationRequest.objects.filter(increment=old).exists()


def test_a_newer_increment_is_offered_with_the_next_minor_version(
    two_increments, product, product_owner, coordinator
):
    old, new = two_increments
    publish(old, owner=product_owner, coordinator=coordinator, version="1.3.2")
    client = as_(product_owner)
    increments = client.get(f"/products/{product.pk}/increments/").content
    assert f'id="publish-{new.pk}"'.encode() in increments
    page = client.get(f"/solutions/publish/{new.pk}/")
    form = page.context["form"]
    assert form["version"].value() == "1.4.0"  # not the increment's own 0.2.0, which is lower
    # The service proposes the same when no version is given.
    publication = request_publication(actor=product_owner, increment=new)
    assert publication.version == "1.4.0"


def test_the_form_is_prefilled_from_the_product(accepted_increment, product, product_owner):
    form = as_(product_owner).get(f"/solutions/publish/{accepted_increment.pk}/").context["form"]
    assert form["long_description_nl"].value() == product.vision
    assert form["licence"].value() == "EUPL-1.2"
    assert form["maintenance_type"].value() == "internal"
    for name in ("long_description_nl", "categories", "repository_url", "licence"):
        assert form.fields[name].required


def test_a_solution_approved_through_the_form_exports_at_once(
    accepted_increment, product_owner, coordinator
):
    owner = as_(product_owner)
    response = owner.post(
        f"/solutions/publish/{accepted_increment.pk}/",
        {
            "version": "0.1.0",
            "name": "Subsidiesysteem",
            "short_description": "Subsidies aanvragen, volgen en toekennen.",
            "solution": "",
            **FORM_METADATA,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    publication = PublicationRequest.objects.get()
    assert publication.metadata["repository_url"] == FORM_METADATA["repository_url"]

    # The queue says before approving that nothing will be missing.
    queue = as_(coordinator)
    page = queue.get("/solutions/publication-requests/").content
    assert f'id="complete-{publication.pk}"'.encode() in page
    assert f'id="missing-{publication.pk}"'.encode() not in page
    assert not Solution.objects.exists()  # the preview wrote nothing

    approved = queue.post(f"/solutions/publication-requests/{publication.pk}/approve")
    assert approved.status_code == 302
    solution = Solution.objects.get()
    assert check_publiccode(export_publiccode(solution)) == []  # no error, no warning
    exported = Client().get(f"{API}/solutions/{solution.slug}/publiccode.yml")
    assert exported.status_code == 200
    assert solution.repository_url == FORM_METADATA["repository_url"]
    assert sorted(c.category for c in solution.categories.all()) == ["grant-management"]


def test_the_queue_shows_what_is_missing_before_approving(
    accepted_increment, product, product_owner, coordinator
):
    # Through the API without metadata, as an older client would.
    publication = request_publication(
        actor=product_owner, increment=accepted_increment, name="Subsidiesysteem"
    )
    page = as_(coordinator).get("/solutions/publication-requests/").content.decode()
    assert f'id="missing-{publication.pk}"' in page
    # Told in the metadata's names, with publiccode.yml's key beside them.
    assert 'data-path="url" data-field="repository_url"' in page
    assert not Solution.objects.exists()

    # What the queue said is what the export then lacks, under the same names.
    release = approve_publication(actor=coordinator, publication_request=publication)
    response = Client().get(f"{API}/solutions/{release.solution.slug}/publiccode.yml")
    assert response.status_code == 409
    fields = {error["field"] for error in response.json()["errors"]}
    assert "repository_url" in fields and "url" not in fields


def test_metadata_given_through_the_api_is_checked_by_the_metadata_rules(
    accepted_increment, product_owner
):
    api = APIClient()
    api.force_authenticate(product_owner)
    response = api.post(
        f"{API}/publication-requests/",
        {
            "increment": accepted_increment.pk,
            "name": "Subsidiesysteem",
            "repository_url": "git@example.org:repo.git",
            "licence": "Niet-bestaand",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"repository_url", "licence"} <= fields
    assert not PublicationRequest.objects.exists()
