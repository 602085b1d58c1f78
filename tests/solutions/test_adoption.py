"""Adoption, verified: who may adopt (entitlement under the cooperative, for one's own
organisation only), the life cycle requested → in use → stopped with upgrades, and
Solution.adoption_count kept right. Data is made through the services."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cooperative.models import AuditRecord
from deelbaar.errors import Conflict, DomainError, NotAllowed
from solutions.models import Adoption, AdoptionState
from solutions.selectors import reuse
from solutions.services import adoption as services
from tests.solutions.adoption_world import *  # noqa: F403
from tests.solutions.adoption_world import adopt, in_use, organisation_of
from tests.solutions.factories import make_release

pytestmark = pytest.mark.django_db


def count(solution) -> int:
    solution.refresh_from_db(fields=["adoption_count"])
    return solution.adoption_count


# --- Entitlement -------------------------------------------------------------------------------
def test_an_active_member_adopts(solution, member_person, eindhoven):
    adoption = adopt(member_person, solution)
    assert adoption.state == AdoptionState.REQUESTED
    assert adoption.organisation == eindhoven
    assert adoption.requested_by == member_person
    record = AuditRecord.objects.get(action="adoption.requested")
    assert record.organisation == eindhoven and record.cooperative == solution.cooperative


def test_a_joint_arrangement_that_is_an_active_member_adopts(solution, mgd_person, mgd):
    assert adopt(mgd_person, solution).organisation == mgd


def test_a_municipality_represented_by_an_active_joint_arrangement_adopts(
    solution, boxtel_person, boxtel
):
    assert adopt(boxtel_person, solution).organisation == boxtel


@pytest.mark.parametrize(
    ("who", "code", "words"),
    [
        ("applicant_person", "membership_applied", "applied"),
        ("unpaid_person", "contribution_unpaid", "has not been paid"),
        ("left_person", "membership_left", "has left"),
        ("rejected_person", "membership_rejected", "rejected"),
        ("outsider_person", "no_membership", "not a member"),
    ],
)
def test_others_cannot_adopt_and_are_told_why_and_how_to_join(
    request, solution, woerden_application, who, code, words
):
    user = request.getfixturevalue(who)
    # The words are the English source's; the default language is Dutch.
    with translation.override("en"), pytest.raises(NotAllowed) as refused:
        adopt(user, solution)
    assert refused.value.code == code
    message = str(refused.value.message)
    assert words in message
    assert organisation_of(user).name in message
    assert f"/cooperatives/{solution.cooperative.slug}/join/" in message
    assert not Adoption.objects.exists()


def test_the_unpaid_message_names_the_amount_due(solution, unpaid_person):
    with pytest.raises(NotAllowed) as refused:
        adopt(unpaid_person, solution)
    # Veldhoven: 45,800 inhabitants at € 0.10, above the € 1,000 minimum.
    assert "4.580,00" in str(refused.value.message) or "4,580.00" in str(refused.value.message)


def test_a_person_cannot_adopt_for_another_organisation(solution, member_person, mgd, utrecht):
    for organisation in (mgd, utrecht):
        with pytest.raises(NotAllowed) as refused:
            adopt(member_person, solution, organisation)
        assert refused.value.code == "permission_denied"
    assert not Adoption.objects.exists()


def test_a_person_of_a_joint_arrangement_cannot_adopt_for_its_municipalities(
    solution, mgd_person, boxtel
):
    with pytest.raises(NotAllowed):
        adopt(mgd_person, solution, boxtel)


def test_an_inactive_account_cannot_adopt(solution, member_person):
    member_person.is_active = False
    member_person.save()
    with pytest.raises(NotAllowed):
        adopt(member_person, solution)


def test_one_current_adoption_per_organisation(solution, member_person):
    adopt(member_person, solution)
    with pytest.raises(Conflict) as conflict:
        adopt(member_person, solution)
    assert conflict.value.field == "organisation"
    assert Adoption.objects.count() == 1


def test_the_database_holds_one_current_adoption(solution, member_person, eindhoven):
    adopt(member_person, solution)
    with pytest.raises(IntegrityError), transaction.atomic():
        Adoption.objects.create(
            solution=solution, organisation=eindhoven, requested_by=member_person
        )


def test_remarks_that_are_too_long_are_refused(solution, member_person):
    with pytest.raises(DomainError) as refused:
        services.request_adoption(
            actor=member_person,
            solution=solution,
            organisation=organisation_of(member_person),
            remarks="x" * 2_001,
        )
    assert refused.value.field == "remarks"
    assert not Adoption.objects.exists()


# --- Life cycle --------------------------------------------------------------------------------
def test_the_life_cycle_keeps_adoption_count(solution, member_person, mgd_person):
    newer = make_release(solution, "1.1.0")
    first = adopt(member_person, solution)
    assert count(solution) == 0  # requested is not in use

    first = services.take_into_use(actor=member_person, adoption=first)
    assert first.state == AdoptionState.IN_USE
    assert first.release == newer  # the newest when none is given
    assert first.in_use_since == timezone.localdate()
    assert count(solution) == 1

    second = in_use(mgd_person, solution, release=solution.releases.get(version="1.0.0"))
    assert count(solution) == 2

    second = services.upgrade(actor=mgd_person, adoption=second, release=newer)
    assert second.release == newer
    assert count(solution) == 2

    stopped = services.stop_adoption(actor=member_person, adoption=first, reason="Eigen systeem")
    assert stopped.state == AdoptionState.STOPPED
    assert stopped.stopped_on == timezone.localdate()
    assert count(solution) == 1

    # Stopped stays as history; the organisation may adopt again.
    again = adopt(member_person, solution)
    assert again.pk != first.pk
    withdrawn = services.stop_adoption(actor=member_person, adoption=again)
    assert withdrawn.state == AdoptionState.STOPPED
    assert count(solution) == 1  # withdrawing a request does not count down

    actions = list(
        AuditRecord.objects.filter(action__startswith="adoption.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "adoption.requested",
        "adoption.in_use",
        "adoption.requested",
        "adoption.in_use",
        "adoption.upgraded",
        "adoption.stopped",
        "adoption.requested",
        "adoption.stopped",
    ]
    stop_record = AuditRecord.objects.filter(action="adoption.stopped").order_by("at", "id")[0]
    assert stop_record.reason == "Eigen systeem"
    assert stop_record.changes["state"] == ["in_use", "stopped"]


def test_transitions_out_of_turn_are_conflicts(solution, member_person):
    adoption = adopt(member_person, solution)
    with pytest.raises(Conflict):
        services.upgrade(actor=member_person, adoption=adoption, release=solution.releases.get())
    adoption = services.take_into_use(actor=member_person, adoption=adoption)
    with pytest.raises(Conflict):
        services.take_into_use(actor=member_person, adoption=adoption)
    services.stop_adoption(actor=member_person, adoption=adoption)
    with pytest.raises(Conflict):
        services.stop_adoption(actor=member_person, adoption=adoption)
    assert count(solution) == 0


def test_upgrade_only_to_a_newer_release_of_the_same_solution(
    solution, member_person, zob, eindhoven
):
    make_release(solution, "1.9.0")
    ten = make_release(solution, "1.10.0")
    adoption = in_use(member_person, solution, release=solution.releases.get(version="1.9.0"))
    for version in ("1.0.0", "1.9.0"):
        with pytest.raises(DomainError) as refused:
            services.upgrade(
                actor=member_person,
                adoption=adoption,
                release=solution.releases.get(version=version),
            )
        assert refused.value.field == "release"
    from tests.solutions.factories import make_solution

    other = make_solution(cooperative=zob, name="Inwonerscloud")
    foreign = make_release(other, "2.0.0")
    with pytest.raises(DomainError) as refused:
        services.upgrade(actor=member_person, adoption=adoption, release=foreign)
    assert refused.value.field == "release"
    adoption = services.upgrade(actor=member_person, adoption=adoption, release=ten)
    assert adoption.release.version == "1.10.0"  # 1.10.0 is newer than 1.9.0


def test_a_solution_without_a_release_cannot_be_taken_into_use(zob, member_person):
    from tests.solutions.factories import make_solution

    bare = make_solution(cooperative=zob, name="Zonder release")
    adoption = adopt(member_person, bare)
    with pytest.raises(DomainError) as refused:
        services.take_into_use(actor=member_person, adoption=adoption)
    assert refused.value.field == "release"
    assert count(bare) == 0


def test_only_the_adopting_organisation_changes_its_adoption(
    solution, member_person, mgd_person, coordinator
):
    adoption = adopt(member_person, solution)
    for actor in (mgd_person, coordinator):
        with pytest.raises(NotAllowed):
            services.take_into_use(actor=actor, adoption=adoption)
        with pytest.raises(NotAllowed):
            services.stop_adoption(actor=actor, adoption=adoption)
    adoption.refresh_from_db()
    assert adoption.state == AdoptionState.REQUESTED


def test_an_organisation_that_left_can_stop_but_not_take_into_use(
    solution, member_person, eindhoven_membership, coordinator
):
    from cooperative import services as cooperative_services

    adoption = adopt(member_person, solution)
    cooperative_services.leave_cooperative(actor=coordinator, membership=eindhoven_membership)
    with pytest.raises(NotAllowed) as refused:
        services.take_into_use(actor=member_person, adoption=adoption)
    assert refused.value.code == "membership_left"
    assert services.stop_adoption(actor=member_person, adoption=adoption).state == "stopped"


def test_events_reach_the_solution_page_after_commit(
    solution, member_person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        adopt(member_person, solution)
    assert callbacks  # adoption.changed to the solution's group and the organisation's people


# --- Upgrades ----------------------------------------------------------------------------------
def test_upgrades_for_shows_newer_releases_and_ending_maintenance(
    solution, zob, member_person, mgd_person
):
    from tests.solutions.factories import make_solution

    adoption = in_use(member_person, solution)
    assert reuse.upgrades_for(member_person) == []
    make_release(solution, "1.1.0-rc.1")
    make_release(solution, "1.1.0")
    [notice] = reuse.upgrades_for(member_person)
    assert notice.pk == adoption.pk
    assert notice.newer_release_exists and notice.newest_release.version == "1.1.0"
    assert not notice.maintenance_ends_soon

    ending = make_solution(
        cooperative=zob,
        name="Digitaal loket",
        maintenance_until=timezone.localdate() + timedelta(days=60),
    )
    make_release(ending, "3.0.0")
    later = make_solution(
        cooperative=zob,
        name="Later",
        maintenance_until=timezone.localdate() + timedelta(days=200),
    )
    make_release(later, "1.0.0")
    in_use(member_person, ending)
    in_use(member_person, later)
    notices = {a.solution.name: a for a in reuse.upgrades_for(member_person)}
    assert set(notices) == {"Subsidiesysteem", "Digitaal loket"}
    assert notices["Digitaal loket"].maintenance_ends_soon
    assert not notices["Digitaal loket"].newer_release_exists
    # Another organisation's adoptions are not this person's concern.
    assert reuse.upgrades_for(mgd_person) == []


def test_upgrades_for_takes_a_fixed_number_of_queries(
    solution, member_person, django_assert_max_num_queries
):
    in_use(member_person, solution)
    make_release(solution, "2.0.0")
    with django_assert_max_num_queries(3):
        assert len(reuse.upgrades_for(member_person)) == 1
