"""The permission matrix of the people API: every endpoint by every role.

anonymous          not signed in
outsider           works for Utrecht, a member of nothing
staff              Kees, staff of Eindhoven
other_admin        Maarten, admin of MijnGemeenteDichtbij (an admin of organisation A
                   managing organisation B gets 404: B's people are not his to see)
admin              Eva, admin of Eindhoven (she applied for it)
coordinator        coordinates Zuidoost-Brabant, of which Eindhoven is a pilot
other_coordinator  coordinates Dimpact
administrator      superuser: exactly the powers the rules give administrators

The organisation is Eindhoven; the invitation one Eva sent.
"""

import pytest

from cooperative.models import Affiliation, AuditRecord
from people import services
from people.models import Invitation
from tests.permissions import Case, assert_permission_matrix, people_for

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "outsider": "outsider_person",
    "staff": "kees",
    "other_admin": "mgd_person",
    "admin": "member_person",
    "coordinator": "coordinator",
    "other_coordinator": "other_coordinator",
    "administrator": "admin",
}


def statuses(*codes):
    return dict(zip(ROLES, codes, strict=True))


@pytest.fixture
def kees(person, eindhoven):
    return person("kees", eindhoven)


@pytest.fixture
def world(eindhoven, eindhoven_membership, mgd_membership, member_person, kees, dimpact):
    invitation = services.invite(
        actor=member_person, email="nieuw@eindhoven.test", organisation=eindhoven
    )
    return {"eindhoven": eindhoven, "kees": kees, "invitation": invitation}


def people_url(world, tail=""):
    return f"/api/v1/organisations/{world['eindhoven'].pk}/people/{tail}"


def state():
    return (
        sorted(Affiliation.objects.values_list("user_id", "organisation_id", "role")),
        sorted(Invitation.objects.values_list("pk", "state", "token_hash", "send_count")),
        AuditRecord.objects.count(),
    )


CASES = [
    Case(
        "list people",
        "get",
        lambda w: people_url(w),
        statuses(401, 404, 200, 404, 200, 200, 404, 200),
    ),
    Case(
        "show a person",
        "get",
        lambda w: people_url(w, f"{w['kees'].pk}/"),
        statuses(401, 404, 200, 404, 200, 200, 404, 200),
    ),
    Case(
        "invite to the organisation",
        "post",
        lambda w: people_url(w),
        statuses(401, 404, 403, 404, 201, 201, 404, 201),
        body=lambda w: {"email": "kollega@eindhoven.test", "role": "staff"},
    ),
    Case(
        "change a role",
        "patch",
        lambda w: people_url(w, f"{w['kees'].pk}/"),
        statuses(401, 404, 403, 404, 200, 200, 404, 200),
        body=lambda w: {"role": "admin"},
    ),
    Case(
        "remove a person",
        "delete",
        lambda w: people_url(w, f"{w['kees'].pk}/"),
        statuses(401, 404, 403, 404, 204, 204, 404, 204),
    ),
    Case(
        "list invitations",
        "get",
        lambda w: "/api/v1/invitations/",
        statuses(401, 200, 200, 200, 200, 200, 200, 200),
    ),
    Case(
        "invite by the general endpoint",
        "post",
        lambda w: "/api/v1/invitations/",
        statuses(401, 403, 403, 403, 201, 201, 403, 201),
        body=lambda w: {"email": "kollega@eindhoven.test", "organisation": w["eindhoven"].pk},
    ),
    Case(
        "show an invitation",
        "get",
        lambda w: f"/api/v1/invitations/{w['invitation'].pk}/",
        statuses(401, 404, 404, 404, 200, 200, 404, 200),
    ),
    Case(
        "resend an invitation",
        "post",
        lambda w: f"/api/v1/invitations/{w['invitation'].pk}/resend/",
        statuses(401, 404, 404, 404, 200, 200, 404, 200),
    ),
    Case(
        "revoke an invitation",
        "post",
        lambda w: f"/api/v1/invitations/{w['invitation'].pk}/revoke/",
        statuses(401, 404, 404, 404, 200, 200, 404, 200),
        body=lambda w: {"reason": "Verkeerd adres"},
    ),
    Case(
        # The token is the credential: a wrong one is refused the same for everyone.
        "accept with a wrong token",
        "post",
        lambda w: "/api/v1/invitations/accept/",
        statuses(410, 410, 410, 410, 410, 410, 410, 410),
        body=lambda w: {"token": "not-a-token", "password": "Zonnebloem-1987"},
    ),
]


def test_people_api_permission_matrix(request, world):
    assert_permission_matrix(people_for(request, ROLES), CASES, world, state=state)


def test_the_matrix_covers_every_route():
    from people.api.urls import urlpatterns

    # accept; people list, detail; invitations list, detail, resend, revoke
    assert len(urlpatterns) == 7
    assert {case.method for case in CASES} == {"get", "post", "patch", "delete"}
