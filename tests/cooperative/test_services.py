"""The cooperative's services: life cycle, contributions, reach, entitlement, audit, bad input.

Data is built through the services (tests/cooperative/conftest.py). Messages are checked in
English: the words are the contract, the Dutch catalogue follows them.
"""

import asyncio
import os
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.timezone import localdate
from hypothesis import given
from hypothesis import strategies as st

from cooperative import selectors, services
from cooperative.contributions import contribution_due, contribution_for
from cooperative.models import (
    AuditRecord,
    AuditTrailIsAppendOnly,
    ContributionKind,
    Membership,
    MembershipRole,
    MembershipState,
    Organisation,
    OrganisationKind,
)
from deelbaar import events
from deelbaar.errors import Conflict, DomainError, NotAllowed
from deelbaar.permissions import allowed

from .fixtures import make_active
from .snapshots import nothing_written, row_counts

pytestmark = pytest.mark.django_db

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (DATABASE_URL=postgres://...); runs in CI's second pass",
)

WOERDEN_DUE = Decimal("5300.00")  # 53,000 inhabitants x EUR 0.10 (zob's policy)
STATES = [state.value for state in MembershipState]
ACTIONS = ["approve", "reject", "pay", "leave"]
LEGAL = {("applied", "approve"), ("applied", "reject"), ("approved", "pay"), ("active", "leave")}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def membership_in(zob, woerden, applicant_person, coordinator):
    """Woerden's membership of zob, brought through the services to the given state."""

    def make(state):
        membership = services.apply_for_membership(
            actor=applicant_person, cooperative=zob, organisation=woerden
        )
        if state == MembershipState.APPLIED:
            return membership
        if state == MembershipState.REJECTED:
            return services.reject_membership(
                actor=coordinator, membership=membership, reason="Outside the region."
            )
        membership = services.approve_membership(actor=coordinator, membership=membership)
        if state == MembershipState.APPROVED:
            return membership
        membership = services.record_payment(
            actor=coordinator, membership=membership, paid_on=localdate(), amount=WOERDEN_DUE
        )
        if state == MembershipState.ACTIVE:
            return membership
        return services.leave_cooperative(
            actor=coordinator, membership=membership, reason="Merged."
        )

    return make


def perform(action, membership, actor):
    if action == "approve":
        return services.approve_membership(actor=actor, membership=membership)
    if action == "reject":
        return services.reject_membership(actor=actor, membership=membership, reason="Not now.")
    if action == "pay":
        # What Woerden owes, so that the state is the only thing wrong.
        return services.record_payment(
            actor=actor,
            membership=membership,
            paid_on=localdate(),
            amount=membership.contribution_due or WOERDEN_DUE,
        )
    return services.leave_cooperative(actor=actor, membership=membership, reason="Moving on.")


def last_audit():
    return AuditRecord.objects.order_by("-id").first()


# --- The life cycle: every legal transition ------------------------------------------------------
def test_applying_creates_an_application_and_its_audit_record(
    zob, woerden, applicant_person, coordinator
):
    audits = AuditRecord.objects.count()
    membership = services.apply_for_membership(
        actor=applicant_person, cooperative=zob, organisation=woerden, role=MembershipRole.PILOT
    )
    membership.refresh_from_db()
    assert membership.state == MembershipState.APPLIED
    assert membership.role == MembershipRole.PILOT
    assert membership.contribution_due is None
    assert AuditRecord.objects.count() == audits + 1
    record = last_audit()
    assert record.action == "membership.applied"
    assert record.actor == applicant_person
    assert record.organisation == woerden
    assert record.changes == {"state": [None, "applied"], "role": [None, "pilot"]}


def test_approval_computes_the_contribution_due_from_the_policy(membership_in, coordinator):
    membership = membership_in(MembershipState.APPLIED)
    approved = services.approve_membership(actor=coordinator, membership=membership)
    approved.refresh_from_db()
    assert approved.state == MembershipState.APPROVED
    assert approved.contribution_due == WOERDEN_DUE
    assert approved.decided_at is not None
    assert approved.paid_on is None


def test_recording_the_payment_activates_the_membership(membership_in, coordinator):
    membership = membership_in(MembershipState.APPROVED)
    paid_on = localdate()
    active = services.record_payment(
        actor=coordinator, membership=membership, paid_on=paid_on, amount="5300.00"
    )
    active.refresh_from_db()
    assert active.state == MembershipState.ACTIVE
    assert active.paid_on == paid_on
    assert active.paid_amount == WOERDEN_DUE
    assert active.activated_at is not None


@pytest.mark.parametrize("who", ["coordinator", "member's own person"])
def test_an_active_member_leaves(membership_in, coordinator, applicant_person, who):
    membership = membership_in(MembershipState.ACTIVE)
    actor = coordinator if who == "coordinator" else applicant_person
    left = services.leave_cooperative(actor=actor, membership=membership, reason="  Merged.  ")
    left.refresh_from_db()
    assert left.state == MembershipState.LEFT
    assert left.left_at is not None
    assert left.paid_amount == WOERDEN_DUE  # the history stays
    assert last_audit().reason == "Merged."


def test_an_application_is_rejected_with_its_reason(membership_in, coordinator):
    membership = membership_in(MembershipState.APPLIED)
    rejected = services.reject_membership(
        actor=coordinator, membership=membership, reason="  Not a municipality of the region.  "
    )
    rejected.refresh_from_db()
    assert rejected.state == MembershipState.REJECTED
    assert rejected.rejection_reason == "Not a municipality of the region."
    assert rejected.decided_at is not None
    assert rejected.contribution_due is None


@pytest.mark.parametrize("closed", [MembershipState.REJECTED, MembershipState.LEFT])
def test_a_closed_membership_does_not_stop_a_new_application(
    membership_in, closed, zob, woerden, applicant_person
):
    old = membership_in(closed)
    new = services.apply_for_membership(
        actor=applicant_person, cooperative=zob, organisation=woerden
    )
    assert new.pk != old.pk
    assert Membership.objects.open().filter(organisation=woerden).get() == new


# --- The life cycle: every illegal transition ----------------------------------------------------
@pytest.mark.parametrize(
    ("state", "action"),
    [(state, action) for state in STATES for action in ACTIONS if (state, action) not in LEGAL],
)
def test_every_illegal_transition_is_a_conflict_that_changes_nothing(
    membership_in, coordinator, state, action
):
    membership = membership_in(state)
    with translation.override("en"):
        display = MembershipState(state).label
    with nothing_written(), pytest.raises(Conflict) as refused:
        perform(action, membership, coordinator)
    assert refused.value.status_code == 409
    assert refused.value.field == "state"
    assert f"this membership is {display}" in str(refused.value) or (
        f"this one is {display}" in str(refused.value)
    )


def test_approving_twice_is_a_conflict(membership_in, coordinator):
    membership = membership_in(MembershipState.APPLIED)
    services.approve_membership(actor=coordinator, membership=membership)
    # The caller still holds the stale, "applied" object: the service reads the row itself.
    assert membership.state == MembershipState.APPLIED
    with nothing_written(), pytest.raises(Conflict, match="Only an application can be approved"):
        services.approve_membership(actor=coordinator, membership=membership)


def test_rejecting_an_active_membership_is_a_conflict(membership_in, coordinator):
    membership = membership_in(MembershipState.ACTIVE)
    with nothing_written(), pytest.raises(Conflict, match="this membership is active"):
        services.reject_membership(actor=coordinator, membership=membership, reason="Too late.")


@pytest.mark.parametrize("state", [MembershipState.REJECTED, MembershipState.APPLIED])
def test_paying_for_a_membership_that_is_not_approved_is_a_conflict(
    membership_in, coordinator, state
):
    membership = membership_in(state)
    with (
        nothing_written(),
        pytest.raises(Conflict, match="A payment can only be recorded for an approved membership"),
    ):
        services.record_payment(
            actor=coordinator, membership=membership, paid_on=localdate(), amount=WOERDEN_DUE
        )


def test_leaving_an_application_is_a_conflict(membership_in, applicant_person):
    membership = membership_in(MembershipState.APPLIED)
    with nothing_written(), pytest.raises(Conflict, match="Only an active membership can be ended"):
        services.leave_cooperative(actor=applicant_person, membership=membership)


@pytest.mark.parametrize(
    "state", [MembershipState.APPLIED, MembershipState.APPROVED, MembershipState.ACTIVE]
)
def test_applying_while_a_membership_is_open_is_a_conflict(
    membership_in, state, zob, woerden, applicant_person
):
    membership_in(state)
    with nothing_written(), pytest.raises(Conflict, match="already has an open membership") as e:
        services.apply_for_membership(actor=applicant_person, cooperative=zob, organisation=woerden)
    assert e.value.status_code == 409
    assert e.value.field == "organisation"


# --- Who may make each transition ----------------------------------------------------------------
@pytest.mark.parametrize("action", ["approve", "reject", "pay"])
@pytest.mark.parametrize(
    "who", ["applicant", "other_coordinator", "outsider", "member_person", "admin", "anonymous"]
)
def test_only_the_cooperatives_coordinator_decides(membership_in, request, action, who):
    membership = membership_in("applied" if action in ("approve", "reject") else "approved")
    actor = {
        "applicant": lambda: request.getfixturevalue("applicant_person"),
        "other_coordinator": lambda: request.getfixturevalue("other_coordinator"),
        "outsider": lambda: request.getfixturevalue("outsider_person"),
        "member_person": lambda: request.getfixturevalue("member_person"),
        "admin": lambda: request.getfixturevalue("admin"),
        "anonymous": AnonymousUser,
    }[who]()
    with nothing_written(), pytest.raises(NotAllowed) as refused:
        perform(action, membership, actor)
    assert refused.value.status_code == 403


@pytest.mark.parametrize("who", ["other_coordinator", "outsider", "member_person", "anonymous"])
def test_only_the_member_or_the_coordinator_ends_a_membership(membership_in, request, who):
    membership = membership_in(MembershipState.ACTIVE)
    actor = (
        AnonymousUser()
        if who == "anonymous"
        else request.getfixturevalue("outsider_person" if who == "outsider" else who)
    )
    with nothing_written(), pytest.raises(NotAllowed):
        services.leave_cooperative(actor=actor, membership=membership)


# --- The joining contribution --------------------------------------------------------------------
def per_inhabitant(rate, inhabitants, minimum=None, maximum=None):
    return contribution_due(
        kind=ContributionKind.PER_INHABITANT,
        amount=Decimal(rate),
        minimum=None if minimum is None else Decimal(minimum),
        maximum=None if maximum is None else Decimal(maximum),
        inhabitants=inhabitants,
    )


@pytest.mark.parametrize(
    ("rate", "inhabitants", "expected"),
    [
        ("0.10", 53_000, "5300.00"),
        ("0.0001", 50, "0.01"),  # 0.005 rounds half up, not to the even 0.00
        ("0.0001", 49, "0.00"),  # 0.0049 rounds down
        ("0.0025", 10, "0.03"),  # 0.025: half up gives 0.03 where half-even would give 0.02
        ("0.0125", 3, "0.04"),  # 0.0375
        ("0.3333", 3, "1.00"),  # 0.9999
        ("0.10", 0, "0.00"),  # zero inhabitants, no minimum
    ],
)
def test_contribution_rounds_half_up_to_the_cent(rate, inhabitants, expected):
    due = per_inhabitant(rate, inhabitants)
    assert due == Decimal(expected)
    assert due.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("inhabitants", "expected"),
    [
        (0, "1000.00"),  # zero inhabitants pay the minimum
        (9_999, "1000.00"),  # 999.90, raised to the minimum
        (10_000, "1000.00"),  # exactly at the minimum
        (10_001, "1000.10"),  # just above it
        (249_999, "24999.90"),  # just below the maximum
        (250_000, "25000.00"),  # exactly at the maximum
        (250_001, "25000.00"),  # 25,000.10, held to the maximum
        (2_000_000, "25000.00"),
    ],
)
def test_contribution_is_held_between_minimum_and_maximum(inhabitants, expected):
    due = per_inhabitant("0.10", inhabitants, minimum="1000", maximum="25000")
    assert due == Decimal(expected)
    assert due.as_tuple().exponent == -2


def test_contribution_rounds_before_it_is_held_to_the_bounds():
    # 0.005 rounds up to 0.01 and is then exactly at a maximum of one cent.
    assert per_inhabitant("0.0001", 50, maximum="0.01") == Decimal("0.01")
    assert per_inhabitant("0.0001", 50, minimum="0.01") == Decimal("0.01")


@pytest.mark.parametrize("inhabitants", [0, 7_450, 200_210])
def test_a_fixed_contribution_ignores_inhabitants(inhabitants):
    due = contribution_due(
        kind=ContributionKind.FIXED,
        amount=Decimal("15000"),
        minimum=None,
        maximum=None,
        inhabitants=inhabitants,
    )
    assert due == Decimal("15000.00")
    assert due.as_tuple().exponent == -2


@given(
    rate=st.decimals(min_value=0, max_value=10, places=4),
    inhabitants=st.integers(min_value=0, max_value=2_000_000),
    low=st.integers(min_value=0, max_value=100_000),
    span=st.integers(min_value=0, max_value=100_000),
)
def test_contribution_stays_within_bounds_and_grows_with_inhabitants(rate, inhabitants, low, span):
    minimum, maximum = Decimal(low), Decimal(low + span)
    due = per_inhabitant(rate, inhabitants, minimum, maximum)
    assert minimum <= due <= maximum
    assert due.as_tuple().exponent == -2
    assert per_inhabitant(rate, inhabitants + 1, minimum, maximum) >= due


def test_a_joint_arrangement_pays_for_the_municipalities_it_represents(
    zob, mgd, mgd_person, coordinator
):
    # Boxtel 31,500 + Sint-Michielsgestel 29,500 = 61,000 inhabitants x EUR 0.10.
    assert contribution_for(zob, mgd) == Decimal("6100.00")
    assert services.contribution_quote(zob, mgd) == Decimal("6100.00")
    membership = services.apply_for_membership(actor=mgd_person, cooperative=zob, organisation=mgd)
    approved = services.approve_membership(actor=coordinator, membership=membership)
    assert approved.contribution_due == Decimal("6100.00")


def test_the_fixed_policy_applies_on_approval(
    dimpact, woerden, applicant_person, other_coordinator
):
    membership = services.apply_for_membership(
        actor=applicant_person, cooperative=dimpact, organisation=woerden
    )
    approved = services.approve_membership(actor=other_coordinator, membership=membership)
    assert approved.contribution_due == Decimal("15000.00")


def test_a_policy_change_keeps_the_amount_already_approved(membership_in, zob, admin):
    approved = membership_in(MembershipState.APPROVED)
    services.change_contribution_policy(
        actor=admin,
        cooperative=zob,
        contribution_kind=ContributionKind.FIXED,
        contribution_amount="20000",
        reason="Simpler.",
    )
    approved.refresh_from_db()
    assert approved.contribution_due == WOERDEN_DUE
    record = last_audit()
    assert record.action == "cooperative.policy_changed"
    assert record.changes["contribution_kind"] == ["per_inhabitant", "fixed"]
    assert record.reason == "Simpler."


# --- Reach ---------------------------------------------------------------------------------------
def test_reach_counts_a_municipality_member_directly_and_via_a_joint_arrangement_once(
    zob, eindhoven_membership, mgd_membership, boxtel, person, coordinator
):
    boxtel_person = person("bas", boxtel)
    make_active(
        cooperative=zob, organisation=boxtel, applicant=boxtel_person, coordinator=coordinator
    )
    expected = 243_730 + 31_500 + 29_500  # Eindhoven, Boxtel (twice a member), Sint-Michielsgestel
    assert selectors.reach(zob) == expected
    assert selectors.cooperatives_list().get(pk=zob.pk).reach == expected
    assert [m.name for m in selectors.reached_municipalities(zob)] == [
        "Boxtel",
        "Eindhoven",
        "Sint-Michielsgestel",
    ]


def test_reach_counts_only_active_members(
    zob, eindhoven_membership, membership_in, coordinator, dimpact
):
    eindhoven = 243_730
    membership = membership_in(MembershipState.APPLIED)
    assert selectors.reach(zob) == eindhoven
    membership = services.approve_membership(actor=coordinator, membership=membership)
    assert selectors.reach(zob) == eindhoven
    membership = services.record_payment(
        actor=coordinator, membership=membership, paid_on=localdate(), amount=WOERDEN_DUE
    )
    assert selectors.reach(zob) == eindhoven + 53_000
    services.leave_cooperative(actor=coordinator, membership=membership)
    assert selectors.reach(zob) == eindhoven
    assert selectors.reach(dimpact) == 0
    assert selectors.cooperatives_list().get(pk=dimpact.pk).reach == 0


def test_reach_ignores_a_rejected_application(zob, membership_in):
    membership_in(MembershipState.REJECTED)
    assert selectors.reach(zob) == 0
    assert selectors.cooperatives_list().get(pk=zob.pk).reach == 0


def test_a_joint_arrangement_leaving_keeps_its_directly_member_municipality(
    zob, mgd_membership, boxtel, person, coordinator
):
    make_active(
        cooperative=zob,
        organisation=boxtel,
        applicant=person("bas", boxtel),
        coordinator=coordinator,
    )
    services.leave_cooperative(actor=coordinator, membership=mgd_membership)
    assert selectors.reach(zob) == 31_500


# --- Entitlement: who may reuse the cooperative's solutions --------------------------------------
def test_people_of_an_active_member_are_entitled(
    zob, eindhoven, eindhoven_membership, member_person
):
    assert selectors.user_is_entitled(member_person, zob)
    assert selectors.organisation_is_entitled(eindhoven, zob)
    assert allowed(member_person, "cooperative.reuse_solutions", zob)


def test_people_of_the_municipalities_a_joint_arrangement_represents_are_entitled(
    zob, mgd, mgd_membership, mgd_person, boxtel, sint_michielsgestel, person
):
    boxtel_person = person("bas", boxtel)
    assert selectors.user_is_entitled(mgd_person, zob)
    assert selectors.user_is_entitled(boxtel_person, zob)
    assert selectors.organisation_is_entitled(mgd, zob)
    assert selectors.organisation_is_entitled(boxtel, zob)
    assert selectors.organisation_is_entitled(sint_michielsgestel, zob)


@pytest.mark.parametrize(
    "state",
    [
        MembershipState.APPLIED,
        MembershipState.APPROVED,
        MembershipState.LEFT,
        MembershipState.REJECTED,
    ],
)
def test_no_entitlement_without_an_active_membership(
    membership_in, state, zob, woerden, applicant_person
):
    membership_in(state)
    assert not selectors.user_is_entitled(applicant_person, zob)
    assert not selectors.organisation_is_entitled(woerden, zob)
    assert not allowed(applicant_person, "cooperative.reuse_solutions", zob)


def test_outsiders_and_anonymous_visitors_are_not_entitled(
    zob, dimpact, cooperative_world, outsider_person, utrecht, member_person, coordinator
):
    assert not selectors.user_is_entitled(outsider_person, zob)
    assert not selectors.organisation_is_entitled(utrecht, zob)
    assert not selectors.user_is_entitled(AnonymousUser(), zob)
    assert not selectors.user_is_entitled(None, zob)
    # A coordinator is not, by that role, a member; and membership is per cooperative.
    assert not selectors.user_is_entitled(coordinator, zob)
    assert not selectors.user_is_entitled(member_person, dimpact)


def test_entitlement_ends_when_the_member_leaves(
    zob, eindhoven_membership, member_person, coordinator
):
    services.leave_cooperative(actor=coordinator, membership=eindhoven_membership)
    assert not selectors.user_is_entitled(member_person, zob)


# --- One open membership per organisation: held by the database ----------------------------------
@pytest.mark.parametrize(
    "second",
    [
        {"state": "applied"},
        {"state": "approved", "contribution_due": Decimal("1")},
        {
            "state": "active",
            "contribution_due": Decimal("1"),
            "paid_on": date(2014, 1, 1),
            "paid_amount": Decimal("1"),
        },
    ],
)
def test_the_database_refuses_a_second_open_membership(zob, woerden, second):
    Membership.objects.create(cooperative=zob, organisation=woerden)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(cooperative=zob, organisation=woerden, **second)
    assert Membership.objects.filter(organisation=woerden).count() == 1


def test_the_database_allows_closed_memberships_beside_an_open_one(zob, woerden, dimpact):
    Membership.objects.create(
        cooperative=zob, organisation=woerden, state="rejected", rejection_reason="No."
    )
    Membership.objects.create(
        cooperative=zob,
        organisation=woerden,
        state="left",
        contribution_due=Decimal("1"),
        paid_on=date(2014, 1, 1),
        paid_amount=Decimal("1"),
    )
    Membership.objects.create(cooperative=zob, organisation=woerden)
    Membership.objects.create(cooperative=dimpact, organisation=woerden)
    assert Membership.objects.open().filter(organisation=woerden).count() == 2


@pytest.mark.parametrize(
    "broken",
    [
        {"state": "rejected"},  # without a reason
        {"state": "approved"},  # without the contribution due
        {"state": "active", "contribution_due": Decimal("1")},  # unpaid
        {"state": "dormant"},
        {"role": "observer"},
        {"contribution_due": Decimal("-1")},
    ],
)
def test_the_database_refuses_an_inconsistent_membership(zob, woerden, broken):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(cooperative=zob, organisation=woerden, **broken)
    assert not Membership.objects.exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_applications_end_in_exactly_one_open_membership(zob, woerden, applicant_person):
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    outcomes = []
    lock = threading.Lock()

    def apply():
        try:
            barrier.wait(timeout=10)
            services.apply_for_membership(
                actor=applicant_person, cooperative=zob, organisation=woerden
            )
            outcome = "applied"
        except Conflict:
            outcome = "conflict"
        except Exception as error:  # reported below, so a failure says what went wrong
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=apply) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["applied"] + ["conflict"] * (threads_count - 1)
    assert Membership.objects.open().filter(cooperative=zob, organisation=woerden).count() == 1
    assert AuditRecord.objects.filter(action="membership.applied").count() == 1


# --- The audit trail -----------------------------------------------------------------------------
def test_every_membership_change_is_audited_with_who_what_and_why(
    zob, woerden, applicant_person, coordinator
):
    membership_type = ContentType.objects.get_for_model(Membership)
    start = timezone.now()
    membership = services.apply_for_membership(
        actor=applicant_person, cooperative=zob, organisation=woerden
    )
    services.approve_membership(actor=coordinator, membership=membership)
    services.record_payment(
        actor=coordinator, membership=membership, paid_on=localdate(), amount=WOERDEN_DUE
    )
    services.leave_cooperative(actor=applicant_person, membership=membership, reason="Merged.")
    again = services.apply_for_membership(
        actor=applicant_person, cooperative=zob, organisation=woerden
    )
    services.reject_membership(actor=coordinator, membership=again, reason="Not twice.")

    records = list(
        AuditRecord.objects.filter(object_type=membership_type)
        .order_by("id")
        .values_list("action", "actor__username", "object_id", "changes", "reason")
    )
    today = localdate().isoformat()
    first, second = str(membership.pk), str(again.pk)
    assert records == [
        (
            "membership.applied",
            "wim",
            first,
            {"state": [None, "applied"], "role": [None, "member"]},
            "",
        ),
        (
            "membership.approved",
            "carla",
            first,
            # Wim applied, so the approval makes him Woerden's first admin.
            {
                "state": ["applied", "approved"],
                "contribution_due": [None, "5300.00"],
                "first_admin": [None, "wim"],
            },
            "",
        ),
        (
            "membership.activated",
            "carla",
            first,
            {
                "state": ["approved", "active"],
                "paid_on": [None, today],
                "paid_amount": [None, "5300.00"],
            },
            "",
        ),
        ("membership.left", "wim", first, {"state": ["active", "left"]}, "Merged."),
        (
            "membership.applied",
            "wim",
            second,
            {"state": [None, "applied"], "role": [None, "member"]},
            "",
        ),
        (
            "membership.rejected",
            "carla",
            second,
            {"state": ["applied", "rejected"], "rejection_reason": ["", "Not twice."]},
            "Not twice.",
        ),
    ]
    for record in AuditRecord.objects.filter(object_type=membership_type):
        assert record.cooperative == zob
        assert record.organisation == woerden
        assert record.at >= start
        assert record.actor_name in {"Wim", "Carla"}
        assert "Woerden" in record.object_repr


def test_organisation_and_cooperative_changes_are_audited(admin, person):
    before = AuditRecord.objects.count()
    boxtel = services.register_organisation(
        actor=admin, kind="municipality", name="Boxtel", cbs_code="GM0757", inhabitants=30_410
    )
    cooperative = services.create_cooperative(actor=admin, name="Regio", contribution_amount="100")
    user = person("bas")
    services.affiliate(actor=admin, organisation=boxtel, user=user)
    services.affiliate(actor=admin, organisation=boxtel, user=user)  # already: nothing to record
    services.appoint_coordinator(actor=admin, cooperative=cooperative, user=user)
    actions = list(
        AuditRecord.objects.order_by("id")[before:].values_list("action", "actor__username")
    )
    assert actions == [
        ("organisation.registered", "root"),
        ("cooperative.created", "root"),
        ("organisation.person_added", "root"),
        ("cooperative.coordinator_appointed", "root"),
    ]


def test_a_change_and_its_audit_record_share_one_transaction(membership_in, coordinator):
    membership = membership_in(MembershipState.APPLIED)
    counts = row_counts()
    with transaction.atomic():
        services.approve_membership(actor=coordinator, membership=membership)
        assert AuditRecord.objects.count() == counts["cooperative.AuditRecord"] + 1
        transaction.set_rollback(True)
    # Rolling back the caller's transaction takes the audit record with it: nothing was
    # committed separately.
    assert row_counts() == counts
    membership.refresh_from_db()
    assert membership.state == MembershipState.APPLIED


def test_a_service_failing_after_its_first_write_leaves_no_row_and_no_audit(admin, woerden):
    # The organisation is saved before `represents` is checked; the check then fails.
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.register_organisation(
            actor=admin,
            kind="municipality",
            name="Bodegraven",
            cbs_code="GM1901",
            inhabitants=33_000,
            represents=[woerden],
        )
    assert "represents" in refused.value.message_dict


@pytest.fixture
def audit_record(membership_in):
    membership_in(MembershipState.APPLIED)
    return last_audit()


@pytest.mark.parametrize(
    "change",
    [
        "save",
        "delete",
        "queryset update",
        "queryset delete",
        "bulk update",
        "update or create",
    ],
)
def test_the_app_refuses_to_change_or_remove_an_audit_record(audit_record, change):
    original = AuditRecord.objects.filter(pk=audit_record.pk).values().get()
    with pytest.raises(AuditTrailIsAppendOnly, match="append-only"):
        if change == "save":
            audit_record.reason = "Rewritten."
            audit_record.save()
        elif change == "delete":
            audit_record.delete()
        elif change == "queryset update":
            AuditRecord.objects.filter(pk=audit_record.pk).update(reason="Rewritten.")
        elif change == "queryset delete":
            AuditRecord.objects.all().delete()
        elif change == "bulk update":
            audit_record.reason = "Rewritten."
            AuditRecord.objects.bulk_update([audit_record], ["reason"])
        else:
            AuditRecord.objects.update_or_create(
                pk=audit_record.pk, defaults={"reason": "Rewritten."}
            )
    assert AuditRecord.objects.filter(pk=audit_record.pk).values().get() == original


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cooperative_auditrecord SET reason = 'Rewritten.' WHERE id = %s",
        "DELETE FROM cooperative_auditrecord WHERE id = %s",
    ],
)
def test_postgresql_itself_refuses_to_change_or_remove_an_audit_record(audit_record, sql):
    original = AuditRecord.objects.filter(pk=audit_record.pk).values().get()
    with (
        pytest.raises(DatabaseError, match="pgtrigger"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [audit_record.pk])
    assert AuditRecord.objects.filter(pk=audit_record.pk).values().get() == original


# --- Notifications, after the commit -------------------------------------------------------------
def listen(*users):
    """A channel on the current layer subscribed to each person's notification group."""
    layer = get_channel_layer()
    channels = {}
    for user in users:
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(events.user_group(user.pk), channel)
        channels[user.username] = channel
    return layer, channels


def received(layer, channel):
    async def drain():
        messages = []
        while True:
            try:
                messages.append(await asyncio.wait_for(layer.receive(channel), 0.2))
            except TimeoutError:
                return messages

    return async_to_sync(drain)()


@pytest.mark.parametrize(
    ("action", "event"),
    [
        ("approve", "membership.approved"),
        ("reject", "membership.rejected"),
        ("pay", "membership.activated"),
    ],
)
def test_decisions_notify_the_applicants_people_and_the_coordinators_after_commit(
    channel_layer_settings,
    membership_in,
    coordinator,
    applicant_person,
    person,
    woerden,
    outsider_person,
    other_coordinator,
    member_person,
    django_capture_on_commit_callbacks,
    action,
    event,
):
    colleague = person("wendy", woerden)
    membership = membership_in("approved" if action == "pay" else "applied")
    layer, channels = listen(
        applicant_person, colleague, coordinator, outsider_person, other_coordinator, member_person
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        perform(action, membership, coordinator)
    # Nothing leaves before the commit.
    assert all(received(layer, channel) == [] for channel in channels.values())
    for callback in callbacks:
        callback()
    told = {name: received(layer, channel) for name, channel in channels.items()}
    for name in ("wim", "wendy", "carla"):
        assert [message["event"] for message in told[name]] == [event], name
        data = told[name][0]["data"]
        assert data["membership"] == membership.pk
        assert data["cooperative"] == "zuidoost-brabant"
        assert data["organisation"] == "Woerden"
        assert data["state"] == perform_state(action)
    for name in ("uma", "dirk", "eva"):
        assert told[name] == [], name


def perform_state(action):
    return {"approve": "approved", "reject": "rejected", "pay": "active"}[action]


def test_a_refused_change_notifies_no_one(
    channel_layer_settings, membership_in, coordinator, django_capture_on_commit_callbacks
):
    membership = membership_in(MembershipState.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Conflict):
        services.approve_membership(actor=coordinator, membership=membership)
    assert callbacks == []


# --- Bad input: a clear error naming the field, and nothing written ------------------------------
@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"cbs_code": "GM77"}, "cbs_code", "GM followed by four digits"),
        ({"cbs_code": "XX0772"}, "cbs_code", "GM followed by four digits"),
        ({"cbs_code": "gm0772"}, "cbs_code", "GM followed by four digits"),
        ({"cbs_code": "GM07721"}, "cbs_code", ""),
        ({"cbs_code": "GM0632"}, "cbs_code", "already exists"),  # Woerden's
        ({"cbs_code": None}, "cbs_code", "needs its CBS code"),
        ({"inhabitants": None}, "inhabitants", "number of inhabitants"),
        ({"inhabitants": -1}, "inhabitants", "greater than or equal to 0"),
        ({"inhabitants": "many"}, "inhabitants", "must be an integer"),
        ({"kind": "village"}, "kind", "Unknown kind of organisation: village"),
        ({"name": "   "}, "name", "cannot be blank"),
        ({"kind": "supplier"}, "cbs_code", "Only a municipality has a CBS code"),
    ],
)
def test_bad_organisations_are_refused_naming_the_field(admin, woerden, kwargs, field, message):
    given = {
        "kind": OrganisationKind.MUNICIPALITY,
        "name": "Bodegraven-Reeuwijk",
        "cbs_code": "GM1901",
        "inhabitants": 33_000,
        **kwargs,
    }
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.register_organisation(actor=admin, **given)
    assert field in refused.value.message_dict
    assert message in " ".join(refused.value.message_dict[field])


def test_only_municipalities_can_be_represented(admin, woerden, gemboxx):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.register_organisation(
            actor=admin,
            kind=OrganisationKind.JOINT_ARRANGEMENT,
            name="Servicecentrum",
            represents=[woerden, gemboxx],
        )
    assert refused.value.message_dict["represents"] == ["Only municipalities can be represented."]


def test_an_outsider_cannot_register_organisations(outsider_person):
    with nothing_written(), pytest.raises(NotAllowed):
        services.register_organisation(actor=outsider_person, kind="supplier", name="Sneaky BV")


@pytest.mark.parametrize(
    ("policy", "field", "message"),
    [
        ({"contribution_amount": "-1"}, "contribution_amount", "cannot be negative"),
        ({"contribution_amount": Decimal("-0.01")}, "contribution_amount", "cannot be negative"),
        ({"contribution_minimum": "-5"}, "contribution_minimum", "cannot be negative"),
        ({"contribution_maximum": "-5"}, "contribution_maximum", "cannot be negative"),
        (
            {"contribution_minimum": "2000", "contribution_maximum": "1000"},
            "contribution_maximum",
            "cannot be below the minimum",
        ),
        ({"contribution_amount": "twintig"}, "contribution_amount", "Enter an amount in euros"),
        ({"contribution_amount": "NaN"}, "contribution_amount", "Enter an amount in euros"),
        ({"contribution_amount": "Infinity"}, "contribution_amount", "Enter an amount in euros"),
        ({"contribution_minimum": "veel"}, "contribution_minimum", "Enter an amount in euros"),
        ({"contribution_amount": None}, "contribution_amount", "Give the amount"),
        ({"contribution_amount": "0.12345"}, "contribution_amount", "decimal places"),
        ({"contribution_kind": "per_head"}, "contribution_kind", "Unknown contribution policy"),
    ],
)
def test_bad_contribution_policies_are_refused_naming_the_field(admin, policy, field, message):
    given = {
        "contribution_kind": ContributionKind.PER_INHABITANT,
        "contribution_amount": "0.10",
        "contribution_minimum": "1000",
        "contribution_maximum": "25000",
        **policy,
    }
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.create_cooperative(actor=admin, name="Regio Nijmegen", **given)
    assert message in " ".join(refused.value.message_dict[field])


def test_a_bad_policy_change_changes_nothing(zob, admin):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.change_contribution_policy(
            actor=admin,
            cooperative=zob,
            contribution_kind=ContributionKind.PER_INHABITANT,
            contribution_amount="0.10",
            contribution_minimum="30000",
            contribution_maximum="25000",
        )
    assert "contribution_maximum" in refused.value.message_dict


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("5299.99", "must equal the contribution due (€ 5300.00)"),
        ("5300.01", "must equal the contribution due"),
        ("5300.004", "must equal the contribution due"),  # not rounded into acceptance
        ("1E+30", "must equal the contribution due"),  # too large to carry cents
        ("0", "must equal the contribution due"),
        ("-5300.00", "cannot be negative"),
        ("vijfduizend", "Enter the amount paid in euros"),
        ("", "Enter the amount paid in euros"),
        (None, "Enter the amount paid in euros"),
        ("NaN", "Enter the amount paid in euros"),
        ("-Infinity", "Enter the amount paid in euros"),
    ],
)
def test_a_wrong_payment_amount_is_refused(membership_in, coordinator, amount, message):
    membership = membership_in(MembershipState.APPROVED)
    with (
        nothing_written(),
        pytest.raises(
            DomainError, match=message.replace("(", r"\(").replace(")", r"\)")
        ) as refused,
    ):
        services.record_payment(
            actor=coordinator, membership=membership, paid_on=localdate(), amount=amount
        )
    assert refused.value.field == "amount"
    assert refused.value.status_code == 400


@pytest.mark.parametrize(
    ("paid_on", "message"),
    [
        (timedelta(days=1), "cannot be in the future"),
        (timedelta(days=-1), "cannot be before the approval"),
        ("2014-01-01", "Give the date of payment"),
        (None, "Give the date of payment"),
        (datetime(2014, 1, 1, 12, 0), "Give the date of payment"),
    ],
)
def test_a_wrong_payment_date_is_refused(membership_in, coordinator, paid_on, message):
    membership = membership_in(MembershipState.APPROVED)
    if isinstance(paid_on, timedelta):  # relative to the day the test runs, not collects
        paid_on = localdate() + paid_on
    with nothing_written(), pytest.raises(DomainError, match=message) as refused:
        services.record_payment(
            actor=coordinator, membership=membership, paid_on=paid_on, amount=WOERDEN_DUE
        )
    assert refused.value.field == "paid_on"


@pytest.mark.parametrize("kind", [OrganisationKind.SUPPLIER, OrganisationKind.COOPERATIVE_OFFICE])
def test_a_supplier_or_office_cannot_apply(admin, zob, person, kind):
    organisation = services.register_organisation(actor=admin, kind=kind, name="Gemboxx")
    gerrit = person("gerrit", organisation)
    with nothing_written(), pytest.raises(DomainError, match="cannot become a member") as refused:
        services.apply_for_membership(actor=gerrit, cooperative=zob, organisation=organisation)
    assert refused.value.field == "organisation"
    assert not isinstance(refused.value, (NotAllowed, Conflict))


@pytest.mark.parametrize("who", ["outsider_person", "coordinator", "admin", "member_person"])
def test_applying_for_an_organisation_you_do_not_work_for_is_not_allowed(
    zob, woerden, request, who
):
    actor = request.getfixturevalue(who)
    with nothing_written(), pytest.raises(NotAllowed, match="organisation you work for"):
        services.apply_for_membership(actor=actor, cooperative=zob, organisation=woerden)


def test_an_anonymous_visitor_cannot_apply(zob, woerden):
    with nothing_written(), pytest.raises(NotAllowed):
        services.apply_for_membership(actor=AnonymousUser(), cooperative=zob, organisation=woerden)


def test_an_unknown_role_is_refused(zob, woerden, applicant_person):
    with nothing_written(), pytest.raises(DomainError, match="Unknown membership role") as e:
        services.apply_for_membership(
            actor=applicant_person, cooperative=zob, organisation=woerden, role="observer"
        )
    assert e.value.field == "role"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rejection_needs_a_reason(membership_in, coordinator, reason):
    membership = membership_in(MembershipState.APPLIED)
    with nothing_written(), pytest.raises(DomainError, match="reason for the rejection") as e:
        services.reject_membership(actor=coordinator, membership=membership, reason=reason)
    assert e.value.field == "reason"
    assert e.value.code == "required"


def test_an_invalid_organisation_never_reaches_the_table(admin):
    counts = Organisation.objects.count()
    with pytest.raises(ValidationError):
        services.register_organisation(
            actor=admin, kind="municipality", name="Nergenshuizen", cbs_code="GM9", inhabitants=1
        )
    assert Organisation.objects.count() == counts
