import pytest

from cooperative import selectors

pytestmark = pytest.mark.django_db


def test_world_builds_and_reach_counts_each_municipality_once(cooperative_world, eindhoven, boxtel):
    zob = cooperative_world["zob"]
    assert selectors.reach(zob) == 243_730 + 31_500 + 29_500
    assert cooperative_world["eindhoven_membership"].state == "active"
    assert cooperative_world["eindhoven_membership"].contribution_due == 24373
    annotated = selectors.cooperatives_list().get(pk=zob.pk)
    assert annotated.reach == selectors.reach(zob)
