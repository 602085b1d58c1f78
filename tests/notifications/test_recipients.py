"""Per kind: the right people are told, nobody else, never the one who acted, never anyone
outside the cooperative; the text is written in the reader's language when shown."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from cooperative import services as cooperative_services
from cooperative.models import Affiliation, OrganisationRole
from integrations.models import WebhookSubscription
from notifications import receivers, recipients
from notifications.models import Kind, Notification
from notifications.services import notify
from solutions.services import adoption as adoption_services
from solutions.services import publication as publication_services
from sprints import services
from sprints.models import TeamRole
from tests.notifications.conftest import told
from tests.sprints.flows import ready_item

pytestmark = pytest.mark.django_db


def make_admin(user):
    """The person becomes their organisation's admin (the people pages do this for real)."""
    Affiliation.objects.filter(user=user).update(role=OrganisationRole.ADMIN)
    return user


@pytest.fixture
def delivered(product, product_owner, developer, tester, second_tester):
    """Sprint 1 active with two items done, delivered as increment 0.1.0 (a draft)."""
    sprint = services.plan_sprint(actor=product_owner, product=product, start=timezone.localdate())
    items = [ready_item(product, product_owner, f"Item {n}", 3) for n in range(2)]
    services.commit_items(actor=product_owner, sprint=sprint, items=items)
    services.start_sprint(actor=product_owner, sprint=sprint)
    for item in items:
        services.set_item_status(actor=developer, item=item, status="done")
    increment = services.create_increment(
        actor=developer, product=product, version="0.1.0", items=items, sprint=sprint
    )
    return increment, items


@pytest.fixture
def submitted(delivered, product_owner, tester, second_tester):
    increment, items = delivered
    increment = services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timedelta(days=1),
        testers=[tester, second_tester],
    )
    return increment, items


def test_verdict_requested_tells_the_testers_asked(
    delivered, product_owner, tester, second_tester, developer, coordinator, after_commit
):
    increment, _items = delivered
    with after_commit():
        services.submit_increment(
            actor=product_owner,
            increment=increment,
            deadline=timezone.localdate() + timedelta(days=3),
            testers=[tester],
        )
    assert told(Kind.VERDICT_REQUESTED) == {"tessa"}
    assert recipients.verdict_requested(increment) == {tester.pk}
    notification = Notification.objects.get(kind=Kind.VERDICT_REQUESTED)
    assert notification.actor == product_owner
    assert notification.url == f"/products/{increment.product_id}/increments/{increment.pk}/judge"
    assert notification.subject == increment
    # The text is written when shown, in the language of whoever reads it.
    with translation.override("en"):
        assert notification.text.startswith("Version 0.1.0 of Subsidiesysteem awaits your verdict")
    with translation.override("nl"):
        assert "wacht op uw oordeel" in notification.text


def test_verdict_given_tells_owner_and_developers_not_the_tester(
    submitted, tester, product_owner, developer, after_commit
):
    increment, items = submitted
    with after_commit():
        services.give_verdict(actor=tester, increment=increment, item=items[0], accepted=True)
    assert told(Kind.VERDICT_GIVEN) == {"eva", "dani"}
    notification = Notification.objects.filter(kind=Kind.VERDICT_GIVEN).first()
    with translation.override("en"):
        assert f"accepted {items[0].reference}" in notification.text


def test_increment_decided_and_follow_up(
    submitted, tester, second_tester, product_owner, developer, after_commit
):
    increment, items = submitted
    services.give_verdict(actor=tester, increment=increment, item=items[0], accepted=True)
    services.give_verdict(actor=tester, increment=increment, item=items[1], accepted=True)
    services.give_verdict(actor=second_tester, increment=increment, item=items[0], accepted=True)
    with after_commit():
        services.give_verdict(
            actor=second_tester,
            increment=increment,
            item=items[1],
            accepted=False,
            remarks="De bevestiging komt niet aan",
        )
    # The last verdict decided it: the owner, the developers and the other tester are told.
    assert told(Kind.INCREMENT_DECIDED) == {"eva", "dani", "tessa"}
    assert told(Kind.FOLLOW_UP_CREATED) == {"eva", "dani"}
    follow_up = Notification.objects.get(kind=Kind.FOLLOW_UP_CREATED, recipient=product_owner)
    with translation.override("en"):
        assert "was added to the backlog of Subsidiesysteem" in follow_up.text


def test_sprint_started_and_closed_tell_the_team(
    product, product_owner, developer, tester, make_item, after_commit
):
    sprint = services.plan_sprint(actor=product_owner, product=product, start=timezone.localdate())
    services.commit_items(actor=product_owner, sprint=sprint, items=[make_item()])
    with after_commit():
        sprint = services.start_sprint(actor=product_owner, sprint=sprint)
    assert told(Kind.SPRINT_STARTED) == {"dani", "tessa"}
    with after_commit():
        services.close_sprint(actor=product_owner, sprint=sprint)
    assert told(Kind.SPRINT_CLOSED) == {"dani", "tessa"}


def test_membership_applied_tells_the_coordinators_only_of_that_cooperative(
    zob, woerden, applicant_person, coordinator, other_coordinator, after_commit
):
    with after_commit():
        membership = cooperative_services.apply_for_membership(
            actor=applicant_person, cooperative=zob, organisation=woerden
        )
    assert told(Kind.MEMBERSHIP_APPLIED) == {"carla"}
    assert recipients.membership_applied(membership) == {coordinator.pk}


def test_membership_decided_tells_the_applicants_admins(
    zob, woerden, applicant_person, person, admin, coordinator, after_commit
):
    make_admin(person("willem", woerden))
    membership = cooperative_services.apply_for_membership(
        actor=applicant_person, cooperative=zob, organisation=woerden
    )
    with after_commit():
        cooperative_services.approve_membership(actor=coordinator, membership=membership)
    # Woerden has an admin: only the admin is told (wim is staff).
    assert told(Kind.MEMBERSHIP_DECIDED) == {"willem"}
    notification = Notification.objects.get(kind=Kind.MEMBERSHIP_DECIDED)
    with translation.override("en"):
        assert notification.text.endswith("was approved.")


def test_membership_decided_without_admins_tells_the_organisations_people(
    zob, woerden, applicant_person, coordinator, after_commit
):
    membership = cooperative_services.apply_for_membership(
        actor=applicant_person, cooperative=zob, organisation=woerden
    )
    with after_commit():
        cooperative_services.reject_membership(
            actor=coordinator, membership=membership, reason="Buiten de regio"
        )
    assert told(Kind.MEMBERSHIP_DECIDED) == {"wim"}


def test_publication_requested_and_decided(
    accepted_increment, product_owner, coordinator, person, admin, zob, after_commit
):
    second = person("cor")
    cooperative_services.appoint_coordinator(actor=admin, cooperative=zob, user=second)
    with after_commit():
        request = publication_services.request_publication(
            actor=product_owner,
            increment=accepted_increment,
            name="Subsidiesysteem",
            short_description="Subsidies aanvragen en toekennen.",
        )
    assert told(Kind.PUBLICATION_REQUESTED) == {"carla", "cor"}
    with after_commit():
        publication_services.reject_publication(
            actor=coordinator, publication_request=request, reason="Nog niet af"
        )
    # The product owner asked and owns it; the deciding coordinator is not told.
    assert told(Kind.PUBLICATION_DECIDED) == {"eva"}


def test_a_coordinator_who_requests_is_not_told_of_their_own_request(
    accepted_increment, product, product_owner, coordinator, eindhoven, zob, admin, after_commit
):
    # Carla coordinates and also works for Eindhoven, as a second product owner.
    cooperative_services.affiliate(actor=admin, organisation=eindhoven, user=coordinator)
    services.add_team_member(
        actor=product_owner, product=product, user=coordinator, role=TeamRole.PRODUCT_OWNER
    )
    with after_commit():
        publication_services.request_publication(
            actor=coordinator,
            increment=accepted_increment,
            name="Subsidiesysteem",
            short_description="Subsidies aanvragen en toekennen.",
        )
    assert told(Kind.PUBLICATION_REQUESTED) == set()


def test_release_published_tells_the_people_of_organisations_using_it(
    accepted_increment,
    solution,
    member_person,
    mgd_person,
    mgd_membership,
    coordinator,
    product_owner,
    outsider_person,
    after_commit,
):
    adoption = adoption_services.request_adoption(
        actor=mgd_person, solution=solution, organisation=mgd_person.organisations.get()
    )
    adoption_services.take_into_use(actor=mgd_person, adoption=adoption)
    request = publication_services.request_publication(
        actor=product_owner, increment=accepted_increment, solution=solution
    )
    with after_commit():
        release = publication_services.approve_publication(
            actor=coordinator, publication_request=request
        )
    assert told(Kind.RELEASE_PUBLISHED) == {"maarten"}
    assert recipients.release_published(release) == {mgd_person.pk}


def test_review_posted_tells_the_product_owner(
    solution, mgd_person, mgd_membership, product_owner, after_commit
):
    adoption = adoption_services.request_adoption(
        actor=mgd_person, solution=solution, organisation=mgd_person.organisations.get()
    )
    adoption_services.take_into_use(actor=mgd_person, adoption=adoption)
    with after_commit():
        adoption_services.review_solution(
            actor=mgd_person,
            solution=solution,
            organisation=mgd_person.organisations.get(),
            score=4,
        )
    assert told(Kind.REVIEW_POSTED) == {"eva"}
    # A revision is not news.
    with after_commit():
        adoption_services.review_solution(
            actor=mgd_person,
            solution=solution,
            organisation=mgd_person.organisations.get(),
            score=5,
        )
    assert Notification.objects.filter(kind=Kind.REVIEW_POSTED).count() == 1


def test_deadline_reminders_go_to_who_has_not_answered_once(
    submitted, tester, second_tester, product_owner
):
    increment, items = submitted
    for item in items:
        services.give_verdict(actor=tester, increment=increment, item=item, accepted=True)
    made = receivers.notify_deadline(increment, Kind.DEADLINE_TOMORROW)
    assert {n.recipient.username for n in made} == {"timo", "eva"}
    # Run twice: nobody is told twice.
    assert receivers.notify_deadline(increment, Kind.DEADLINE_TOMORROW) == []
    assert told(Kind.DEADLINE_TOMORROW) == {"timo", "eva"}
    receivers.notify_deadline(increment, Kind.DEADLINE_PASSED)
    assert told(Kind.DEADLINE_PASSED) == {"timo", "eva"}


def test_maintenance_ending_tells_the_admins_of_adopting_organisations(
    solution, member_person, mgd_person, mgd, mgd_membership, admin, person
):
    boss = make_admin(person("mira", mgd))
    person("sem", mgd)  # staff
    adoption = adoption_services.request_adoption(
        actor=mgd_person, solution=solution, organisation=mgd
    )
    adoption_services.take_into_use(actor=mgd_person, adoption=adoption)
    solution.maintenance_until = timezone.localdate() + timedelta(days=60)
    solution.save(update_fields=["maintenance_until"])
    receivers.notify_maintenance_ending(solution)
    receivers.notify_maintenance_ending(solution)
    assert "mira" in told(Kind.MAINTENANCE_ENDING)
    assert "sem" not in told(Kind.MAINTENANCE_ENDING)
    assert Notification.objects.filter(kind=Kind.MAINTENANCE_ENDING, recipient=boss).count() == 1


def test_webhook_failing_tells_the_coordinators(zob, coordinator, other_coordinator, admin):
    subscription = WebhookSubscription.objects.create(
        cooperative=zob,
        url="https://hooks.example.org/deelbaar",
        secret="s" * 32,
        events=["verdict.given"],
    )
    since = timezone.now() - timedelta(hours=25)
    receivers.notify_webhook_failing(subscription, since=since)
    receivers.notify_webhook_failing(subscription, since=since)
    assert told(Kind.WEBHOOK_FAILING) == {"carla"}


def test_access_requested_tells_the_coordinators_once(
    zob, coordinator, other_coordinator, outsider_person, after_commit
):
    from deelbaar.events import notify_users, publish_on_commit

    data = {"id": 7, "cooperative": zob.pk, "actor": outsider_person.pk}
    with after_commit():
        # Published to a page and to people alike: told once.
        publish_on_commit("cooperative.1", "access.requested", data)
        notify_users([coordinator.pk], "access.requested", data)
    assert told(Kind.ACCESS_REQUESTED) == {"carla"}


def test_nobody_outside_the_cooperative_and_never_the_actor(
    zob, coordinator, other_coordinator, outsider_person, member_person, eindhoven_membership
):
    made = notify(
        kind=Kind.ACCESS_REQUESTED,
        recipient_ids=[coordinator.pk, other_coordinator.pk, outsider_person.pk, member_person.pk],
        cooperative_id=zob.pk,
        actor_id=member_person.pk,
        params={"cooperative": zob.name},
    )
    assert [n.recipient for n in made] == [coordinator]


def test_every_kind_has_a_recipient_function_and_a_text():
    assert set(recipients.FOR_KIND) == set(Kind)
    for kind in Kind:
        with translation.override("en"):
            text = Notification(kind=kind, params={}).text
        assert text and "%(" not in text


def _delivery(subscription, state, hours_ago, delivered_hours_ago=None):
    from integrations.models import WebhookDelivery

    now = timezone.now()
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event="verdict.given",
        message_id=f"msg_{state}_{hours_ago}",
        payload={},
        state=state,
        created_at=now - timedelta(hours=hours_ago),
        delivered_at=(
            None if delivered_hours_ago is None else now - timedelta(hours=delivered_hours_ago)
        ),
    )


def test_the_hourly_run_finds_a_subscription_failing_for_a_day_and_tells_once(
    zob, coordinator, other_coordinator, admin
):
    from notifications import reminders

    subscription = WebhookSubscription.objects.create(
        cooperative=zob,
        url="https://hooks.example.org/deelbaar",
        secret="s" * 32,
        events=["verdict.given"],
    )
    # Delivered 30 hours ago, failing since 23 hours ago: not a day yet.
    _delivery(subscription, "delivered", 30, delivered_hours_ago=30)
    _delivery(subscription, "retrying", 23)
    reminders.send_reminders()
    assert told(Kind.WEBHOOK_FAILING) == set()
    # An older failure from before that success does not count either.
    _delivery(subscription, "failed", 40)
    reminders.send_reminders()
    assert told(Kind.WEBHOOK_FAILING) == set()
    # Failing since 25 hours ago with no success since: the coordinators, once.
    _delivery(subscription, "failed", 25)
    reminders.send_reminders()
    reminders.send_reminders()
    assert told(Kind.WEBHOOK_FAILING) == {"carla"}
    assert Notification.objects.filter(kind=Kind.WEBHOOK_FAILING).count() == 1
