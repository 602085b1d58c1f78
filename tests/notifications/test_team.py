"""Team changes: the person added or removed is told, not whoever changed the team."""

import pytest

from notifications import recipients
from notifications.models import Kind
from sprints import services
from sprints.models import TeamRole
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


def test_team_added_and_removed_tell_the_person(
    product, product_owner, person, eindhoven, after_commit
):
    newcomer = person("nina", eindhoven)
    with after_commit():
        member = services.add_team_member(
            actor=product_owner, product=product, user=newcomer, role=TeamRole.TESTER
        )
    assert told(Kind.TEAM_ADDED) == {"nina"}
    with after_commit():
        services.remove_team_member(actor=product_owner, member=member)
    # Removed, nina is no longer on the team, but still of the cooperative: she is told.
    assert told(Kind.TEAM_REMOVED) == {"nina"}
    assert recipients.team_removed(product, newcomer.pk) == {newcomer.pk}
