"""The people API: an organisation's people and invitations, and the whole path from an
invitation to a verdict by the new tester, through the API only."""

from datetime import timedelta

import pytest
from django.utils.timezone import localdate
from rest_framework.test import APIClient

from cooperative.models import Affiliation, AuditRecord
from people.models import Invitation
from tests.people.conftest import link_in, token_of

pytestmark = pytest.mark.django_db
API = "/api/v1"


def as_(user=None, token=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json() if response.content else None


def test_invite_to_a_verdict_the_whole_path_through_the_api(
    zob,
    eindhoven,
    eindhoven_membership,
    mgd,
    mgd_membership,
    member_person,
    mgd_person,
    outbox,
    django_capture_on_commit_callbacks,
):
    """MijnGemeenteDichtbij's admin invites a tester; she accepts and sets a password, signs in;
    Eindhoven's product owner starts a new product and puts her on its team; an increment is
    submitted and she gives the verdict. Nothing of the demo is used."""
    eva, maarten = as_(member_person), as_(mgd_person)

    # 1. The admin of another municipality (MijnGemeenteDichtbij) invites a tester.
    with django_capture_on_commit_callbacks(execute=True):
        invitation = ok(
            maarten.post(
                f"{API}/organisations/{mgd.pk}/people/",
                {"email": "tessa@boxtel.test", "role": "staff"},
            ),
            201,
        )
    assert invitation["status"] == "pending" and invitation["organisation"]["id"] == mgd.pk
    [message] = outbox
    token = token_of(link_in(message))

    # 2. She accepts and sets a password (checked by the password rules).
    weak = as_().post(
        f"{API}/invitations/accept/",
        {"token": token, "password": "tessa", "first_name": "Tessa"},
    )
    assert weak.status_code == 400 and weak.json()["errors"][0]["field"] == "password"
    accepted = ok(
        as_().post(
            f"{API}/invitations/accept/",
            {
                "token": token,
                "password": "Zonnebloem-1987",
                "first_name": "Tessa",
                "last_name": "Bakker",
            },
        ),
        201,
    )
    # Her user name is her own, not her address: user names are shown to the team.
    assert accepted["username"] == "tessa.bakker"
    assert accepted["invitation"]["status"] == "accepted"
    again = as_().post(
        f"{API}/invitations/accept/", {"token": token, "password": "Zonnebloem-1987"}
    )
    assert again.status_code == 410 and again.json()["code"] == "invitation_used"

    # She signs in with her new password for a token, by the address she was invited at.
    signed_in = ok(
        as_().post(
            f"{API}/auth/token/",
            {"username": "tessa@boxtel.test", "password": "Zonnebloem-1987"},
        )
    )
    tessa = as_(token=signed_in["token"])
    me = ok(tessa.get(f"{API}/me/"))
    assert [o["id"] for o in me["organisations"]] == [mgd.pk]
    tessa_id = accepted["user"]

    # 3. Eindhoven's product owner starts a new product with MijnGemeenteDichtbij taking part,
    #    looks her up and puts her on its team.
    product = ok(
        eva.post(
            f"{API}/products/",
            {
                "cooperative": zob.slug,
                "owner": eindhoven.pk,
                "name": "Bezwaar en beroep",
                "key": "BEZ",
                "participants": [mgd.pk],
            },
        ),
        201,
    )
    found = ok(eva.get(f"{API}/people/?q=Tessa&product={product['id']}"))
    assert [person["id"] for person in found["results"]] == [tessa_id]
    assert "email" not in found["results"][0] or found["results"][0]["email"] is None
    ok(
        eva.post(f"{API}/products/{product['id']}/team/", {"user": tessa_id, "role": "tester"}),
        201,
    )

    # 4. A sprint's work is delivered and submitted; the new tester gives the verdict.
    developer = _developer(product["id"], eva)
    backlog = f"{API}/products/{product['id']}/backlog/"
    item = ok(
        eva.post(
            backlog,
            {
                "title": "Bezwaar indienen",
                "acceptance_criteria": ["Een bezwaar krijgt een zaaknummer"],
                "estimate": 5,
            },
        ),
        201,
    )
    sprint = ok(eva.post(f"{API}/products/{product['id']}/sprints/", {"start": localdate()}), 201)
    ok(eva.post(f"{API}/sprints/{sprint['id']}/commit/", {"items": [item["id"]]}))
    ok(eva.post(f"{API}/sprints/{sprint['id']}/start/"))
    ok(developer.post(f"{API}/items/{item['id']}/status/", {"status": "done"}))
    increment = ok(
        developer.post(
            f"{API}/increments/",
            {
                "product": product["id"],
                "version": "0.1.0",
                "items": [item["id"]],
                "sprint": sprint["id"],
            },
        ),
        201,
    )
    increment = ok(
        eva.post(
            f"{API}/increments/{increment['id']}/submit/",
            {"deadline": localdate() + timedelta(days=3)},
        )
    )
    assert [t["id"] for t in increment["testers"]] == [tessa_id]
    inbox = ok(tessa.get(f"{API}/me/inbox/"))
    assert [entry["item"]["id"] for entry in inbox["results"]] == [item["id"]]
    ok(
        tessa.post(
            f"{API}/increments/{increment['id']}/verdicts/", {"item": item["id"], "accepted": True}
        ),
        201,
    )
    assert ok(eva.get(f"{API}/increments/{increment['id']}/"))["state"] == "accepted"
    assert AuditRecord.objects.filter(action="invitation.accepted").count() == 1


def _developer(product_id, po):
    """A developer of the supplier, put on the team through the services (not the demo)."""
    from django.contrib.auth import get_user_model

    from cooperative import services as cooperative_services
    from cooperative.models import Organisation, OrganisationKind
    from sprints import services as sprint_services
    from sprints.models import Product

    admin = get_user_model().objects.get(is_superuser=True)
    supplier = Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).first()
    if supplier is None:
        supplier = cooperative_services.register_organisation(
            actor=admin, kind=OrganisationKind.SUPPLIER, name="Bouwer BV"
        )
    dev = get_user_model().objects.create_user("dani", password="a-Good-passw0rd")
    cooperative_services.affiliate(actor=admin, organisation=supplier, user=dev)
    product = Product.objects.get(pk=product_id)
    owner = product.members.get(role="product_owner").user
    sprint_services.add_team_member(actor=owner, product=product, user=dev, role="developer")
    return as_(dev)


def test_people_list_shows_addresses_only_to_who_manages(
    eindhoven_membership, member_person, eindhoven, person
):
    kees = person("kees", eindhoven)
    kees.email = "kees@eindhoven.test"
    kees.save()
    as_admin = ok(as_(member_person).get(f"{API}/organisations/{eindhoven.pk}/people/"))
    as_staff = ok(as_(kees).get(f"{API}/organisations/{eindhoven.pk}/people/"))
    rows = {row["username"]: row for row in as_admin["results"]}
    assert rows["kees"]["email"] == "kees@eindhoven.test" and rows["eva"]["role"] == "admin"
    assert {row["email"] for row in as_staff["results"]} == {None}


def test_change_role_remove_and_the_last_admin(
    eindhoven_membership, member_person, eindhoven, person
):
    kees = person("kees", eindhoven)
    eva = as_(member_person)
    url = f"{API}/organisations/{eindhoven.pk}/people/"
    assert ok(eva.patch(f"{url}{kees.pk}/", {"role": "admin"}))["role"] == "admin"
    ok(as_(kees).patch(f"{url}{member_person.pk}/", {"role": "staff"}))
    last = as_(kees).delete(f"{url}{kees.pk}/")
    assert last.status_code == 409 and last.json()["code"] == "last_admin"
    bad = as_(kees).patch(f"{url}{member_person.pk}/", {"role": "boss"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "role"
    ok(as_(kees).delete(f"{url}{member_person.pk}/"), 204)
    assert not Affiliation.objects.filter(user=member_person, organisation=eindhoven).exists()
    assert ok(as_(kees).get(url))["count"] == 1


def test_invitations_list_resend_and_revoke(
    eindhoven_membership, member_person, eindhoven, outbox, django_capture_on_commit_callbacks
):
    eva = as_(member_person)
    with django_capture_on_commit_callbacks(execute=True):
        created = ok(
            eva.post(f"{API}/invitations/", {"email": "a@x.test", "organisation": eindhoven.pk}),
            201,
        )
        resent = ok(eva.post(f"{API}/invitations/{created['id']}/resend/"))
    assert resent["send_count"] == 2 and len(outbox) == 2
    assert token_of(link_in(outbox[0])) != token_of(link_in(outbox[1]))
    listed = ok(eva.get(f"{API}/invitations/?organisation={eindhoven.pk}"))
    assert [row["id"] for row in listed["results"]] == [created["id"]]
    revoked = ok(eva.post(f"{API}/invitations/{created['id']}/revoke/", {"reason": "Fout"}))
    assert revoked["status"] == "revoked"
    twice = eva.post(f"{API}/invitations/{created['id']}/revoke/")
    assert twice.status_code == 409
    dead = as_().post(f"{API}/invitations/accept/", {"token": token_of(link_in(outbox[1]))})
    assert dead.status_code == 410 and dead.json()["code"] == "invitation_revoked"
    bad = eva.get(f"{API}/invitations/?organisation=x")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "organisation"


@pytest.mark.parametrize("size", [2, 12])
def test_lists_take_a_constant_number_of_queries(
    size, eindhoven_membership, member_person, eindhoven, person, django_assert_max_num_queries
):
    from people import services

    for number in range(size):
        person(f"p{number}", eindhoven)
        services.invite(actor=member_person, email=f"i{number}@x.test", organisation=eindhoven)
    eva = as_(member_person)
    with django_assert_max_num_queries(8):
        assert ok(eva.get(f"{API}/organisations/{eindhoven.pk}/people/"))["count"] == size + 1
    with django_assert_max_num_queries(8):
        assert ok(eva.get(f"{API}/invitations/"))["count"] == size
    assert Invitation.objects.count() == size


def test_a_product_owner_invites_straight_to_the_team(
    utrecht,
    zob,
    eindhoven,
    eindhoven_membership,
    mgd,
    mgd_membership,
    member_person,
    outbox,
    django_capture_on_commit_callbacks,
):
    eva = as_(member_person)
    product = ok(
        eva.post(
            f"{API}/products/",
            {
                "cooperative": zob.slug,
                "owner": eindhoven.pk,
                "name": "Bezwaar en beroep",
                "key": "BEZ",
                "participants": [mgd.pk],
            },
        ),
        201,
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation = ok(
            eva.post(
                f"{API}/invitations/",
                {
                    "email": "tessa@boxtel.test",
                    "organisation": mgd.pk,
                    "product": product["id"],
                    "team_role": "tester",
                },
            ),
            201,
        )
    assert invitation["team_role"] == "tester" and invitation["product"]["id"] == product["id"]
    token = token_of(link_in(outbox[-1]))
    accepted = ok(
        as_().post(
            f"{API}/invitations/accept/",
            {"token": token, "password": "Zonnebloem-1987", "first_name": "Tessa"},
        ),
        201,
    )
    team = ok(eva.get(f"{API}/products/{product['id']}/team/"))
    assert (accepted["user"], "tester") in {(m["user"]["id"], m["role"]) for m in team}
    # Utrecht neither owns nor takes part in the product: its people are not invited to it.
    outside = eva.post(
        f"{API}/invitations/",
        {
            "email": "x@utrecht.test",
            "organisation": utrecht.pk,
            "product": product["id"],
            "team_role": "tester",
        },
    )
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "organisation"
