"""Random sequences of membership actions, by random people, never reach an invalid state.

A hypothesis state machine applies, approves, rejects, records payments and leaves — for a few
organisations in one cooperative, by actors with and without the right — and after every step
checks the database against a model of what should have happened:

- each membership is in the state the model expects, consistent with its fields;
- no organisation has two open memberships;
- there is exactly one audit record per successful change, in order, and none for a refusal;
- a refused action raised the error the rules predict and changed nothing at all.

Each example runs in a savepoint that is rolled back afterwards, inside pytest-django's `db`.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CheckConstraint, Count, Q
from django.utils.timezone import localdate
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from cooperative import services
from cooperative.models import (
    OPEN_STATES,
    AuditRecord,
    Membership,
    MembershipState,
    OrganisationKind,
)
from deelbaar.errors import Conflict, DomainError, NotAllowed

pytestmark = pytest.mark.django_db

ORGANISATIONS = ["woerden", "mgd", "utrecht", "gemboxx"]
# Who works where; "carla" coordinates the cooperative, "dirk" another one.
WORKS_FOR = {"wim": "woerden", "maarten": "mgd", "uma": "utrecht", "gerrit": "gemboxx"}
PERSON_OF = {organisation: person for person, organisation in WORKS_FOR.items()}
ACTORS = ["carla", "dirk", "wim", "maarten", "uma", "gerrit", "root", "anonymous"]
COORDINATOR = "carla"
# Two draws in three are the person entitled to act (the coordinator for a decision, the
# organisation's own person for applying and leaving), so that sequences get past the first
# step often enough to reach every state; the other half is anyone at all.
RIGHTFUL = "rightful"
actors = st.sampled_from([RIGHTFUL] * 2 * len(ACTORS) + ACTORS)

MEMBERSHIP_CHECKS = Q()
for constraint in Membership._meta.constraints:
    if isinstance(constraint, CheckConstraint):
        MEMBERSHIP_CHECKS &= constraint.condition

# What each successful action records in the trail.
ACTION_RECORDED = {
    "apply": "membership.applied",
    "approve": "membership.approved",
    "reject": "membership.rejected",
    "pay": "membership.activated",
    "leave": "membership.left",
}


class Refused(Exception):
    """What the model predicts a refusal looks like: the error class and the field at fault."""

    def __init__(self, error_class, field=None):
        super().__init__(error_class.__name__, field)
        self.error_class = error_class
        self.field = field


class MembershipLifecycle(RuleBasedStateMachine):
    # Set by the test: the cooperative, its organisations and the actors, built by fixtures.
    world: dict = {}

    memberships = Bundle("memberships")

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.cooperative = self.world["cooperative"]
        self.membership_type = ContentType.objects.get_for_model(Membership)
        self.audit_start = AuditRecord.objects.count()
        self.successes = 0
        # The model: per membership its organisation, expected state and recorded actions.
        self.state_of: dict[int, str] = {}
        self.organisation_of: dict[int, str] = {}
        self.history: dict[int, list[str]] = {}

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- Helpers -------------------------------------------------------------------------------
    def actor(self, name):
        return AnonymousUser() if name == "anonymous" else self.world["people"][name]

    def written(self):
        """What a refused membership action must leave as it was: every membership row and
        the audit trail's length. (The single-step tests in test_services.py compare every row
        of every table; here that would cost more than the actions themselves.)"""
        return (
            list(Membership.objects.order_by("pk").values_list()),
            AuditRecord.objects.count(),
        )

    def attempt(self, action, expected, call):
        """Run `call`; it must succeed if `expected` is None, else fail exactly as predicted
        and leave every table unchanged."""
        before = self.written()
        try:
            result = call()
        except DomainError as error:
            assert expected is not None, f"{action} was refused: {error!r}"
            assert type(error) is expected.error_class, (action, error, expected)
            assert error.field == expected.field, (action, error.field, expected.field)
            assert str(error), "a refusal says why"
            assert self.written() == before, f"refused {action} wrote to the database"
            return None
        assert expected is None, f"{action} succeeded; expected {expected!r}"
        self.successes += 1
        return result

    def record(self, pk, action, state):
        self.state_of[pk] = state
        self.history[pk].append(ACTION_RECORDED[action])

    def open_membership_of(self, organisation):
        return any(
            self.organisation_of[pk] == organisation and state in OPEN_STATES
            for pk, state in self.state_of.items()
        )

    def is_coordinator(self, actor):
        return actor == COORDINATOR

    # --- Rules ---------------------------------------------------------------------------------
    @rule(
        target=memberships,
        organisation=st.sampled_from(ORGANISATIONS),
        actor=actors,
        role=st.sampled_from(["member", "pilot", "observer"]),
    )
    def apply(self, organisation, actor, role):
        target = self.world["organisations"][organisation]
        actor = PERSON_OF[organisation] if actor == RIGHTFUL else actor
        if WORKS_FOR.get(actor) != organisation:
            expected = Refused(NotAllowed)
        elif role == "observer":
            expected = Refused(DomainError, "role")
        elif target.kind == OrganisationKind.SUPPLIER:
            expected = Refused(DomainError, "organisation")
        elif self.open_membership_of(organisation):
            expected = Refused(Conflict, "organisation")
        else:
            expected = None
        membership = self.attempt(
            "apply",
            expected,
            lambda: services.apply_for_membership(
                actor=self.actor(actor),
                cooperative=self.cooperative,
                organisation=target,
                role=role,
            ),
        )
        if membership is None:
            return multiple()
        self.organisation_of[membership.pk] = organisation
        self.history[membership.pk] = []
        self.record(membership.pk, "apply", MembershipState.APPLIED)
        return membership.pk

    @rule(membership=memberships, actor=actors)
    def approve(self, membership, actor):
        actor = COORDINATOR if actor == RIGHTFUL else actor
        if not self.is_coordinator(actor):
            expected = Refused(NotAllowed)
        elif self.state_of[membership] != MembershipState.APPLIED:
            expected = Refused(Conflict, "state")
        else:
            expected = None
        done = self.attempt(
            "approve",
            expected,
            lambda: services.approve_membership(
                actor=self.actor(actor), membership=Membership.objects.get(pk=membership)
            ),
        )
        if done is not None:
            self.record(membership, "approve", MembershipState.APPROVED)

    @rule(
        membership=memberships,
        actor=actors,
        reason=st.sampled_from(["Outside the region."] * 3 + ["", "   "]),
    )
    def reject(self, membership, actor, reason):
        actor = COORDINATOR if actor == RIGHTFUL else actor
        if not self.is_coordinator(actor):
            expected = Refused(NotAllowed)
        elif not reason.strip():
            expected = Refused(DomainError, "reason")
        elif self.state_of[membership] != MembershipState.APPLIED:
            expected = Refused(Conflict, "state")
        else:
            expected = None
        done = self.attempt(
            "reject",
            expected,
            lambda: services.reject_membership(
                actor=self.actor(actor),
                membership=Membership.objects.get(pk=membership),
                reason=reason,
            ),
        )
        if done is not None:
            self.record(membership, "reject", MembershipState.REJECTED)

    @rule(
        membership=memberships,
        actor=actors,
        amount=st.sampled_from(["due"] * 4 + ["one cent more", "nothing"]),
        when=st.sampled_from(["today"] * 4 + ["tomorrow"]),
    )
    def pay(self, membership, actor, amount, when):
        actor = COORDINATOR if actor == RIGHTFUL else actor
        if not self.is_coordinator(actor):
            expected = Refused(NotAllowed)
        elif self.state_of[membership] != MembershipState.APPROVED:
            expected = Refused(Conflict, "state")
        elif amount != "due":
            expected = Refused(DomainError, "amount")
        elif when != "today":
            expected = Refused(DomainError, "paid_on")
        else:
            expected = None

        def call():
            row = Membership.objects.get(pk=membership)
            due = row.contribution_due or Decimal("1000.00")
            return services.record_payment(
                actor=self.actor(actor),
                membership=row,
                paid_on=localdate() + timedelta(days=0 if when == "today" else 1),
                amount={"due": due, "one cent more": due + Decimal("0.01"), "nothing": "0"}[amount],
            )

        if self.attempt("pay", expected, call) is not None:
            self.record(membership, "pay", MembershipState.ACTIVE)

    @rule(membership=memberships, actor=actors)
    def leave(self, membership, actor):
        actor = PERSON_OF[self.organisation_of[membership]] if actor == RIGHTFUL else actor
        works_for_member = WORKS_FOR.get(actor) == self.organisation_of[membership]
        if not (self.is_coordinator(actor) or works_for_member):
            expected = Refused(NotAllowed)
        elif self.state_of[membership] != MembershipState.ACTIVE:
            expected = Refused(Conflict, "state")
        else:
            expected = None
        done = self.attempt(
            "leave",
            expected,
            lambda: services.leave_cooperative(
                actor=self.actor(actor), membership=Membership.objects.get(pk=membership)
            ),
        )
        if done is not None:
            self.record(membership, "leave", MembershipState.LEFT)

    # --- Invariants ----------------------------------------------------------------------------
    @invariant()
    def states_are_as_expected_and_consistent_with_the_fields(self):
        rows = Membership.objects.filter(cooperative=self.cooperative)
        # Every check constraint of the model, evaluated over all rows in one query.
        assert not rows.exclude(MEMBERSHIP_CHECKS).exists()
        assert {m.pk: m.state for m in rows} == self.state_of
        for m in rows:
            if m.state == MembershipState.REJECTED:
                assert m.rejection_reason.strip() and m.decided_at
            else:
                assert m.rejection_reason == ""
            if m.state == MembershipState.APPLIED:
                assert m.contribution_due is None and m.decided_at is None
            if m.state in (MembershipState.APPROVED, MembershipState.ACTIVE, MembershipState.LEFT):
                assert m.contribution_due is not None and m.contribution_due >= 0
                assert m.decided_at is not None
            if m.state in (MembershipState.ACTIVE, MembershipState.LEFT):
                assert m.paid_on is not None and m.paid_amount == m.contribution_due
                assert m.activated_at is not None
            else:
                assert m.paid_on is None and m.paid_amount is None
            assert (m.left_at is not None) == (m.state == MembershipState.LEFT)

    @invariant()
    def at_most_one_open_membership_per_organisation(self):
        doubled = (
            Membership.objects.open()
            .filter(cooperative=self.cooperative)
            .values("organisation")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not doubled.exists()

    @invariant()
    def one_audit_record_per_successful_change(self):
        assert AuditRecord.objects.count() - self.audit_start == self.successes
        recorded = {pk: [] for pk in self.history}
        for object_id, action in (
            AuditRecord.objects.filter(object_type=self.membership_type)
            .order_by("id")
            .values_list("object_id", "action")
        ):
            recorded[int(object_id)].append(action)
        assert recorded == self.history


@pytest.fixture
def world(
    zob,
    woerden,
    mgd,
    utrecht,
    gemboxx,
    coordinator,
    other_coordinator,
    applicant_person,
    mgd_person,
    outsider_person,
    person,
    admin,
):
    people = {
        "carla": coordinator,
        "dirk": other_coordinator,
        "wim": applicant_person,
        "maarten": mgd_person,
        "uma": outsider_person,
        "gerrit": person("gerrit", gemboxx),
        "root": admin,
    }
    organisations = {"woerden": woerden, "mgd": mgd, "utrecht": utrecht, "gemboxx": gemboxx}
    return {"cooperative": zob, "people": people, "organisations": organisations}


def test_random_action_sequences_never_reach_an_invalid_state(world):
    class Lifecycle(MembershipLifecycle):
        pass

    Lifecycle.world = world
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=50,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
