"""The sprints domain rules, proved through the services the API and pages call."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.timezone import localdate

from cooperative import services as cooperative
from cooperative.models import AuditRecord
from deelbaar.errors import Conflict, DomainError, NotAllowed, StaleObject
from sprints import selectors, services
from sprints.models import (
    BacklogItem,
    Increment,
    IncrementState,
    ItemChange,
    ItemKind,
    ItemOutcome,
    ItemStatus,
    Sprint,
    SprintState,
    TeamRole,
    Verdict,
)
from sprints.services.backlog import _read_for_move
from tests.sprints.flows import run_sprint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the source language, whatever the catalogue holds."""
    with translation.override("en"):
        yield


def backlog_numbers(product):
    return [item.number for item in selectors.backlog_for(product)]


def audit_actions(obj):
    return list(
        AuditRecord.objects.filter(
            object_id=str(obj.pk), action__startswith=type(obj).__name__.lower()
        )
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


# --- products ------------------------------------------------------------------------------------
class TestParticipants:
    def create(self, actor, zob, eindhoven, participants):
        return services.create_product(
            actor=actor,
            cooperative=zob,
            owner=eindhoven,
            name="Inwonerscloud",
            key="INW",
            participants=participants,
        )

    def test_open_members_take_part_and_their_people_see_the_product(
        self,
        zob,
        eindhoven,
        eindhoven_membership,
        member_person,
        mgd_membership,
        mgd_person,
        woerden_application,
        applicant_person,
    ):
        mgd, woerden = mgd_membership.organisation, woerden_application.organisation
        product = self.create(member_person, zob, eindhoven, [mgd, woerden])
        assert set(product.participants.all()) == {mgd, woerden}
        for person in (mgd_person, applicant_person):
            assert product in selectors.products_visible_to(person)

    def test_outsiders_and_the_owner_are_refused(
        self,
        zob,
        dimpact,
        eindhoven,
        eindhoven_membership,
        member_person,
        utrecht,
        mgd,
        mgd_person,
        woerden_application,
        coordinator,
    ):
        # MijnGemeenteDichtbij applied to another cooperative; Woerden's application is rejected.
        cooperative.apply_for_membership(actor=mgd_person, cooperative=dimpact, organisation=mgd)
        cooperative.reject_membership(
            actor=coordinator, membership=woerden_application, reason="Geen bijdrage"
        )
        woerden = woerden_application.organisation
        for participants, says in (
            ([utrecht], "Utrecht is not one"),
            ([mgd], "MijnGemeenteDichtbij is not one"),
            ([woerden], "Woerden is not one"),
            ([utrecht, mgd], "Utrecht, MijnGemeenteDichtbij are not"),
            ([eindhoven], "Eindhoven owns the product"),
        ):
            with pytest.raises(DomainError) as error:
                self.create(member_person, zob, eindhoven, participants)
            assert error.value.field == "participants"
            assert says in str(error.value.message)
        assert not zob.products.exists()


# --- numbering and readiness -------------------------------------------------------------------
class TestNumbering:
    def test_items_are_numbered_per_product_from_one(self, product, make_item):
        items = [make_item(f"Item {n}") for n in range(5)]
        assert [i.reference for i in items] == ["SUB-1", "SUB-2", "SUB-3", "SUB-4", "SUB-5"]
        product.refresh_from_db()
        assert product.last_item_number == 5

    def test_each_product_has_its_own_numbers(
        self, zob, eindhoven, product, product_owner, make_item
    ):
        make_item("Eerste")
        make_item("Tweede")
        other = services.create_product(
            actor=product_owner, cooperative=zob, owner=eindhoven, name="Inwonerscloud", key="INW"
        )
        item = services.create_item(actor=product_owner, product=other, title="Zorgdossier")
        assert item.reference == "INW-1"

    def test_a_refused_item_uses_no_number(self, product, product_owner, make_item):
        make_item("Eerste")
        with pytest.raises(ValidationError):
            services.create_item(actor=product_owner, product=product, title="Fout", estimate=4)
        with pytest.raises(ValidationError):
            services.create_item(actor=product_owner, product=product, title="   ")
        assert make_item("Tweede").reference == "SUB-2"
        assert sorted(BacklogItem.objects.values_list("number", flat=True)) == [1, 2]

    def test_someone_outside_the_team_cannot_add_items(self, product, outsider_person, tester):
        for person in (outsider_person, tester):
            with pytest.raises(NotAllowed):
                services.create_item(actor=person, product=product, title="Ongevraagd")
        assert not BacklogItem.objects.exists()


class TestReadiness:
    @pytest.mark.parametrize(
        ("criteria", "estimate", "ready"),
        [
            (["Het formulier bewaart een concept"], 3, True),
            (["Een criterium"], 0, True),  # zero points is an estimate
            ([], 3, False),
            (["Een criterium"], None, False),
            ([], None, False),
            (["  ", ""], 5, False),  # blank criteria are dropped
        ],
    )
    def test_ready_means_criteria_and_an_estimate(
        self, product, product_owner, criteria, estimate, ready
    ):
        item = services.create_item(
            actor=product_owner,
            product=product,
            title="Aanvraag indienen",
            acceptance_criteria=criteria,
            estimate=estimate,
        )
        assert item.is_ready is ready

    @pytest.mark.parametrize("estimate", [4, -1, 7, "veel", 1000])
    def test_only_the_known_estimates_are_allowed(self, product, product_owner, estimate):
        with pytest.raises(ValidationError) as error:
            services.create_item(
                actor=product_owner, product=product, title="Schatting", estimate=estimate
            )
        assert "estimate" in error.value.message_dict

    def test_an_edit_can_make_an_item_ready(self, product, product_owner, developer):
        item = services.create_item(actor=product_owner, product=product, title="Ruw idee")
        assert not item.is_ready
        item = services.update_item(
            actor=developer,
            item=item,
            version=item.version,
            acceptance_criteria=["De aanvrager ziet een bevestiging"],
            estimate=5,
        )
        assert item.is_ready


# --- ordering -----------------------------------------------------------------------------------
class TestMoves:
    @pytest.fixture
    def five(self, make_item):
        return [make_item(f"Item {n}") for n in range(1, 6)]

    @pytest.mark.parametrize(
        "where, target, expected",
        [
            ("before", 3, (4, 3, 2)),
            ("after", 1, (4, 1, 2)),
            ("top", None, (4, None, 0)),
            ("bottom", None, (0, None, 4)),
            ("before", 0, (4, 0, None)),
        ],
    )
    def test_the_move_s_read_is_the_orm_s_objects(
        self, product, product_owner, five, where, target, expected
    ):
        # _read_for_move is written out: the item, its target and the neighbour across the
        # spot, each the object the ORM reads, with who it is assigned to.
        BacklogItem.objects.filter(pk=five[4].pk).update(assignee=product_owner)
        item = 0 if where == "bottom" else 4
        read = _read_for_move(
            product, five[item].pk, None if target is None else five[target].pk, where
        )
        for found, index in zip(read, expected, strict=True):
            if index is None:
                assert found is None
                continue
            stored = BacklogItem.objects.select_related("assignee").get(pk=five[index].pk)
            fields = [f.attname for f in BacklogItem._meta.concrete_fields]
            assert [getattr(found, f) for f in fields] == [getattr(stored, f) for f in fields]
            assert found.assignee == stored.assignee and found.product is product
        assert read[0].assignee == (product_owner if item == 4 else None)

    def test_new_items_go_to_the_bottom_or_the_top(self, product, make_item, five):
        make_item("Onderaan")
        make_item("Bovenaan", at_top=True)
        assert backlog_numbers(product) == [7, 1, 2, 3, 4, 5, 6]

    def test_before_after_top_and_bottom(self, product, product_owner, five):
        one, two, three, four, five_ = five
        services.move_item(actor=product_owner, item=four, before=two)
        assert backlog_numbers(product) == [1, 4, 2, 3, 5]
        services.move_item(actor=product_owner, item=one, after=three)
        assert backlog_numbers(product) == [4, 2, 3, 1, 5]
        services.move_item(actor=product_owner, item=five_, to="top")
        assert backlog_numbers(product) == [5, 4, 2, 3, 1]
        services.move_item(actor=product_owner, item=four, to="bottom")
        assert backlog_numbers(product) == [5, 2, 3, 1, 4]
        services.move_item(actor=product_owner, item=two, after=four)
        assert backlog_numbers(product) == [5, 3, 1, 4, 2]
        services.move_item(actor=product_owner, item=two, before=five_)
        assert backlog_numbers(product) == [2, 5, 3, 1, 4]

    def test_moving_to_where_it_already_is_keeps_the_order(self, product, product_owner, five):
        services.move_item(actor=product_owner, item=five[1], after=five[0])
        services.move_item(actor=product_owner, item=five[0], to="top")
        services.move_item(actor=product_owner, item=five[4], to="bottom")
        assert backlog_numbers(product) == [1, 2, 3, 4, 5]

    def test_renumbers_when_the_gaps_run_out(self, product, product_owner, five):
        # Adjacent positions leave no room between any two items.
        for position, item in enumerate(five, start=1):
            BacklogItem.objects.filter(pk=item.pk).update(position=position)
        services.move_item(actor=product_owner, item=five[4], before=five[1])
        assert backlog_numbers(product) == [1, 5, 2, 3, 4]
        positions = list(
            BacklogItem.objects.filter(product=product)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert positions == sorted(set(positions))
        # Renumbered with room to spare again.
        assert min(b - a for a, b in itertools.pairwise(positions)) >= 2
        services.move_item(actor=product_owner, item=five[0], after=five[2])
        assert backlog_numbers(product) == [5, 2, 3, 1, 4]

    def test_only_a_window_around_the_spot_is_renumbered(self, product, product_owner):
        # A long backlog spaced GAP apart, with two neighbours squeezed together in the middle.
        size = 4 * services.WINDOW + 50
        BacklogItem.objects.bulk_create(
            BacklogItem(product=product, number=n, position=n * services.GAP, title=f"Item {n}")
            for n in range(1, size + 1)
        )
        middle = size // 2
        BacklogItem.objects.filter(product=product, number=middle + 1).update(
            position=middle * services.GAP + 1
        )
        before = dict(BacklogItem.objects.filter(product=product).values_list("pk", "position"))
        last = BacklogItem.objects.get(product=product, number=size)
        target = BacklogItem.objects.get(product=product, number=middle + 1)
        services.move_item(actor=product_owner, item=last, before=target)
        numbers = [n for n in range(1, size + 1) if n != size]
        numbers.insert(middle, size)
        assert backlog_numbers(product) == numbers
        after = dict(BacklogItem.objects.filter(product=product).values_list("pk", "position"))
        changed = {pk for pk in after if after[pk] != before[pk]}
        # Only the window (WINDOW items on each side of the spot) and the item moved into it.
        window_numbers = range(middle - services.WINDOW + 1, middle + services.WINDOW + 1)
        window_pks = set(
            BacklogItem.objects.filter(product=product, number__in=window_numbers).values_list(
                "pk", flat=True
            )
        )
        assert last.pk in changed and changed <= window_pks | {last.pk}
        assert len(changed) > services.WINDOW
        positions = sorted(after.values())
        assert len(set(positions)) == size
        window = sorted(after[pk] for pk in changed)
        assert min(b - a for a, b in itertools.pairwise(window)) >= services.MIN_ROOM

    def test_a_crowded_backlog_widens_the_window_until_there_is_room(self, product, product_owner):
        # Every position adjacent: the window grows to one end of the list, where there is room.
        size = 3 * services.WINDOW
        BacklogItem.objects.bulk_create(
            BacklogItem(product=product, number=n, position=n, title=f"Item {n}")
            for n in range(1, size + 1)
        )
        first = BacklogItem.objects.get(product=product, number=1)
        target = BacklogItem.objects.get(product=product, number=size // 2)
        services.move_item(actor=product_owner, item=first, after=target)
        numbers = list(range(2, size + 1))
        numbers.insert(size // 2 - 1, 1)
        assert backlog_numbers(product) == numbers
        positions = list(
            BacklogItem.objects.filter(product=product)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert len(set(positions)) == size

    def test_many_moves_into_the_same_gap_keep_a_strict_order(self, product, product_owner, five):
        # Each move halves the gap above item 2; after ~10 the gap is gone and renumbering
        # must step in without losing the order.
        first, second = five[0], five[1]
        for _ in range(25):
            services.move_item(actor=product_owner, item=five[4], before=second)
            services.move_item(actor=product_owner, item=five[4], after=first)
            services.move_item(actor=product_owner, item=five[3], before=five[4])
            services.move_item(actor=product_owner, item=five[3], after=five[4])
        assert backlog_numbers(product) == [1, 5, 4, 2, 3]

    def test_bad_destinations_are_refused(self, zob, eindhoven, product, product_owner, five):
        other = services.create_product(
            actor=product_owner, cooperative=zob, owner=eindhoven, name="Inwonerscloud", key="INW"
        )
        foreign = services.create_item(actor=product_owner, product=other, title="Elders")
        item = five[0]
        with pytest.raises(DomainError) as error:
            services.move_item(actor=product_owner, item=item, before=foreign)
        assert error.value.field == "before"
        with pytest.raises(DomainError):
            services.move_item(actor=product_owner, item=item, after=item)
        with pytest.raises(DomainError):
            services.move_item(actor=product_owner, item=item)
        with pytest.raises(DomainError):
            services.move_item(actor=product_owner, item=item, before=five[1], to="top")
        with pytest.raises(DomainError):
            services.move_item(actor=product_owner, item=item, to="middle")
        assert backlog_numbers(product) == [1, 2, 3, 4, 5]

    def test_only_the_product_owner_orders_the_backlog(self, product, developer, tester, five):
        for person in (developer, tester):
            with pytest.raises(NotAllowed):
                services.move_item(actor=person, item=five[4], to="top")
        assert backlog_numbers(product) == [1, 2, 3, 4, 5]


# --- optimistic concurrency ------------------------------------------------------------------
class TestEdits:
    def test_an_edit_raises_the_version(self, product_owner, make_item):
        item = make_item()
        edited = services.update_item(
            actor=product_owner, item=item, version=1, title="Aanvraagformulier met bijlagen"
        )
        assert edited.version == 2
        assert edited.title == "Aanvraagformulier met bijlagen"

    def test_a_stale_edit_is_refused_and_writes_nothing(self, product_owner, developer, make_item):
        item = make_item(estimate=3)
        services.update_item(actor=developer, item=item, version=1, title="Door Dani")
        changes_before = ItemChange.objects.count()
        with pytest.raises(StaleObject) as error:
            services.update_item(
                actor=product_owner, item=item, version=1, title="Door Eva", estimate=8
            )
        assert error.value.status_code == 412
        assert "SUB-1" in str(error.value.message)
        item.refresh_from_db()
        assert (item.title, item.estimate, item.version) == ("Door Dani", 3, 2)
        assert ItemChange.objects.count() == changes_before

    def test_an_estimate_change_is_recorded(self, product_owner, make_item):
        item = make_item(estimate=3)
        services.update_item(actor=product_owner, item=item, version=1, estimate=8)
        change = ItemChange.objects.get(item=item, field="estimate")
        assert (change.old, change.new, change.points, change.actor) == (3, 8, 8, product_owner)
        # The same estimate again is no change.
        services.update_item(actor=product_owner, item=item, version=2, estimate=8)
        assert ItemChange.objects.filter(item=item, field="estimate").count() == 1

    def test_fields_the_services_own_cannot_be_edited(self, product_owner, make_item):
        item = make_item()
        for field, value in (("status", "done"), ("position", 1), ("number", 9)):
            with pytest.raises(DomainError) as error:
                services.update_item(actor=product_owner, item=item, version=1, **{field: value})
            assert error.value.field == field
        item.refresh_from_db()
        assert (item.status, item.number, item.version) == (ItemStatus.OPEN, 1, 1)


# --- sprints -------------------------------------------------------------------------------------
class TestSprintLifeCycle:
    def test_planned_active_review_closed_each_audited(self, product, product_owner):
        start = date(2025, 3, 3)
        sprint = services.plan_sprint(
            actor=product_owner, product=product, start=start, goal="  Eerste aanvraag  "
        )
        assert (sprint.number, sprint.state, sprint.goal) == (
            1,
            SprintState.PLANNED,
            "Eerste aanvraag",
        )
        assert sprint.end == start + timedelta(days=13)  # the last day, inclusive
        sprint = services.start_sprint(actor=product_owner, sprint=sprint)
        assert sprint.state == SprintState.ACTIVE and sprint.started_at is not None
        sprint = services.finish_sprint(actor=product_owner, sprint=sprint)
        assert sprint.state == SprintState.REVIEW
        sprint = services.close_sprint(actor=product_owner, sprint=sprint)
        assert sprint.state == SprintState.CLOSED and sprint.closed_at is not None
        assert audit_actions(sprint) == [
            "sprint.planned",
            "sprint.started",
            "sprint.review",
            "sprint.closed",
        ]
        record = AuditRecord.objects.get(action="sprint.started", object_id=str(sprint.pk))
        assert record.actor == product_owner
        assert record.cooperative == product.cooperative
        assert record.changes == {"state": ["planned", "active"]}

    def test_sprints_are_numbered_and_take_the_product_length(self, product, product_owner):
        product.sprint_length_days = 21
        product.save()
        first = services.plan_sprint(actor=product_owner, product=product, start=date(2025, 1, 6))
        second = services.plan_sprint(actor=product_owner, product=product, start=date(2025, 1, 27))
        assert (first.number, second.number) == (1, 2)
        assert second.end == date(2025, 2, 16)

    def test_illegal_transitions_conflict(self, product, product_owner):
        sprint = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        with pytest.raises(Conflict):
            services.finish_sprint(actor=product_owner, sprint=sprint)
        with pytest.raises(Conflict):
            services.close_sprint(actor=product_owner, sprint=sprint)
        services.start_sprint(actor=product_owner, sprint=sprint)
        with pytest.raises(Conflict):
            services.start_sprint(actor=product_owner, sprint=sprint)
        services.close_sprint(actor=product_owner, sprint=sprint)  # straight from active
        for transition in (services.start_sprint, services.finish_sprint, services.close_sprint):
            with pytest.raises(Conflict) as error:
                transition(actor=product_owner, sprint=sprint)
            assert error.value.field == "state"
        sprint.refresh_from_db()
        assert sprint.state == SprintState.CLOSED
        assert audit_actions(sprint) == ["sprint.planned", "sprint.started", "sprint.closed"]

    def test_only_the_product_owner_runs_sprints(self, product, developer, tester, product_owner):
        for person in (developer, tester):
            with pytest.raises(NotAllowed):
                services.plan_sprint(actor=person, product=product, start=localdate())
        sprint = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        for person in (developer, tester):
            with pytest.raises(NotAllowed):
                services.start_sprint(actor=person, sprint=sprint)
        sprint.refresh_from_db()
        assert sprint.state == SprintState.PLANNED

    def test_the_database_holds_one_active_sprint_per_product(self, product, active_sprint):
        with pytest.raises(IntegrityError), transaction.atomic():
            Sprint.objects.create(
                product=product,
                number=2,
                start=localdate(),
                end=localdate() + timedelta(days=14),
                state=SprintState.ACTIVE,
            )
        # Planned, in review and closed sprints are not limited.
        for number, state in ((2, SprintState.PLANNED), (3, SprintState.REVIEW), (4, "closed")):
            Sprint.objects.create(
                product=product,
                number=number,
                start=localdate(),
                end=localdate() + timedelta(days=14),
                state=state,
            )

    def test_a_second_active_sprint_is_a_conflict(self, product, product_owner, active_sprint):
        second = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        with pytest.raises(Conflict) as error:
            services.start_sprint(actor=product_owner, sprint=second)
        assert "active sprint" in str(error.value.message)
        second.refresh_from_db()
        assert second.state == SprintState.PLANNED and second.started_at is None
        assert audit_actions(second) == ["sprint.planned"]
        services.close_sprint(actor=product_owner, sprint=active_sprint)
        assert services.start_sprint(actor=product_owner, sprint=second).state == "active"


class TestCommitment:
    def test_commits_ready_items_and_records_it(self, product, product_owner, make_item):
        sprint = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        items = [make_item("Eén", estimate=3), make_item("Twee", estimate=5)]
        commitment = services.commit_items(actor=product_owner, sprint=sprint, items=items)
        assert commitment.points == 8
        assert commitment.average_velocity is None and not commitment.exceeds_velocity
        for item in items:
            item.refresh_from_db()
            assert (item.sprint, item.status, item.version) == (sprint, ItemStatus.TODO, 2)
        assert backlog_numbers(product) == []
        changes = ItemChange.objects.filter(sprint=sprint).order_by("id")
        assert [(c.item_id, c.field, c.new) for c in changes] == [
            (items[0].pk, "sprint", sprint.pk),
            (items[0].pk, "status", "todo"),
            (items[1].pk, "sprint", sprint.pk),
            (items[1].pk, "status", "todo"),
        ]

    def test_an_unready_item_refuses_the_whole_commitment(self, product, product_owner, make_item):
        sprint = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        ready = make_item("Klaar")
        no_criteria = services.create_item(
            actor=product_owner, product=product, title="Geen criteria", estimate=3
        )
        no_estimate = services.create_item(
            actor=product_owner, product=product, title="Geen schatting", acceptance_criteria=["x"]
        )
        for unready, missing in ((no_criteria, "acceptance criteria"), (no_estimate, "estimate")):
            with pytest.raises(DomainError) as error:
                services.commit_items(actor=product_owner, sprint=sprint, items=[ready, unready])
            assert error.value.field == "items"
            assert missing in str(error.value.message)
        assert not sprint.items.exists()
        assert not ItemChange.objects.filter(sprint=sprint).exists()
        ready.refresh_from_db()
        assert (ready.status, ready.version) == (ItemStatus.OPEN, 1)

    def test_items_already_committed_or_of_another_product_are_refused(
        self, zob, eindhoven, product, product_owner, active_sprint, make_item
    ):
        committed = active_sprint.items.first()
        second = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        with pytest.raises(Conflict):
            services.commit_items(actor=product_owner, sprint=second, items=[committed])
        other = services.create_product(
            actor=product_owner, cooperative=zob, owner=eindhoven, name="Inwonerscloud", key="INW"
        )
        foreign = services.create_item(
            actor=product_owner,
            product=other,
            title="Elders",
            acceptance_criteria=["x"],
            estimate=1,
        )
        with pytest.raises(DomainError):
            services.commit_items(actor=product_owner, sprint=second, items=[foreign])
        with pytest.raises(DomainError):
            services.commit_items(actor=product_owner, sprint=second, items=[987654])
        assert not second.items.exists()

    def test_a_closed_sprint_takes_no_items(self, product_owner, active_sprint, make_item):
        services.close_sprint(actor=product_owner, sprint=active_sprint)
        item = make_item()
        with pytest.raises(Conflict):
            services.commit_items(actor=product_owner, sprint=active_sprint, items=[item])
        item.refresh_from_db()
        assert item.sprint is None

    def test_warns_above_the_average_velocity_of_the_last_three_sprints(
        self, product, product_owner, developer, tester, make_item
    ):
        team = {"product": product, "owner": product_owner, "developer": developer}
        # The oldest sprint's 100 points fall outside the last three and must not count.
        for estimates in ([100], [5], [8], [2, 1]):
            run_sprint(**team, testers=[tester], estimates=estimates)
        assert services.average_velocity(product) == Decimal("5.3")  # (5 + 8 + 3) / 3
        sprint = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        within = services.commit_items(
            actor=product_owner, sprint=sprint, items=[make_item(estimate=5)]
        )
        assert within.points == 5 and within.average_velocity == Decimal("5.3")
        assert not within.exceeds_velocity
        beyond = services.commit_items(
            actor=product_owner, sprint=sprint, items=[make_item(estimate=1)]
        )
        assert beyond.points == 6 and beyond.exceeds_velocity

    def test_unaccepted_sprints_count_as_zero_velocity(
        self, product, product_owner, developer, tester, make_item
    ):
        team = {"product": product, "owner": product_owner, "developer": developer}
        run_sprint(**team, testers=[tester], estimates=[8])
        run_sprint(**team, testers=[tester], estimates=[5], accept=False)
        sprint = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        commitment = services.commit_items(
            actor=product_owner, sprint=sprint, items=[make_item(estimate=5)]
        )
        assert commitment.average_velocity == Decimal("4.0")
        assert commitment.exceeds_velocity


class TestClosing:
    def test_unfinished_items_return_to_the_top_in_their_order_as_not_done(
        self, product, product_owner, developer, make_item
    ):
        waiting = [make_item("Wacht 1"), make_item("Wacht 2")]
        sprint = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        todo, busy, done = make_item("Nog te doen"), make_item("Bezig"), make_item("Af")
        services.commit_items(actor=product_owner, sprint=sprint, items=[todo, busy, done])
        services.start_sprint(actor=product_owner, sprint=sprint)
        # Within the sprint "Bezig" is ordered first; it must come back first.
        services.move_item(actor=product_owner, item=busy, to="top")
        services.set_item_status(actor=developer, item=busy, status=ItemStatus.IN_PROGRESS)
        services.set_item_status(actor=developer, item=done, status=ItemStatus.DONE)
        services.close_sprint(actor=product_owner, sprint=sprint)

        assert [i.title for i in selectors.backlog_for(product)] == [
            "Bezig",
            "Nog te doen",
            "Wacht 1",
            "Wacht 2",
        ]
        for item in (todo, busy):
            item.refresh_from_db()
            assert (item.status, item.sprint) == (ItemStatus.OPEN, None)
            not_done = ItemChange.objects.get(item=item, field="not_done")
            assert (not_done.new, not_done.sprint) == (sprint.pk, sprint)
        done.refresh_from_db()
        assert (done.status, done.sprint) == (ItemStatus.DONE, sprint)
        assert not ItemChange.objects.filter(item=done, field="not_done").exists()
        record = AuditRecord.objects.get(action="sprint.closed", object_id=str(sprint.pk))
        assert record.changes["not_done"] == [None, [busy.reference, todo.reference]]
        assert waiting[0].number == 1

    def test_returned_items_can_be_committed_again(self, product, product_owner, active_sprint):
        items = list(active_sprint.items.all())
        services.close_sprint(actor=product_owner, sprint=active_sprint)
        nxt = services.plan_sprint(actor=product_owner, product=product, start=localdate())
        commitment = services.commit_items(actor=product_owner, sprint=nxt, items=items)
        assert commitment.points == 6


# --- user acceptance -----------------------------------------------------------------------------
@pytest.fixture
def delivered(product, product_owner, developer, active_sprint):
    """The active sprint's two items done and delivered as increment 0.1.0 (a draft)."""
    items = list(active_sprint.items.order_by("position"))
    for item in items:
        services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)
    increment = services.create_increment(
        actor=developer, product=product, version="0.1.0", items=items, sprint=active_sprint
    )
    return increment, items


@pytest.fixture
def submitted(delivered, product_owner, tester, second_tester):
    """Increment 0.1.0 submitted to both testers."""
    increment, items = delivered
    increment = services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=localdate() + timedelta(days=5),
        testers=[tester, second_tester],
    )
    return increment, items


class TestSegregationOfDuties:
    def test_the_product_owner_gives_no_verdicts_even_as_tester(
        self, product, product_owner, delivered, tester
    ):
        increment, items = delivered
        services.add_team_member(
            actor=product_owner, product=product, user=product_owner, role=TeamRole.TESTER
        )
        with pytest.raises(DomainError):
            services.submit_increment(
                actor=product_owner,
                increment=increment,
                deadline=localdate(),
                testers=[product_owner],
            )
        increment = services.submit_increment(
            actor=product_owner, increment=increment, deadline=localdate()
        )
        # Asked by default: only the testers who neither build nor own the product.
        assert list(increment.testers.all()) == [tester]
        increment.testers.add(product_owner)  # even if someone asked them anyway
        with pytest.raises(NotAllowed):
            services.give_verdict(
                actor=product_owner, increment=increment, item=items[0], accepted=True
            )
        assert not Verdict.objects.exists()

    def test_a_developer_who_is_also_tester_gives_no_verdicts(
        self, product, product_owner, developer, submitted
    ):
        increment, items = submitted
        services.add_team_member(
            actor=product_owner, product=product, user=developer, role=TeamRole.TESTER
        )
        increment.testers.add(developer)
        with pytest.raises(NotAllowed):
            services.give_verdict(
                actor=developer, increment=increment, item=items[0], accepted=True
            )
        assert not Verdict.objects.exists()

    def test_a_tester_not_asked_gives_no_verdicts(
        self, product_owner, delivered, tester, second_tester
    ):
        increment, items = delivered
        services.submit_increment(
            actor=product_owner, increment=increment, deadline=localdate(), testers=[tester]
        )
        with pytest.raises(NotAllowed) as error:
            services.give_verdict(
                actor=second_tester, increment=increment, item=items[0], accepted=True
            )
        assert "not asked" in str(error.value.message)

    def test_people_outside_the_team_give_no_verdicts(
        self, submitted, outsider_person, coordinator
    ):
        increment, items = submitted
        for person in (outsider_person, coordinator):
            with pytest.raises(NotAllowed):
                services.give_verdict(
                    actor=person, increment=increment, item=items[0], accepted=True
                )


class TestVerdicts:
    def test_a_rejection_needs_remarks(self, submitted, tester):
        increment, items = submitted
        for remarks in ("", "   ", None):
            with pytest.raises(DomainError) as error:
                services.give_verdict(
                    actor=tester,
                    increment=increment,
                    item=items[0],
                    accepted=False,
                    remarks=remarks,
                )
            assert (error.value.field, error.value.code) == ("remarks", "required")
        assert not Verdict.objects.exists()
        assert backlog_numbers(increment.product) == []

    def test_a_verdict_on_an_item_outside_the_increment_is_refused(
        self, submitted, tester, make_item
    ):
        increment, _items = submitted
        stranger = make_item("Niet opgeleverd")
        with pytest.raises(DomainError) as error:
            services.give_verdict(actor=tester, increment=increment, item=stranger, accepted=True)
        assert error.value.field == "item"
        assert not Verdict.objects.exists()

    def test_a_verdict_is_never_edited(self, submitted, tester):
        increment, items = submitted
        first = services.give_verdict(
            actor=tester, increment=increment, item=items[0], accepted=True
        )
        for accepted, remarks in ((False, "Toch niet goed"), (True, "")):
            with pytest.raises(Conflict):
                services.give_verdict(
                    actor=tester,
                    increment=increment,
                    item=items[0],
                    accepted=accepted,
                    remarks=remarks,
                )
        assert list(Verdict.objects.values_list("pk", "accepted", "remarks")) == [
            (first.pk, True, "")
        ]
        assert not BacklogItem.objects.filter(follow_up_of__isnull=False).exists()

    def test_the_database_refuses_a_second_verdict_too(self, submitted, tester):
        increment, items = submitted
        verdict = services.give_verdict(
            actor=tester, increment=increment, item=items[0], accepted=True
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Verdict.objects.create(
                increment_item=verdict.increment_item, tester=tester, accepted=False, remarks="x"
            )

    def test_an_item_is_accepted_only_when_every_asked_tester_accepted(
        self, submitted, tester, second_tester
    ):
        increment, items = submitted
        item = items[0]
        services.give_verdict(actor=tester, increment=increment, item=item, accepted=True)
        entry = increment.increment_items.get(item=item)
        item.refresh_from_db()
        assert (entry.outcome, item.status) == (ItemOutcome.PENDING, ItemStatus.DONE)
        services.give_verdict(actor=second_tester, increment=increment, item=item, accepted=True)
        entry.refresh_from_db()
        item.refresh_from_db()
        assert (entry.outcome, item.status) == (ItemOutcome.ACCEPTED, ItemStatus.ACCEPTED)
        accepted = ItemChange.objects.get(item=item, field="status", new="accepted")
        assert (accepted.old, accepted.sprint, accepted.points) == ("done", item.sprint, 3)
        increment.refresh_from_db()
        assert increment.state == IncrementState.SUBMITTED  # the other item still waits

    def test_the_increment_is_accepted_when_all_items_are(self, submitted, tester, second_tester):
        increment, items = submitted
        for person in (tester, second_tester):
            for item in items:
                services.give_verdict(actor=person, increment=increment, item=item, accepted=True)
        increment.refresh_from_db()
        assert increment.state == IncrementState.ACCEPTED and increment.decided_at is not None
        assert audit_actions(increment)[-1] == "increment.accepted"
        with pytest.raises(Conflict):
            services.give_verdict(
                actor=tester, increment=increment, item=items[0], accepted=False, remarks="Te laat"
            )

    def test_a_rejection_creates_a_follow_up_at_the_top(
        self, product, submitted, tester, make_item
    ):
        increment, items = submitted
        make_item("In de backlog")
        remarks = "De bevestigingsmail komt niet aan bij een Hotmail-adres."
        verdict = services.give_verdict(
            actor=tester, increment=increment, item=items[1], accepted=False, remarks=remarks
        )
        follow_up = selectors.backlog_for(product).first()
        assert follow_up.follow_up_of == verdict
        assert follow_up.kind == ItemKind.BUG
        assert follow_up.description == remarks
        assert follow_up.title.startswith(f"Follow-up of {items[1].reference}")
        assert follow_up.reference == "SUB-4"
        assert [i.title for i in selectors.backlog_for(product)][1:] == ["In de backlog"]
        assert list(verdict.follow_ups.all()) == [follow_up]
        entry = increment.increment_items.get(item=items[1])
        assert entry.outcome == ItemOutcome.REJECTED

    def test_every_verdict_is_audited(self, submitted, tester, second_tester):
        increment, items = submitted
        accepted = services.give_verdict(
            actor=tester, increment=increment, item=items[0], accepted=True
        )
        rejected = services.give_verdict(
            actor=second_tester, increment=increment, item=items[1], accepted=False, remarks="Kapot"
        )
        records = {
            r.object_id: r for r in AuditRecord.objects.filter(action__startswith="verdict.")
        }
        assert records[str(accepted.pk)].action == "verdict.accepted"
        assert records[str(accepted.pk)].actor == tester
        assert records[str(rejected.pk)].action == "verdict.rejected"
        assert records[str(rejected.pk)].reason == "Kapot"
        assert records[str(rejected.pk)].changes["item"] == [None, items[1].reference]

    def test_a_re_test_in_a_later_increment_supersedes(
        self, product, product_owner, developer, submitted, tester, second_tester
    ):
        increment, items = submitted
        item = items[0]
        services.give_verdict(
            actor=tester, increment=increment, item=item, accepted=False, remarks="Knop werkt niet"
        )
        services.give_verdict(actor=tester, increment=increment, item=items[1], accepted=True)
        services.give_verdict(
            actor=second_tester, increment=increment, item=items[1], accepted=True
        )
        increment.refresh_from_db()
        assert increment.state == IncrementState.REJECTED
        assert audit_actions(increment)[-1] == "increment.rejected"

        retest = services.create_increment(
            actor=developer, product=product, version="0.1.1", items=[item]
        )
        services.submit_increment(
            actor=product_owner, increment=retest, deadline=localdate() + timedelta(days=2)
        )
        for person in (tester, second_tester):
            services.give_verdict(actor=person, increment=retest, item=item, accepted=True)
        item.refresh_from_db()
        assert item.status == ItemStatus.ACCEPTED
        retest.refresh_from_db()
        assert retest.state == IncrementState.ACCEPTED

        history = list(selectors.verdict_history(item))
        assert [(v.increment_item.increment.version, v.tester, v.accepted) for v in history] == [
            ("0.1.0", tester, False),
            ("0.1.1", tester, True),
            ("0.1.1", second_tester, True),
        ]
        # The old verdict stands unchanged; only the newer one decides.
        assert history[0].remarks == "Knop werkt niet"
        assert increment.increment_items.get(item=item).outcome == ItemOutcome.REJECTED


class TestIncrements:
    def test_only_done_items_are_delivered(self, product, developer, active_sprint):
        items = list(active_sprint.items.all())
        with pytest.raises(DomainError):
            services.create_increment(
                actor=developer, product=product, version="0.1.0", items=items
            )
        with pytest.raises(DomainError):
            services.create_increment(actor=developer, product=product, version="0.1.0", items=[])
        assert not Increment.objects.exists()

    def test_a_version_is_used_once(self, product, developer, delivered):
        _increment, items = delivered
        with pytest.raises(Conflict):
            services.create_increment(
                actor=developer, product=product, version="0.1.0", items=items
            )

    def test_submitting_asks_for_verdicts_once(
        self, product_owner, submitted, tester, second_tester
    ):
        increment, items = submitted
        assert increment.state == IncrementState.SUBMITTED
        assert set(increment.testers.all()) == {tester, second_tester}
        assert [e.item for e in selectors.inbox_for(tester)] == items
        with pytest.raises(Conflict):
            services.submit_increment(
                actor=product_owner, increment=increment, deadline=localdate()
            )

    def test_the_deadline_cannot_be_in_the_past(self, product_owner, delivered):
        increment, _items = delivered
        with pytest.raises(DomainError) as error:
            services.submit_increment(
                actor=product_owner,
                increment=increment,
                deadline=timezone.localdate() - timedelta(days=1),
            )
        assert error.value.field == "deadline"

    def test_the_inbox_empties_as_verdicts_are_given(self, submitted, tester, second_tester):
        increment, items = submitted
        services.give_verdict(actor=tester, increment=increment, item=items[0], accepted=True)
        assert [e.item for e in selectors.inbox_for(tester)] == [items[1]]
        assert [e.item for e in selectors.inbox_for(second_tester)] == items
        services.give_verdict(
            actor=second_tester, increment=increment, item=items[0], accepted=False, remarks="Nee"
        )
        # A rejected item waits for nobody any more.
        assert [e.item for e in selectors.inbox_for(tester)] == [items[1]]
        assert [e.item for e in selectors.inbox_for(second_tester)] == [items[1]]
