"""Teams a product owner builds from nothing, the people look-up, product editing with
If-Match, and segregation of duties when roles change (issue 12)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate

from cooperative.models import AuditRecord
from deelbaar.errors import Conflict, DomainError, NotAllowed
from deelbaar.events import event_published
from sprints import services
from sprints.models import Product, TeamMember, TeamRole, Verdict
from tests.permissions import (
    PRODUCT_ROLES,
    Case,
    assert_permission_matrix,
    people_for,
    request_as,
    statuses_for,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def events():
    """The platform events announced after each commit, as (event, data)."""
    seen = []

    def receiver(sender, group, event, data, **kwargs):
        seen.append((event, data))

    event_published.connect(receiver, weak=False)
    yield seen
    event_published.disconnect(receiver)


@pytest.fixture
def woerden_tester(person, woerden, woerden_application):
    """A tester from Woerden, another municipality (its membership is being decided)."""
    return person("wendy", woerden)


@pytest.fixture
def with_woerden(product, product_owner, woerden, woerden_application):
    """Woerden takes part in the product."""
    return services.update_product(
        actor=product_owner, product=product, version=product.version, participants=[woerden]
    )


def _delivered(product, owner, developer, testers, count=2):
    """An active sprint's items done and an increment submitted to `testers`."""
    sprint = services.plan_sprint(actor=owner, product=product, start=localdate())
    items = [
        services.create_item(
            actor=owner,
            product=product,
            title=f"Item {n}",
            acceptance_criteria=["Het werkt"],
            estimate=3,
        )
        for n in range(count)
    ]
    services.commit_items(actor=owner, sprint=sprint, items=items)
    services.start_sprint(actor=owner, sprint=sprint)
    for item in items:
        services.set_item_status(actor=developer, item=item, status="done")
    increment = services.create_increment(
        actor=developer, product=product, version="0.1.0", items=items, sprint=sprint
    )
    services.submit_increment(
        actor=owner,
        increment=increment,
        deadline=localdate() + timedelta(days=3),
        testers=testers,
    )
    return increment, items


# --- services ---------------------------------------------------------------------------------
class TestTeamServices:
    def test_a_tester_from_a_participating_municipality_joins_with_an_audit_and_an_event(
        self,
        product,
        product_owner,
        with_woerden,
        woerden_tester,
        events,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            member = services.add_team_member(
                actor=product_owner, product=product, user=woerden_tester, role=TeamRole.TESTER
            )
        assert member.role == TeamRole.TESTER
        record = AuditRecord.objects.get(action="product.team_member_added")
        assert record.changes["team"] == [None, "wendy: tester"]
        added = [data for event, data in events if event == "team.member_added"]
        assert added == [
            {
                "product": product.pk,
                "product_name": product.name,
                "membership": member.pk,
                "user": woerden_tester.pk,
                "role": "tester",
                "actor": product_owner.pk,
            }
        ]

    def test_nothing_is_announced_when_the_change_is_rolled_back(
        self,
        product,
        product_owner,
        with_woerden,
        woerden_tester,
        events,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.add_team_member(
                actor=product_owner, product=product, user=woerden_tester, role=TeamRole.TESTER
            )
        assert callbacks  # queued for the commit, not sent at once
        assert events == []

    def test_someone_of_another_organisation_cannot_join(
        self, product, product_owner, woerden_tester, outsider_person
    ):
        # Woerden does not take part in this product (yet), Utrecht is no member at all.
        for user in (woerden_tester, outsider_person):
            with pytest.raises(DomainError) as refused:
                services.add_team_member(
                    actor=product_owner, product=product, user=user, role=TeamRole.TESTER
                )
            assert refused.value.field == "user"
        assert not TeamMember.objects.filter(role=TeamRole.TESTER).exists()

    def test_only_the_owner_and_coordinators_manage_the_team(
        self, product, tester, developer, coordinator, person, eindhoven
    ):
        newcomer = person("nina", eindhoven)
        for actor in (tester, developer):
            with pytest.raises(NotAllowed):
                services.add_team_member(
                    actor=actor, product=product, user=newcomer, role=TeamRole.TESTER
                )
        services.add_team_member(
            actor=coordinator, product=product, user=newcomer, role=TeamRole.TESTER
        )

    def test_removing_a_tester_keeps_their_verdicts_and_history(
        self,
        product,
        product_owner,
        developer,
        tester,
        events,
        django_capture_on_commit_callbacks,
    ):
        increment, items = _delivered(product, product_owner, developer, [tester], count=1)
        services.give_verdict(actor=tester, increment=increment, item=items[0], accepted=True)
        member = TeamMember.objects.get(product=product, user=tester)
        with django_capture_on_commit_callbacks(execute=True):
            services.remove_team_member(actor=product_owner, member=member)
        assert not TeamMember.objects.filter(product=product, user=tester).exists()
        assert Verdict.objects.filter(tester=tester).count() == 1
        assert AuditRecord.objects.filter(action="verdict.accepted").exists()
        record = AuditRecord.objects.get(action="product.team_member_removed")
        assert record.changes["team"] == ["tessa: tester", None]
        assert ("team.member_removed", member.pk) in [(e, d["membership"]) for e, d in events]

    def test_the_last_product_owner_cannot_be_removed(self, product, product_owner):
        member = TeamMember.objects.get(product=product, role=TeamRole.PRODUCT_OWNER)
        with pytest.raises(Conflict):
            services.remove_team_member(actor=product_owner, member=member)
        assert TeamMember.objects.filter(pk=member.pk).exists()

    def test_handing_over_makes_a_new_owner_and_ends_their_tester_role(
        self, product, product_owner, tester, events, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.hand_over_product(actor=product_owner, product=product, user=tester)
        roles = set(
            TeamMember.objects.filter(product=product).values_list("user__username", "role")
        )
        assert ("tessa", TeamRole.PRODUCT_OWNER) in roles
        assert ("tessa", TeamRole.TESTER) not in roles
        assert not any(user == product_owner.username for user, _ in roles)
        record = AuditRecord.objects.get(action="product.owner_changed")
        assert record.changes["product_owner"] == [product_owner.username, "tessa"]
        changed = [d for e, d in events if e == "team.owner_changed"]
        assert changed[0]["user"] == tester.pk
        assert changed[0]["previous_owners"] == [product_owner.pk]
        # The previous owner no longer steers the product.
        with pytest.raises(NotAllowed):
            services.add_team_member(
                actor=product_owner, product=product, user=product_owner, role=TeamRole.TESTER
            )

    def test_a_supplier_cannot_own_a_product(self, product, product_owner, developer):
        with pytest.raises(DomainError) as refused:
            services.hand_over_product(actor=product_owner, product=product, user=developer)
        assert refused.value.field == "user"


# --- segregation of duties mid-sprint ----------------------------------------------------------
def test_a_tester_made_developer_mid_sprint_can_no_longer_give_verdicts(
    product, product_owner, developer, tester
):
    increment, items = _delivered(product, product_owner, developer, [tester])
    first = request_as(
        tester,
        "post",
        f"{API}/increments/{increment.pk}/verdicts/",
        {"item": items[0].pk, "accepted": True},
    )
    assert first.status_code == 201, first.json()
    member = TeamMember.objects.get(product=product, user=tester)
    changed = request_as(
        product_owner,
        "patch",
        f"{API}/products/{product.pk}/team/{member.pk}/",
        {"role": "developer"},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["role"] == "developer"
    second = request_as(
        tester,
        "post",
        f"{API}/increments/{increment.pk}/verdicts/",
        {"item": items[1].pk, "accepted": True},
    )
    assert second.status_code == 403
    assert Verdict.objects.filter(tester=tester).count() == 1  # the first one stays


# --- the team API ------------------------------------------------------------------------------
def test_a_product_owner_builds_a_team_from_nothing_through_the_api(
    zob,
    eindhoven,
    eindhoven_membership,
    product_owner,
    woerden,
    woerden_application,
    woerden_tester,
    person,
    gemboxx,
):
    created = request_as(
        product_owner,
        "post",
        f"{API}/products/",
        {"cooperative": zob.slug, "owner": eindhoven.pk, "name": "Parkeren", "key": "PRK"},
    )
    assert created.status_code == 201, created.json()
    product_id, etag = created.json()["id"], created.json()["version"]
    joined = request_as(
        product_owner,
        "patch",
        f"{API}/products/{product_id}/",
        {"participants": [woerden.pk]},
        headers={"If-Match": f'"{etag}"'},
    )
    assert joined.status_code == 200, joined.json()
    bouwer = person("bob", gemboxx)
    found = request_as(product_owner, "get", f"{API}/people/?product={product_id}&q=wendy")
    assert [p["id"] for p in found.json()["results"]] == [woerden_tester.pk]
    for user, role in ((woerden_tester, "tester"), (bouwer, "developer")):
        added = request_as(
            product_owner,
            "post",
            f"{API}/products/{product_id}/team/",
            {"user": user.pk, "role": role},
        )
        assert added.status_code == 201, added.json()
        assert added.json()["user"]["id"] == user.pk
    team = request_as(woerden_tester, "get", f"{API}/products/{product_id}/team/").json()
    assert [(m["user"]["username"], m["role"]) for m in team] == [
        (product_owner.username, "product_owner"),
        ("bob", "developer"),
        ("wendy", "tester"),
    ]
    assert all("email" not in m["user"] for m in team)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "tester"}, "user"),
        ({"user": 999999, "role": "tester"}, "user"),
        ({"user": "x", "role": "tester"}, "user"),
        ({"user": None, "role": "tester"}, "user"),
        ({"role": "product_owner", "user": 0}, "role"),
        ({"role": "boss", "user": 0}, "role"),
        ({"role": "tester", "user": 0, "admin": True}, "admin"),
    ],
)
def test_bad_team_input_is_refused_naming_the_field(
    product, product_owner, person, eindhoven, body, field
):
    newcomer = person("nina", eindhoven)
    if body.get("user") == 0:
        body = {**body, "user": newcomer.pk}
    before = TeamMember.objects.count()
    response = request_as(product_owner, "post", f"{API}/products/{product.pk}/team/", body)
    assert response.status_code == 400, response.json()
    assert field in [error["field"] for error in response.json()["errors"]]
    assert TeamMember.objects.count() == before


def test_an_outsider_is_not_among_the_people_to_choose(product, product_owner, outsider_person):
    response = request_as(
        product_owner,
        "post",
        f"{API}/products/{product.pk}/team/",
        {"user": outsider_person.pk, "role": "tester"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "user"


def test_the_product_owner_cannot_be_removed_or_changed_through_the_api(product, product_owner):
    member = TeamMember.objects.get(product=product, role=TeamRole.PRODUCT_OWNER)
    url = f"{API}/products/{product.pk}/team/{member.pk}/"
    assert request_as(product_owner, "delete", url).status_code == 409
    assert request_as(product_owner, "patch", url, {"role": "tester"}).status_code == 409
    assert TeamMember.objects.get(pk=member.pk).role == TeamRole.PRODUCT_OWNER


def test_handing_over_through_the_api(product, product_owner, tester, coordinator):
    response = request_as(
        coordinator, "post", f"{API}/products/{product.pk}/team/hand-over/", {"user": tester.pk}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["role"] == "product_owner"
    assert response.json()["user"]["id"] == tester.pk


# --- product editing -----------------------------------------------------------------------------
class TestProductEditing:
    def url(self, product):
        return f"{API}/products/{product.pk}/"

    def test_an_edit_with_the_version_read_is_saved_and_raises_it(self, product, product_owner):
        read = request_as(product_owner, "get", self.url(product))
        assert read["ETag"] == '"1"'
        response = request_as(
            product_owner,
            "patch",
            self.url(product),
            {"name": "Subsidies", "vision": "Zonder papier.", "sprint_length_days": 21},
            headers={"If-Match": read["ETag"]},
        )
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'
        product.refresh_from_db()
        assert (product.name, product.vision, product.sprint_length_days, product.version) == (
            "Subsidies",
            "Zonder papier.",
            21,
            2,
        )
        record = AuditRecord.objects.get(action="product.changed")
        assert record.changes["name"] == ["Subsidiesysteem", "Subsidies"]

    def test_a_stale_edit_is_refused_with_the_product_as_it_is(
        self, product, product_owner, coordinator
    ):
        services.update_product(
            actor=coordinator, product=product, version=1, name="Door een ander"
        )
        response = request_as(
            product_owner,
            "patch",
            self.url(product),
            {"name": "Mijn naam"},
            headers={"If-Match": '"1"'},
        )
        assert response.status_code == 412
        body = response.json()
        assert body["code"] == "stale"
        assert body["current"]["name"] == "Door een ander"
        assert response["ETag"] == '"2"'
        product.refresh_from_db()
        assert product.name == "Door een ander"

    def test_without_if_match_it_is_a_400_naming_it(self, product, product_owner):
        response = request_as(product_owner, "patch", self.url(product), {"name": "X"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "If-Match"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"sprint_length_days": 3}, "sprint_length_days"),
            ({"name": ""}, "name"),
            ({"name": "ok", "key": "NEW"}, "key"),
            ({"name": "ok", "participants": [999999]}, "participants"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(
        self, product, product_owner, body, field
    ):
        response = request_as(
            product_owner, "patch", self.url(product), body, headers={"If-Match": '"1"'}
        )
        assert response.status_code == 400, response.json()
        assert field in [error["field"] for error in response.json()["errors"]]
        product.refresh_from_db()
        assert (product.name, product.version) == ("Subsidiesysteem", 1)

    def test_a_participant_without_membership_is_refused_and_nothing_is_half_written(
        self, product, product_owner, utrecht
    ):
        response = request_as(
            product_owner,
            "patch",
            self.url(product),
            {"name": "Andere naam", "participants": [utrecht.pk]},
            headers={"If-Match": '"1"'},
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "participants"
        product.refresh_from_db()
        assert product.name == "Subsidiesysteem"
        assert not product.participants.exists()


# --- the look-up -------------------------------------------------------------------------------
def test_the_look_up_shows_only_people_of_the_same_cooperative_without_email(
    product, product_owner, tester, outsider_person, other_coordinator, woerden_tester
):
    response = request_as(product_owner, "get", f"{API}/people/")
    assert response.status_code == 200
    people = response.json()["results"]
    usernames = {p["username"] for p in people}
    assert {"tessa", "wendy"} <= usernames  # Woerden's application is open: same cooperative
    assert outsider_person.username not in usernames
    assert other_coordinator.username not in usernames
    assert all(set(p) == {"id", "username", "name", "organisations"} for p in people)
    assert "@" not in response.content.decode()
    # The outsider sees only their own organisation's people.
    theirs = request_as(outsider_person, "get", f"{API}/people/").json()["results"]
    assert {p["username"] for p in theirs} == {outsider_person.username}


def test_the_look_up_searches_by_name(product_owner, tester, person, eindhoven):
    person("timo", eindhoven)
    response = request_as(product_owner, "get", f"{API}/people/?q=TES")
    assert [p["username"] for p in response.json()["results"]] == ["tessa"]


def test_the_look_up_takes_the_same_queries_at_any_size(
    product, product_owner, person, eindhoven, boxtel, django_assert_max_num_queries
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = request_as(product_owner, "get", f"{API}/people/?product={product.pk}")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    for n in range(2):
        person(f"p{n}", eindhoven)
    small, small_count = count()
    for n in range(2, 30):
        person(f"p{n}", eindhoven, boxtel)
    large, large_count = count()
    assert large_count > small_count
    assert large == small
    with django_assert_max_num_queries(small):
        request_as(product_owner, "get", f"{API}/people/?product={product.pk}")


def test_the_team_list_takes_the_same_queries_at_any_size(
    product, product_owner, person, eindhoven
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = request_as(product_owner, "get", f"{API}/products/{product.pk}/team/")
        assert response.status_code == 200
        return len(queries)

    small = count()
    for n in range(20):
        services.add_team_member(
            actor=product_owner,
            product=product,
            user=person(f"t{n}", eindhoven),
            role=TeamRole.TESTER,
        )
    assert count() == small


# --- the permission matrix ---------------------------------------------------------------------
ROLES = PRODUCT_ROLES
statuses = statuses_for(ROLES)
# anonymous, outsider, other coordinator, tester, developer, product owner, coordinator
READ = statuses(401, 404, 404, 200, 200, 200, 200)


@pytest.fixture
def world(
    request,
    product,
    product_owner,
    developer,
    tester,
    coordinator,
    other_coordinator,
    outsider_person,
    person,
    eindhoven,
):
    newcomer = person("nina", eindhoven)
    spare = person("sam", eindhoven)
    services.add_team_member(actor=product_owner, product=product, user=spare, role="tester")
    return SimpleNamespace(
        product=product,
        newcomer=newcomer,
        spare=TeamMember.objects.get(user=spare),
        tester=tester,
        people=people_for(request, ROLES),
    )


def _team(w):
    return f"{API}/products/{w.product.pk}/team/"


CASES = [
    Case("team: list", "get", _team, READ),
    Case(
        "team: add",
        "post",
        _team,
        statuses(401, 404, 404, 403, 403, 201, 201),
        lambda w: {"user": w.newcomer.pk, "role": "tester"},
    ),
    Case(
        "team: change role",
        "patch",
        lambda w: f"{_team(w)}{w.spare.pk}/",
        statuses(401, 404, 404, 403, 403, 200, 200),
        lambda w: {"role": "developer"},
    ),
    Case(
        "team: remove",
        "delete",
        lambda w: f"{_team(w)}{w.spare.pk}/",
        statuses(401, 404, 404, 403, 403, 204, 204),
    ),
    Case(
        "team: hand over",
        "post",
        lambda w: f"{_team(w)}hand-over/",
        statuses(401, 404, 404, 403, 403, 200, 200),
        lambda w: {"user": w.newcomer.pk},
    ),
    Case(
        "product: edit",
        "patch",
        lambda w: f"{API}/products/{w.product.pk}/",
        statuses(401, 404, 404, 403, 403, 200, 200),
        lambda w: {"vision": "Nieuw"},
        lambda w: {"If-Match": '"1"'},
    ),
    Case(
        "people: candidates of a product",
        "get",
        lambda w: f"{API}/people/?product={w.product.pk}",
        statuses(401, 404, 404, 403, 403, 200, 200),
    ),
    Case(
        "people: look-up",
        "get",
        lambda w: f"{API}/people/",
        statuses(401, 200, 200, 200, 200, 200, 200),
    ),
]


def _state():
    return (
        sorted(TeamMember.objects.values_list("pk", "user_id", "role")),
        list(Product.objects.values_list("version", "vision")),
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(world, case):
    assert_permission_matrix(world.people, [case], world, state=_state)


# --- /api/v1/me/ ---------------------------------------------------------------------------------
def test_me_names_my_product_roles_for_the_menus(product, product_owner, tester, coordinator):
    body = request_as(tester, "get", f"{API}/me/").json()
    assert body["products"] == [
        {
            "id": product.pk,
            "key": "SUB",
            "name": "Subsidiesysteem",
            "cooperative": "zuidoost-brabant",
            "roles": ["tester"],
        }
    ]
    assert {
        "role": "tester",
        "object_type": "product",
        "object": str(product.pk),
        "name": "Subsidiesysteem",
    } in body["roles"]
    assert [o["slug"] for o in body["organisations"]] == ["eindhoven"]
    assert body["coordinates"] == []
    owner = request_as(product_owner, "get", f"{API}/me/").json()
    assert owner["products"][0]["roles"] == ["product_owner"]
    assert [
        c["slug"] for c in request_as(coordinator, "get", f"{API}/me/").json()["coordinates"]
    ] == ["zuidoost-brabant"]


# --- open increments when a tester leaves --------------------------------------------------------
def test_a_removed_tester_is_no_longer_waited_for(
    product, product_owner, developer, tester, second_tester
):
    increment, items = _delivered(product, product_owner, developer, [tester, second_tester])
    for item in items:
        services.give_verdict(actor=tester, increment=increment, item=item, accepted=True)
    services.give_verdict(actor=second_tester, increment=increment, item=items[0], accepted=True)
    increment.refresh_from_db()
    assert increment.state == "submitted"  # the second tester has not judged items[1] yet
    member = TeamMember.objects.get(product=product, user=second_tester)
    services.remove_team_member(actor=product_owner, member=member)
    increment.refresh_from_db()
    assert increment.state == "accepted"
    assert list(increment.testers.all()) == [tester]
    assert Verdict.objects.filter(tester=second_tester).count() == 1  # what they said stays
    assert AuditRecord.objects.filter(action="increment.tester_withdrawn").count() == 1


def test_the_only_tester_made_developer_leaves_the_increment_waiting(
    product, product_owner, developer, tester
):
    increment, _items = _delivered(product, product_owner, developer, [tester])
    member = TeamMember.objects.get(product=product, user=tester)
    services.change_team_role(actor=product_owner, member=member, role=TeamRole.DEVELOPER)
    increment.refresh_from_db()
    assert increment.state == "submitted"
    assert not increment.testers.exists()
