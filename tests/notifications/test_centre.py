"""The notification centre, the unread count, the API, and the cost of telling many people."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Kind, Notification
from notifications.services import notify
from sprints import services
from sprints.models import TeamRole
from tests.sprints.flows import ready_item

pytestmark = pytest.mark.django_db


def client_for(user, language="nl"):
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def api_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def tell(person, n, *, cooperative, kind=Kind.SPRINT_STARTED):
    for number in range(n):
        notify(
            kind=kind,
            recipient_ids=[person.pk],
            cooperative_id=cooperative.pk,
            params={"number": number + 1, "product": "Subsidiesysteem"},
            url="/products/",
        )


@pytest.fixture
def testers(person, eindhoven, product, product_owner):
    """Make `n` testers on the product."""

    def make(n, start=0):
        made = []
        for i in range(start, start + n):
            user = person(f"tester{i}", eindhoven)
            services.add_team_member(
                actor=product_owner, product=product, user=user, role=TeamRole.TESTER
            )
            made.append(user)
        return made

    return make


def _increment(product, owner, developer, version):
    sprint = services.plan_sprint(actor=owner, product=product, start=timezone.localdate())
    items = [ready_item(product, owner, f"Item {version}", 3)]
    services.commit_items(actor=owner, sprint=sprint, items=items)
    services.start_sprint(actor=owner, sprint=sprint)
    services.set_item_status(actor=developer, item=items[0], status="done")
    increment = services.create_increment(
        actor=developer, product=product, version=version, items=items, sprint=sprint
    )
    services.finish_sprint(actor=owner, sprint=sprint)
    services.close_sprint(actor=owner, sprint=sprint)
    return increment


def test_telling_50_testers_costs_what_telling_5_does(
    product, product_owner, developer, testers, django_capture_on_commit_callbacks
):
    """Submitting to 50 testers makes 50 notifications (and hands them to the mail queue) in
    the same number of queries as for 5: the submit itself and what runs after its commit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, submits = {}, {}
    for size, version, start in ((5, "0.1.0", 0), (50, "0.2.0", 5)):
        asked = testers(size, start)
        increment = _increment(product, product_owner, developer, version)
        with (
            django_capture_on_commit_callbacks() as callbacks,
            CaptureQueriesContext(connection) as submitting,
        ):
            services.submit_increment(
                actor=product_owner,
                increment=increment,
                deadline=timezone.localdate() + timedelta(days=3),
                testers=asked,
            )
        with CaptureQueriesContext(connection) as queries:
            for callback in callbacks:
                callback()
        made = Notification.objects.filter(kind=Kind.VERDICT_REQUESTED, subject_id=increment.pk)
        assert made.count() == size
        counts[size] = len(queries)
        submits[size] = len(submitting)
    assert counts[5] == counts[50], counts
    assert submits[5] == submits[50], submits


def test_the_centre_lists_filters_and_marks_read(member_person, zob, eindhoven_membership):
    tell(member_person, 3, cooperative=zob)
    tell(member_person, 1, cooperative=zob, kind=Kind.SPRINT_CLOSED)
    client = client_for(member_person)
    page = client.get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "U hebt 4 ongelezen meldingen." in html
    assert "Sprint 3 van Subsidiesysteem is begonnen." in html
    assert html.count("data-notification=") == 4
    only_closed = client.get("/notifications/", {"kind": Kind.SPRINT_CLOSED}).content.decode()
    assert only_closed.count("data-notification=") == 1
    first = Notification.objects.filter(recipient=member_person).last()
    response = client.post(f"/notifications/{first.pk}/read/", {"next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    first.refresh_from_db()
    assert first.read_at is not None
    unread = client.get("/notifications/", {"unread": "1"}).content.decode()
    assert unread.count("data-notification=") == 3
    assert client.get("/notifications/unread/").json() == {"unread": 3}
    # A foreign address to go back to is not followed.
    response = client.post("/notifications/read-all/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"
    assert not Notification.objects.filter(recipient=member_person, read_at=None).exists()
    assert "U hebt nog geen meldingen" not in client.get("/notifications/").content.decode()


def test_the_centre_pages_by_25(member_person, zob, eindhoven_membership):
    tell(member_person, 30, cooperative=zob)
    client = client_for(member_person)
    assert client.get("/notifications/").content.decode().count("data-notification=") == 25
    assert client.get("/notifications/?page=2").content.decode().count("data-notification=") == 5


def test_someone_elses_notification_is_not_found(
    member_person, coordinator, zob, eindhoven_membership
):
    tell(coordinator, 1, cooperative=zob)
    theirs = Notification.objects.get(recipient=coordinator)
    client = client_for(member_person)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api_for(member_person).get(f"/api/v1/me/notifications/{theirs.pk}/").status_code == 404
    assert (
        api_for(member_person).post(f"/api/v1/me/notifications/{theirs.pk}/read/").status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post("/notifications/read-all/").status_code == 302
    assert Client().get("/notifications/unread/").json() == {"unread": 0}
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/me/notifications/").status_code == 401


def test_the_header_shows_the_count_element_for_people_only(member_person):
    html = client_for(member_person).get("/").content.decode()
    assert 'data-unread-source="/notifications/unread/"' in html
    assert "notifications/notifications.js" in html
    assert "data-unread-count" not in Client().get("/").content.decode()


def test_api_lists_filters_and_marks_read(member_person, zob, eindhoven_membership):
    tell(member_person, 2, cooperative=zob)
    tell(member_person, 1, cooperative=zob, kind=Kind.SPRINT_CLOSED)
    api = api_for(member_person)
    body = api.get("/api/v1/me/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 3
    newest = body["results"][0]
    assert newest["kind"] == "sprint_closed" and newest["read"] is False
    assert newest["text"] == "Sprint 1 of Subsidiesysteem was closed."
    assert api.get("/api/v1/me/notifications/", {"kind": "sprint_closed"}).json()["count"] == 1
    marked = api.post(f"/api/v1/me/notifications/{newest['id']}/read/").json()
    assert marked["read"] is True and marked["read_at"]
    assert api.get("/api/v1/me/notifications/", {"unread": "true"}).json()["count"] == 2
    assert api.get("/api/v1/me/notifications/", {"unread": "false"}).json()["count"] == 1
    assert api.post("/api/v1/me/notifications/read-all/").json() == {"marked": 2, "unread": 0}
    refused = api.get("/api/v1/me/notifications/", {"unread": "perhaps"})
    assert refused.status_code == 400
    assert api.get("/api/v1/me/notifications/", {"kind": "nonsense"}).status_code == 400
    assert api.get("/api/v1/me/notifications/", {"unread": "null"}).status_code == 400


@pytest.mark.parametrize("size", [3, 40])
def test_api_list_queries_do_not_grow(
    member_person, coordinator, zob, eindhoven_membership, django_assert_max_num_queries, size
):
    for _ in range(size):
        notify(
            kind=Kind.MEMBERSHIP_APPLIED,
            recipient_ids=[member_person.pk],
            cooperative_id=zob.pk,
            actor_id=coordinator.pk,
            subject=eindhoven_membership,
            params={"organisation": "Woerden", "cooperative": zob.name},
        )
    api = api_for(member_person)
    with django_assert_max_num_queries(4):
        body = api.get("/api/v1/me/notifications/", {"page_size": 100}).json()
    assert body["count"] == size
    assert body["results"][0]["actor"]["id"] == coordinator.pk
    assert body["results"][0]["subject"] == {
        "type": "cooperative.membership",
        "id": eindhoven_membership.pk,
    }


@pytest.mark.parametrize("size", [3, 40])
def test_centre_queries_do_not_grow(
    member_person, zob, eindhoven_membership, django_assert_max_num_queries, size
):
    tell(member_person, size, cooperative=zob)
    client = client_for(member_person)
    # The page shell of the other apps takes its own few; the list adds three, at any size.
    with django_assert_max_num_queries(16):
        assert client.get("/notifications/").status_code == 200
