"""List endpoints answer in the same number of queries at 10 and at 500 organisations.

The data is bulk-created (factories for bulk data; the services are tested elsewhere). Each test
asks for a full page at both sizes under the same, tight bound, and checks that the page did
grow, so a query per row would fail it.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.timezone import localdate
from rest_framework.test import APIClient

from cooperative.models import (
    AuditRecord,
    Cooperative,
    Membership,
    MembershipRole,
    MembershipState,
    Organisation,
    OrganisationKind,
)

pytestmark = pytest.mark.django_db

SIZES = (10, 500)
PAGE = {"page_size": 100}


def municipalities(start, count):
    return Organisation.objects.bulk_create(
        Organisation(
            kind=OrganisationKind.MUNICIPALITY,
            name=f"Gemeente {number:04}",
            slug=f"gemeente-{number:04}",
            cbs_code=f"GM{number:04}",
            inhabitants=1_000 + number,
        )
        for number in range(start, start + count)
    )


def joint_arrangements(start, count, represented):
    """Joint arrangements that each represent two municipalities, so `represents` is shown."""
    arrangements = Organisation.objects.bulk_create(
        Organisation(
            kind=OrganisationKind.JOINT_ARRANGEMENT,
            # Named to sort before the municipalities, so they are on the first page.
            name=f"Bedrijfsvoering {number:04}",
            slug=f"bedrijfsvoering-{number:04}",
        )
        for number in range(start, start + count)
    )
    Organisation.represents.through.objects.bulk_create(
        Organisation.represents.through(from_organisation=arrangement, to_organisation=municipality)
        for index, arrangement in enumerate(arrangements)
        for municipality in represented[2 * index : 2 * index + 2]
    )
    return arrangements


def organisations(count):
    """`count` more organisations: nine in ten municipalities, the rest joint arrangements."""
    start = 1000 + Organisation.objects.count()
    arrangements = count // 10
    towns = municipalities(start, count - arrangements)
    return towns + joint_arrangements(start, arrangements, towns)


def active_memberships(cooperative, members, state=MembershipState.ACTIVE):
    now = timezone.now()
    paid = state in (MembershipState.ACTIVE, MembershipState.LEFT)
    return Membership.objects.bulk_create(
        Membership(
            cooperative=cooperative,
            organisation=organisation,
            role=MembershipRole.MEMBER,
            state=state,
            contribution_due=Decimal("1000.00"),
            paid_on=localdate() if paid else None,
            paid_amount=Decimal("1000.00") if paid else None,
            decided_at=now,
            activated_at=now if paid else None,
        )
        for organisation in members
    )


def grow(sizes=SIZES):
    """Yield each size after adding organisations up to it."""
    have = 0
    for size in sizes:
        yield size, organisations(size - have)
        have = size


@pytest.fixture
def client_for():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def test_organisations_list(client_for, django_assert_max_num_queries):
    client = client_for()
    for size, _added in grow():
        # A count, a page, the prefetched municipalities they represent.
        with django_assert_max_num_queries(3):
            response = client.get("/api/v1/organisations/", PAGE)
        assert response.status_code == 200
        assert response.json()["count"] == size
        assert any(o["represents"] for o in response.json()["results"])


def test_cooperatives_list(client_for, zob, dimpact, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    for size, added in grow():
        # Members for zob, and more cooperatives as the organisations grow, each with members.
        active_memberships(zob, added)
        extra = Cooperative.objects.bulk_create(
            Cooperative(name=f"Coöperatie {size}-{n}", slug=f"cooperatie-{size}-{n}")
            for n in range(max(1, size // 50))
        )
        for cooperative in extra:
            active_memberships(cooperative, added[:5])
        # A count and a page with reach and active members computed in the database.
        with django_assert_max_num_queries(2):
            response = client.get("/api/v1/cooperatives/", PAGE)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == Cooperative.objects.count() > 2
        by_slug = {c["slug"]: c for c in body["results"]}
        assert by_slug["zuidoost-brabant"]["active_members"] == size


@pytest.mark.parametrize("who", ["coordinator", "member_person", None])
def test_memberships_list(request, client_for, zob, who, django_assert_max_num_queries):
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    for size, added in grow():
        active_memberships(zob, added[: len(added) // 2])
        active_memberships(zob, added[len(added) // 2 :], state=MembershipState.APPROVED)
        # The cooperative, whether the person coordinates it, a count and a page.
        with django_assert_max_num_queries(4):
            response = client.get("/api/v1/cooperatives/zuidoost-brabant/memberships/", PAGE)
        assert response.status_code == 200
        assert Membership.objects.filter(cooperative=zob).count() == size
        visible = Membership.objects.filter(cooperative=zob)
        if who != "coordinator":
            visible = visible.filter(state=MembershipState.ACTIVE)
        assert response.json()["count"] == visible.count() > 0
        assert len(response.json()["results"]) == min(visible.count(), 100)


def test_audit_list(client_for, zob, coordinator, admin, django_assert_max_num_queries):
    client = client_for(coordinator)
    membership_type = ContentType.objects.get_for_model(Membership)
    at = timezone.now() - timedelta(days=1)
    for size, added in grow():
        AuditRecord.objects.bulk_create(
            AuditRecord(
                at=at,
                actor=admin if number % 2 else coordinator,
                actor_name="Root" if number % 2 else "Carla",
                organisation=organisation,
                cooperative=zob,
                action="membership.applied",
                object_type=membership_type,
                object_id=str(number),
                object_repr=f"{organisation} in {zob}",
                changes={"state": [None, "applied"]},
            )
            for number, organisation in enumerate(added)
        )
        # Whether the person coordinates anything, a count and a page.
        with django_assert_max_num_queries(3):
            response = client.get("/api/v1/audit/", PAGE)
        assert response.status_code == 200
        assert response.json()["count"] == AuditRecord.objects.filter(cooperative=zob).count()
        assert response.json()["count"] >= size
