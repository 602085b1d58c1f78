"""Approving a request for access invites the applicant (people.services.invite), and tokens
follow a person's access: removal from an organisation revokes them."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cooperative.models import Affiliation, AuditRecord, Organisation
from people.models import AccessRequestState, Invitation
from people.services import newcomers as newcomer_services
from people.services.tokens import issue_token
from tests.people.test_newcomers import ROLES
from tests.permissions import Case, assert_permission_matrix, people_for, statuses_for

pytestmark = pytest.mark.django_db
statuses = statuses_for(ROLES)


@pytest.fixture
def waiting(zob):
    return newcomer_services.request_access(
        cooperative=zob,
        organisation_name="Gemeente Woerden",
        name="Wendy Wouters",
        email="wendy@woerden.nl",
    )


@pytest.fixture
def world(waiting, woerden, woerden_application, coordinator):
    return {"slug": waiting.cooperative.slug, "request": waiting, "woerden": woerden}


def test_only_the_coordinators_approve(request, world):
    one = f"/api/v1/cooperatives/{world['slug']}/access-requests/{world['request'].pk}/"
    cases = [
        Case(
            "approve",
            "post",
            lambda w: f"{one}approve/",
            statuses(401, 403, 403, 403, 200),
            body=lambda w: {"organisation": w["woerden"].pk, "role": "admin"},
        ),
    ]
    assert_permission_matrix(people_for(request, ROLES), cases, world)


def test_approving_invites_the_applicant_as_admin(
    waiting,
    woerden,
    woerden_application,
    coordinator,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(coordinator)
    url = f"/api/v1/cooperatives/{waiting.cooperative.slug}/access-requests/{waiting.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}approve/", {"organisation": woerden.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "approved" and body["organisation"]["id"] == woerden.pk
    invitation = Invitation.objects.get(pk=body["invitation"])
    assert (invitation.email, invitation.organisation, invitation.role) == (
        "wendy@woerden.nl",
        woerden,
        "admin",
    )
    assert [m.to for m in mailoutbox] == [["wendy@woerden.nl"]]
    # Decided once: a second decision is a conflict.
    again = client.post(f"{url}decline/", {"reason": "too late"})
    assert again.status_code == 409
    assert AuditRecord.objects.filter(action="access.approved").count() == 1


def test_approving_seats_the_first_person_of_a_newcomer_organisation(
    waiting, utrecht, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    # Nobody works for Utrecht on Deelbaar and it belongs to no cooperative: the newcomer the
    # request is for. Its coordinators may seat its first admin.
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(coordinator)
    url = f"/api/v1/cooperatives/{waiting.cooperative.slug}/access-requests/{waiting.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}approve/", {"organisation": utrecht.pk})
    assert response.status_code == 200, response.content
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.role) == (utrecht, "admin")
    assert [m.to for m in mailoutbox] == [["wendy@woerden.nl"]]


def test_an_approval_the_invitation_rules_refuse_approves_nothing(
    waiting, utrecht, coordinator, django_user_model
):
    # Somebody already works for Utrecht, which has nothing to do with the cooperative: its
    # own admins decide who joins it, not this cooperative's coordinator.
    someone = django_user_model.objects.create_user("u-staff", "staff@utrecht.nl", "x")
    Affiliation.objects.create(user=someone, organisation=utrecht, role="admin")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(coordinator)
    url = f"/api/v1/cooperatives/{waiting.cooperative.slug}/access-requests/{waiting.pk}/"
    response = client.post(f"{url}approve/", {"organisation": utrecht.pk})
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.state == AccessRequestState.PENDING
    assert not Invitation.objects.exists()


def test_approving_on_the_page(waiting, woerden, woerden_application, coordinator, mailoutbox):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(coordinator)
    url = f"/cooperatives/{waiting.cooperative.slug}/access-requests/{waiting.pk}/approve/"
    response = client.post(url, {"organisation": woerden.pk, "role": "admin"}, follow=True)
    assert response.status_code == 200
    assert "is invited to work for Woerden" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == "approved"


def test_the_approval_form_offers_only_organisations_the_coordinator_may_seat_people_in(
    waiting, woerden, woerden_application, utrecht, eindhoven, coordinator, django_user_model
):
    """Woerden applied to this cooperative and Eindhoven is nobody's yet: both on offer. Once
    somebody works for Eindhoven (which belongs to no cooperative the coordinator coordinates)
    it is its own admins' to decide, so it is no longer offered, as the service would refuse."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(coordinator)
    queue = f"/cooperatives/{waiting.cooperative.slug}/access-requests/"

    def offered():
        html = client.get(queue).content.decode()
        select = html[html.index(f'id="a{waiting.pk}-organisation"') :]
        select = select[: select.index("</select>")]
        return {o.name for o in (woerden, utrecht, eindhoven) if f">{o.name}<" in select}

    assert offered() == {"Woerden", "Utrecht", "Eindhoven"}
    someone = django_user_model.objects.create_user("e-staff", "staff@eindhoven.nl", "x")
    Affiliation.objects.create(user=someone, organisation=eindhoven, role="admin")
    assert offered() == {"Woerden", "Utrecht"}
    # Sent anyway, it is refused at the field, and nothing is approved.
    url = f"{queue}{waiting.pk}/approve/"
    response = client.post(url, {"organisation": eindhoven.pk, "role": "admin"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == AccessRequestState.PENDING


# --- Tokens follow the person's access --------------------------------------------------------
def test_removing_a_person_from_an_organisation_revokes_their_tokens(
    person, eindhoven, eindhoven_membership, coordinator
):
    from cooperative import services as cooperative_services
    from people.models import PersonalToken

    piet = person("piet", eindhoven)
    _token, secret = issue_token(actor=piet, user=piet, name="laptop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/me/").status_code == 200
    cooperative_services.remove_person(
        actor=coordinator, organisation=eindhoven, user=piet, reason="Left the municipality."
    )
    assert client.get("/api/v1/me/").status_code == 401
    token = PersonalToken.objects.get(user=piet)
    assert token.revoked_at is not None and "Eindhoven" in token.revoked_reason
    assert AuditRecord.objects.filter(
        action="people.token_revoked", organisation=eindhoven
    ).exists()


def test_a_coordinator_puts_a_newcomer_organisation_on_deelbaar_from_the_queue(
    waiting, coordinator, member_person
):
    queue = f"/cooperatives/{waiting.cooperative.slug}/access-requests/"
    page = f"/cooperatives/{waiting.cooperative.slug}/organisations/new/"
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(coordinator)
    assert page in client.get(queue).content.decode()
    assert client.get(page).status_code == 200
    refused = client.post(page, {"kind": "municipality", "name": ""})
    assert refused.status_code == 400
    assert "Vul de naam van de organisatie in." in refused.content.decode()
    done = client.post(
        page,
        {"kind": "municipality", "name": "Helmond", "cbs_code": "GM0794", "inhabitants": "92000"},
    )
    assert done.status_code == 302 and done["Location"] == queue
    helmond = Organisation.objects.get(name="Helmond")
    assert (helmond.cbs_code, helmond.inhabitants) == ("GM0794", 92000)
    # And the request is approved with it: the newcomer's first person is invited as admin.
    approved = client.post(
        f"{queue}{waiting.pk}/approve/", {"organisation": helmond.pk, "role": "admin"}
    )
    assert approved.status_code in (200, 302)
    assert Invitation.objects.get(organisation=helmond).role == "admin"
    # Not a coordinator of this cooperative: not allowed.
    other = Client()
    other.force_login(member_person)
    assert other.get(page).status_code == 403
    assert other.post(page, {"kind": "municipality", "name": "Deurne"}).status_code == 403
    assert not Organisation.objects.filter(name="Deurne").exists()
