"""Newcomers: the public calculator of joining costs, the request for access from the joining
page, the coordinators' queue (page and API: list, approve, decline), approval inviting the
applicant by e-mail, and who may do what."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cooperative.models import AuditRecord
from people.models import AccessRequest, AccessRequestState
from people.services import newcomers as newcomer_services
from people.services.tokens import issue_token
from tests.conftest import clear_cache
from tests.permissions import Case, assert_permission_matrix, people_for, statuses_for

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "outsider": "outsider_person",
    "member": "member_person",
    "other_coordinator": "other_coordinator",
    "coordinator": "coordinator",
}
statuses = statuses_for(ROLES)


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    clear_cache()
    yield
    clear_cache()


def ask(zob, **extra):
    data = {
        "organisation_name": "Gemeente Woerden",
        "name": "Wendy Wouters",
        "email": "Wendy@Woerden.nl",
        "message": "Wij willen de subsidiemodule gebruiken.",
        **extra,
    }
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(f"/cooperatives/{zob.slug}/joining/", data)


# --- The calculator ---------------------------------------------------------------------------
def test_the_calculator_follows_the_policy(zob, eindhoven, mgd, utrecht, gemboxx):
    client = APIClient()
    url = f"/api/v1/cooperatives/{zob.slug}/contribution-quote/"
    # € 0.10 per inhabitant, at least € 1,000, at most € 25,000.
    assert client.get(url, {"inhabitants": 53_000}).json()["amount"] == "5300.00"
    assert client.get(url, {"inhabitants": 500}).json()["amount"] == "1000.00"
    assert client.get(url, {"inhabitants": 900_000}).json()["amount"] == "25000.00"
    answer = client.get(f"{url}{eindhoven.pk}/").json()
    assert answer["organisation"]["name"] == "Eindhoven"
    assert (answer["inhabitants"], answer["amount"]) == (243_730, "24373.00")
    # A joint arrangement pays for the municipalities it acts for.
    assert client.get(f"{url}{mgd.pk}/").json()["amount"] == "6100.00"
    # An organisation that cannot be a member has no quote.
    assert client.get(f"{url}{gemboxx.pk}/").status_code == 404
    # Nothing to calculate from, or nonsense: 400 naming the parameter.
    for query, field in (({}, "inhabitants"), ({"inhabitants": -1}, "inhabitants")):
        response = client.get(url, query)
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert (
        client.get("/api/v1/cooperatives/nope/contribution-quote/?inhabitants=1").status_code == 404
    )


def test_the_joining_page_calculates_for_anyone(zob, utrecht):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        f"/cooperatives/{zob.slug}/joining/", {"organisation": utrecht.pk}
    )
    assert page.status_code == 200
    assert page.context["quote"]["amount"] == Decimal("25000.00")
    assert 'data-amount="25000.00"' in page.content.decode()
    page = Client().get(f"/cooperatives/{zob.slug}/joining/", {"inhabitants": "20000"})
    assert page.context["quote"]["amount"] == Decimal("2000.00")
    # The cooperative's own page leads there.
    detail = Client().get(f"/cooperatives/{zob.slug}/").content.decode()
    assert f'href="/cooperatives/{zob.slug}/joining/"' in detail


# --- Asking for access ------------------------------------------------------------------------
def test_a_newcomer_asks_for_access_and_the_coordinators_are_told(
    zob, coordinator, django_capture_on_commit_callbacks
):
    from deelbaar.events import event_published

    seen = []

    def receiver(sender, *, group, event, data, **kwargs):
        seen.append((group, event, data))

    event_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(zob)
    finally:
        event_published.disconnect(receiver)
    assert response.status_code == 302
    access_request = AccessRequest.objects.get()
    assert access_request.email == "wendy@woerden.nl"
    assert access_request.state == AccessRequestState.PENDING
    [(_group, _event, data)] = [s for s in seen if s[1] == "access.requested"]
    assert data["id"] == access_request.pk and data["cooperative"] == zob.slug
    assert AuditRecord.objects.filter(action="access.requested", cooperative=zob).exists()
    # The coordinators' queue shows it.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(coordinator)
    queue = client.get(f"/cooperatives/{zob.slug}/access-requests/").content.decode()
    assert "Wendy Wouters" in queue and "Gemeente Woerden" in queue


def test_asking_twice_while_waiting_is_refused_beside_the_address(zob):
    assert ask(zob).status_code == 302
    again = ask(zob, email="wendy@woerden.nl ")
    assert again.status_code == 200
    assert "already waiting" in again.context["form"].errors["email"][0]
    assert AccessRequest.objects.count() == 1


def test_a_robot_filling_the_hidden_field_is_dropped_quietly(zob):
    response = ask(zob, website="http://spam.example")
    assert response.status_code == 302
    assert not AccessRequest.objects.exists()


def test_one_address_may_ask_five_times_an_hour(zob):
    for n in range(5):
        assert ask(zob, email=f"p{n}@example.nl").status_code == 302
    refused = ask(zob, email="p6@example.nl")
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert AccessRequest.objects.count() == 5


def test_missing_input_is_named(zob):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"/cooperatives/{zob.slug}/joining/", {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"organisation_name", "name", "email"}


# --- Deciding ---------------------------------------------------------------------------------
@pytest.fixture
def waiting(zob):
    return newcomer_services.request_access(
        cooperative=zob,
        organisation_name="Gemeente Woerden",
        name="Wendy Wouters",
        email="wendy@woerden.nl",
    )


def test_declining_on_the_page_needs_a_reason(waiting, coordinator):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(coordinator)
    url = f"/cooperatives/{waiting.cooperative.slug}/access-requests/{waiting.pk}/decline/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Give the reason" in refused.content.decode()
    done = client.post(url, {"reason": "Geen gemeente."})
    assert done.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.state, waiting.decline_reason) == ("declined", "Geen gemeente.")
    record = AuditRecord.objects.get(action="access.declined")
    assert record.reason == "Geen gemeente."


def test_the_queue_list_takes_the_same_queries_at_any_size(
    zob, coordinator, django_assert_max_num_queries
):
    client = APIClient()
    client.force_authenticate(coordinator)
    for size in (2, 12):
        while AccessRequest.objects.count() < size:
            n = AccessRequest.objects.count()
            newcomer_services.request_access(
                cooperative=zob, organisation_name="X", name=f"P{n}", email=f"p{n}@x.nl"
            )
        with django_assert_max_num_queries(8):
            response = client.get(f"/api/v1/cooperatives/{zob.slug}/access-requests/")
        assert response.json()["count"] == size


# --- Who may do what --------------------------------------------------------------------------
@pytest.fixture
def world(request, waiting, woerden, woerden_application, coordinator):
    token, _secret = issue_token(actor=coordinator, user=coordinator, name="coordinator's")
    slug = waiting.cooperative.slug
    return {"slug": slug, "request": waiting, "woerden": woerden, "token": token}


def test_permission_matrix(request, world):
    base = f"/api/v1/cooperatives/{world['slug']}/access-requests/"
    one = f"{base}{world['request'].pk}/"
    cases = [
        Case("list requests", "get", lambda w: base, statuses(401, 403, 403, 403, 200)),
        Case("show a request", "get", lambda w: one, statuses(401, 403, 403, 403, 200)),
        Case(
            "decline",
            "post",
            lambda w: f"{one}decline/",
            statuses(401, 403, 403, 403, 200),
            body=lambda w: {"reason": "Nee."},
        ),
        Case(
            "calculate",
            "get",
            lambda w: f"/api/v1/cooperatives/{w['slug']}/contribution-quote/?inhabitants=10",
            statuses(200, 200, 200, 200, 200),
        ),
        Case("my tokens", "get", lambda w: "/api/v1/me/tokens/", statuses(401, 200, 200, 200, 200)),
        Case(
            "make a token",
            "post",
            lambda w: "/api/v1/me/tokens/",
            statuses(401, 201, 201, 201, 201),
            body=lambda w: {"name": "script"},
        ),
        Case(
            "revoke the coordinator's token",
            "delete",
            lambda w: f"/api/v1/me/tokens/{w['token'].pk}/",
            statuses(401, 404, 404, 404, 204),
        ),
    ]
    assert_permission_matrix(people_for(request, ROLES), cases, world)


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/cooperatives/{slug}/joining/", statuses(200, 200, 200, 200, 200)),
        ("/cooperatives/{slug}/access-requests/", statuses(302, 403, 403, 403, 200)),
        ("/accounts/tokens/", statuses(302, 200, 200, 200, 200)),
    ],
)
def test_page_permissions(request, world, path, expected):
    url = path.format(slug=world["slug"])
    for role, person in people_for(request, ROLES).items():
        client = Client()
        if person is not None:
            client.force_login(person)
        assert client.get(url).status_code == expected[role], (role, url)


@pytest.mark.parametrize("action", ["approve", "decline"])
def test_page_actions_refuse_others(request, world, action):
    url = f"/cooperatives/{world['slug']}/access-requests/{world['request'].pk}/{action}/"
    body = {"organisation": world["woerden"].pk, "role": "admin", "reason": "Nee."}
    for role, person in people_for(request, ROLES).items():
        if role == "coordinator":
            continue
        client = Client()
        if person is not None:
            client.force_login(person)
        # Anonymous people are sent to sign in; everyone else is refused.
        assert client.post(url, body).status_code == (302 if person is None else 403), role
    world["request"].refresh_from_db()
    assert world["request"].state == "pending"
