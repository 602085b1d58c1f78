from datetime import timedelta

import pytest
from django.utils.timezone import localdate

from sprints import selectors, services
from sprints.models import ItemStatus, TeamRole

pytestmark = pytest.mark.django_db


def test_acceptance_loop(
    zob, eindhoven, eindhoven_membership, member_person, person, coordinator, gemboxx
):
    product = services.create_product(
        actor=member_person, cooperative=zob, owner=eindhoven, name="Subsidiesysteem", key="SUB"
    )
    dev = person("dev", gemboxx)  # a team's people work for its organisations or a supplier
    tester = person("tess", eindhoven)
    services.add_team_member(
        actor=member_person, product=product, user=dev, role=TeamRole.DEVELOPER
    )
    services.add_team_member(
        actor=member_person, product=product, user=tester, role=TeamRole.TESTER
    )
    items = [
        services.create_item(
            actor=member_person,
            product=product,
            title=f"Item {n}",
            acceptance_criteria=["works"],
            estimate=3,
        )
        for n in range(4)
    ]
    assert [i.reference for i in items] == ["SUB-1", "SUB-2", "SUB-3", "SUB-4"]
    services.move_item(actor=member_person, item=items[3], to="top")
    services.move_item(actor=member_person, item=items[0], after=items[2])
    assert [i.number for i in selectors.backlog_for(product)] == [4, 2, 3, 1]
    sprint = services.plan_sprint(actor=member_person, product=product, start=localdate())
    commitment = services.commit_items(actor=member_person, sprint=sprint, items=items[:2])
    assert commitment.points == 6
    services.start_sprint(actor=member_person, sprint=sprint)
    for item in items[:2]:
        services.set_item_status(actor=dev, item=item, status=ItemStatus.DONE)
    increment = services.create_increment(
        actor=dev, product=product, version="0.1.0", items=items[:2], sprint=sprint
    )
    services.submit_increment(
        actor=member_person, increment=increment, deadline=localdate() + timedelta(days=3)
    )
    assert selectors.inbox_for(tester).count() == 2
    services.give_verdict(actor=tester, increment=increment, item=items[0], accepted=True)
    services.give_verdict(
        actor=tester, increment=increment, item=items[1], accepted=False, remarks="Knop werkt niet"
    )
    top = selectors.backlog_for(product).first()
    assert top.follow_up_of is not None and top.description == "Knop werkt niet"
    increment.refresh_from_db()
    assert increment.state == "rejected"
    services.finish_sprint(actor=member_person, sprint=sprint)
    services.close_sprint(actor=member_person, sprint=sprint)
    assert selectors.velocity(product) == [
        {"sprint": 1, "id": sprint.pk, "points": 3, "committed": 6}
    ]
    sprint.refresh_from_db()
    rows = selectors.burndown(sprint)
    assert rows[0]["remaining"] == 0
    # A row is the end of a day and `end` is the last day: a 14-day sprint's ideal line is 13/14
    # of the way up at the end of its first day.
    assert len(rows) == 14
    assert rows[0]["ideal"] == round(6 * 13 / 14, 1)
