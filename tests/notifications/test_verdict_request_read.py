"""A tester's request for a verdict stops counting as unread once they have judged every item
of the delivery; another tester's request keeps waiting, and half an answer is no answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Kind, Notification
from sprints import services
from sprints.models import ItemStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(after_commit, product, product_owner, developer, tester, second_tester, active_sprint):
    first, second = active_sprint.items.order_by("position")
    for item in (first, second):
        services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)
    increment = services.create_increment(
        actor=developer,
        product=product,
        version="0.1.0",
        items=[first, second],
        sprint=active_sprint,
    )
    with after_commit():
        services.submit_increment(
            actor=product_owner,
            increment=increment,
            deadline=timezone.localdate() + timedelta(days=3),
            testers=[tester, second_tester],
        )
    return increment, first, second


def request_of(person, increment):
    return Notification.objects.get(
        recipient=person, kind=Kind.VERDICT_REQUESTED, subject_id=increment.pk
    )


def test_the_request_is_read_once_the_tester_judged_every_item(
    after_commit, asked, tester, second_tester
):
    increment, first, second = asked
    assert request_of(tester, increment).read_at is None
    with after_commit():
        services.give_verdict(actor=tester, increment=increment, item=first, accepted=True)
    # One item still waits for this tester.
    assert request_of(tester, increment).read_at is None
    with after_commit():
        services.give_verdict(
            actor=tester, increment=increment, item=second, accepted=False, remarks="Te traag"
        )
    assert request_of(tester, increment).read_at is not None
    # The other tester still owes their verdict.
    assert request_of(second_tester, increment).read_at is None
