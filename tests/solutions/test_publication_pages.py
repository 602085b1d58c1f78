"""The publication pages: the request form from an accepted increment, the queue with its
approve, reject and withdraw buttons (htmx and plain), the link on the increment and the
releases section of the solution page, with who may see and do what."""

import json

import pytest
from django.template import Context, RequestContext, Template
from django.test import Client, RequestFactory

from solutions.models import PublicationRequest, PublicationState, Release, Solution
from solutions.services.publication import approve_publication, request_publication
from tests.solutions.factories import make_release
from tests.sprints.flows import run_sprint

pytestmark = pytest.mark.django_db

ROLES = (
    "outsider_person",
    "other_coordinator",
    "tester",
    "developer",
    "product_owner",
    "coordinator",
)
HTMX = {"HTTP_HX_REQUEST": "true"}
# What the request form asks for the publiccode.yml, as a product owner fills it in.
FORM_METADATA = {
    "long_description_nl": (
        "Met het Subsidiesysteem vragen inwoners en organisaties subsidie aan, volgen zij de "
        "behandeling van hun aanvraag en ontvangen zij het besluit, zonder papieren formulieren."
    ),
    "categories": ["grant-management"],
    "repository_url": "https://github.com/deelbaar-voorbeeld/subsidiesysteem",
    "licence": "EUPL-1.2",
    "maintenance_type": "internal",
    "maintenance_contacts": "Petra de Vries | petra@example.nl",
    "maintenance_contractors": "",
}


def as_(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(request):
    return {role: request.getfixturevalue(role) for role in ROLES}


@pytest.fixture
def open_request(accepted_increment, product_owner):
    return request_publication(
        actor=product_owner,
        increment=accepted_increment,
        name="Subsidiesysteem",
        short_description="Subsidies aanvragen en toekennen.",
    )


# --- the request form ------------------------------------------------------------------------
def test_who_may_open_the_request_form(accepted_increment, people):
    url = f"/solutions/publish/{accepted_increment.pk}/"
    expected = {
        "outsider_person": 404,
        "other_coordinator": 404,
        "tester": 403,
        "developer": 403,
        "product_owner": 200,
        "coordinator": 403,
    }
    actual = {role: as_(person).get(url).status_code for role, person in people.items()}
    assert actual == expected
    anonymous = as_(None).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert as_(people["product_owner"]).get("/solutions/publish/999999/").status_code == 404


def test_the_product_owner_requests_publication(accepted_increment, product_owner):
    client = as_(product_owner)
    page = client.get(f"/solutions/publish/{accepted_increment.pk}/")
    assert b'id="publish-form"' in page.content
    assert b'value="0.1.0"' in page.content  # the increment's version, proposed
    response = client.post(
        f"/solutions/publish/{accepted_increment.pk}/",
        {
            "version": "0.1.0",
            "solution": "",
            "name": "Subsidiesysteem",
            "short_description": "Subsidies aanvragen en toekennen.",
            **FORM_METADATA,
        },
    )
    publication = PublicationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/solutions/publication-requests/#request-{publication.pk}"
    assert (publication.name, publication.version) == ("Subsidiesysteem", "0.1.0")
    # Requested once; the form now says so instead of offering itself again.
    again = client.get(f"/solutions/publish/{accepted_increment.pk}/")
    assert b'id="publish-obstacle"' in again.content
    assert b'id="publish-form"' not in again.content


def test_an_unaccepted_increment_is_not_offered_and_not_published(
    submitted_increment, product_owner
):
    client = as_(product_owner)
    url = f"/solutions/publish/{submitted_increment.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'id="publish-obstacle"' in page.content
    assert b'id="publish-form"' not in page.content
    # Posted all the same, the service refuses; the page says why.
    response = client.post(url, {"version": "0.1.0", "name": "Sub"})
    assert response.status_code == 200
    assert b'id="publish-obstacle"' in response.content
    assert b"Only an accepted increment can be published" in response.content
    assert not PublicationRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"version": "", "name": "Sub"}, "version"),
        ({"version": "1.2", "name": "Sub"}, "version"),
        ({"version": "0.1.0", "name": ""}, "name"),
        ({"version": "0.1.0", "name": "Sub", "short_description": "x" * 151}, "short_description"),
        ({"version": "0.1.0", "name": "x" * 201}, "name"),
        ({"version": "0.1.0", "solution": "999999"}, "solution"),
    ],
)
def test_bad_input_on_the_request_form_is_shown_beside_its_field(
    accepted_increment, product_owner, data, field
):
    response = as_(product_owner).post(
        f"/solutions/publish/{accepted_increment.pk}/",
        {**FORM_METADATA, "short_description": "Subsidies aanvragen.", **data},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert f'href="#publish-{field}"'.encode() in response.content  # the error summary's link
    assert not PublicationRequest.objects.exists()


def test_a_lower_version_is_refused_on_the_form(accepted_increment, product_owner, solution):
    response = as_(product_owner).post(
        f"/solutions/publish/{accepted_increment.pk}/",
        {"version": "0.1.0", "solution": solution.pk, **FORM_METADATA},
    )
    assert "version" in response.context["form"].errors
    assert not PublicationRequest.objects.exists()


def test_the_increment_offers_publication_to_its_product_owner_only(
    accepted_increment, product, product_owner, developer, coordinator
):
    url = f"/products/{product.pk}/increments/"
    link = f'id="publish-{accepted_increment.pk}"'.encode()
    assert link in as_(product_owner).get(url).content
    assert link not in as_(developer).get(url).content
    assert link not in as_(coordinator).get(url).content
    request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    assert link not in as_(product_owner).get(url).content


def test_a_submitted_increment_offers_no_publication(submitted_increment, product, product_owner):
    page = as_(product_owner).get(f"/products/{product.pk}/increments/")
    assert f'id="publish-{submitted_increment.pk}"'.encode() not in page.content


# --- the queue -------------------------------------------------------------------------------
def test_the_queue_shows_each_person_what_they_may_see_and_do(open_request, people):
    pk = open_request.pk
    seen = {}
    for role, person in people.items():
        response = as_(person).get("/solutions/publication-requests/")
        assert response.status_code == 200, role
        html = response.content.decode()
        seen[role] = (
            f'id="request-{pk}"' in html,
            f'id="approve-{pk}"' in html,
            f'id="withdraw-{pk}"' in html,
        )
    assert seen == {
        "outsider_person": (False, False, False),
        "other_coordinator": (False, False, False),
        "tester": (False, False, False),
        "developer": (False, False, False),
        "product_owner": (True, False, True),
        "coordinator": (True, True, False),
    }
    assert as_(None).get("/solutions/publication-requests/").status_code == 302


@pytest.mark.parametrize(
    ("action", "data", "expected"),
    [
        (
            "approve",
            {},
            {"outsider_person": 404, "other_coordinator": 404, "tester": 404},
        ),
        ("reject", {"reason": "Nee"}, {"developer": 404, "product_owner": 403}),
        ("withdraw", {}, {"coordinator": 403, "other_coordinator": 404, "tester": 404}),
    ],
)
def test_who_may_act_on_a_request(open_request, people, action, data, expected):
    url = f"/solutions/publication-requests/{open_request.pk}/{action}"
    actual = {role: as_(people[role]).post(url, data).status_code for role in expected}
    assert actual == expected
    approve_by_owner = as_(people["product_owner"]).post(
        f"/solutions/publication-requests/{open_request.pk}/approve"
    )
    assert approve_by_owner.status_code == 403
    open_request.refresh_from_db()
    assert open_request.state == PublicationState.REQUESTED
    assert as_(None).post(url, data).status_code == 302
    assert as_(people["coordinator"]).get(url).status_code == 405


def test_approving_without_javascript(open_request, coordinator):
    client = as_(coordinator)
    response = client.post(f"/solutions/publication-requests/{open_request.pk}/approve")
    assert response.status_code == 302
    assert response["Location"] == "/solutions/publication-requests/"
    release = Release.objects.get()
    assert release.solution.name == "Subsidiesysteem"
    page = client.get("/solutions/publication-requests/")
    html = page.content.decode()
    assert f'id="request-{open_request.pk}"' not in html
    assert f'id="decided-{open_request.pk}"' in html
    assert f'href="/solutions/{release.solution.slug}/"' in html


def test_approving_with_htmx_answers_the_row_gone_and_the_message(open_request, coordinator):
    response = as_(coordinator).post(
        f"/solutions/publication-requests/{open_request.pk}/approve", **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="request-{open_request.pk}"' not in html
    assert 'id="queue-messages"' in html and 'hx-swap-oob="true"' in html
    assert "Subsidiesysteem 0.1.0 is published." in html
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"deelbaar:focus": "queue-messages"}
    assert Release.objects.count() == 1


def test_a_rejection_needs_a_reason_with_and_without_javascript(open_request, coordinator):
    client = as_(coordinator)
    url = f"/solutions/publication-requests/{open_request.pk}/reject"
    plain = client.post(url, {"reason": ""})
    assert plain.status_code == 400
    assert b'id="error-summary"' in plain.content
    assert f'href="#r{open_request.pk}-reason"'.encode() in plain.content
    htmx = client.post(url, {"reason": ""}, **HTMX)
    assert htmx.status_code == 200
    assert f'id="request-{open_request.pk}"'.encode() in htmx.content
    assert b'aria-invalid="true"' in htmx.content
    assert json.loads(htmx["HX-Trigger-After-Settle"]) == {
        "deelbaar:focus": f"r{open_request.pk}-reason"
    }
    open_request.refresh_from_db()
    assert open_request.state == PublicationState.REQUESTED
    done = client.post(url, {"reason": "Eerst de toegankelijkheid."}, **HTMX)
    assert done.status_code == 200
    open_request.refresh_from_db()
    assert open_request.state == PublicationState.REJECTED
    assert open_request.reason == "Eerst de toegankelijkheid."


def test_a_request_decided_by_someone_else_is_said_so(open_request, coordinator, product_owner):
    client = as_(coordinator)
    client.post(f"/solutions/publication-requests/{open_request.pk}/approve")
    second = client.post(
        f"/solutions/publication-requests/{open_request.pk}/reject", {"reason": "Nee"}, **HTMX
    )
    assert second.status_code == 200
    assert b"already approved" in second.content
    assert Release.objects.count() == 1


def test_the_requester_withdraws(open_request, product_owner):
    response = as_(product_owner).post(
        f"/solutions/publication-requests/{open_request.pk}/withdraw"
    )
    assert response.status_code == 302
    open_request.refresh_from_db()
    assert open_request.state == PublicationState.WITHDRAWN


# --- the releases section of the solution page -----------------------------------------------
def render_section(solution, user):
    request = RequestFactory().get(f"/solutions/{solution.slug}/")
    request.user = user
    template = Template("{% load solution_releases %}{% releases_section solution %}")
    return template.render(RequestContext(request, {"solution": solution}))


def test_the_releases_section_lists_newest_first_with_notes_and_source(
    accepted_increment,
    product,
    product_owner,
    developer,
    tester,
    coordinator,
    outsider_person,
):
    from django.contrib.auth.models import AnonymousUser

    first = approve_publication(
        actor=coordinator,
        publication_request=request_publication(
            actor=product_owner, increment=accepted_increment, name="Subsidiesysteem"
        ),
    )
    solution = first.solution
    sprint = run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester], estimates=[1]
    )
    increment = sprint.increments.get()
    increment.release_notes = "Bijlagen toevoegen.\n\nStatus volgen."
    increment.save()
    approve_publication(
        actor=coordinator,
        publication_request=request_publication(
            actor=product_owner, increment=increment, version="0.10.0"
        ),
    )
    make_release(solution, "0.9.0")
    html = render_section(solution, tester)
    order = [html.index(f'data-version="{v}"') for v in ("0.10.0", "0.9.0", "0.1.0")]
    assert order == sorted(order)
    assert "<p>Bijlagen toevoegen.</p>" in html
    assert f'data-source-increment="{increment.pk}"' in html
    assert f"/products/{product.pk}/increments/{increment.pk}/accept" in html
    # Others see where a release came from, without a link into the private product.
    for viewer in (outsider_person, AnonymousUser()):
        public = render_section(solution, viewer)
        assert f'data-source-increment="{increment.pk}"' in public
        assert "/products/" not in public


def test_a_solution_without_releases_says_so(zob, outsider_person):
    solution = Solution.objects.create(cooperative=zob, name="Leeg", slug="leeg")
    assert 'id="no-releases"' in render_section(solution, outsider_person)


def test_the_tag_without_a_request_in_the_context(solution):
    html = Template("{% load solution_releases %}{% releases_section solution %}").render(
        Context({"solution": solution})
    )
    assert 'data-version="1.0.0"' in html


def test_the_cooperative_page_leads_its_coordinators_to_the_publication_requests(
    zob, coordinator, member_person
):
    def link_shown(user):
        client = Client()
        client.force_login(user)
        response = client.get(f"/cooperatives/{zob.slug}/")
        assert response.status_code == 200
        return b'id="publication-requests-link"' in response.content

    assert link_shown(coordinator)
    assert not link_shown(member_person)


def test_a_first_publication_shows_the_similar_solutions_already_in_the_library(
    accepted_increment, product_owner, zob, dimpact
):
    from tests.solutions.factories import make_solution

    make_solution(cooperative=dimpact, name="Subsidieloket", short_description_nl="Subsidies")
    make_solution(cooperative=zob, name="Parkeervergunningen")
    client = Client()
    client.force_login(product_owner)
    page = client.get(f"/solutions/publish/{accepted_increment.pk}/").content.decode()
    assert 'id="similar-solutions-list"' in page
    assert "Subsidieloket" in page
    # The most alike first.
    assert "Parkeervergunningen" not in page or page.index("Subsidieloket") < page.index(
        "Parkeervergunningen"
    )
