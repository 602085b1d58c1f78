"""The adoption API's refusals, each saying why and how to join: they need Woerden's
application beside test_adoption_api.py's world, whose tests now share it per module
(tests/shared.py), so they build theirs here, as they did there."""

import pytest

from solutions.models import Adoption
from tests.permissions import request_as
from tests.shared import unshared
from tests.solutions import test_adoption_api
from tests.solutions.adoption_world import *  # noqa: F403
from tests.solutions.adoption_world import REFUSED

pytestmark = pytest.mark.django_db

API = "/api/v1"

world = unshared(test_adoption_api.world)


@pytest.mark.parametrize(("who", "code"), REFUSED)
def test_a_refusal_says_why_and_how_to_join(request, world, woerden_application, who, code):
    user = request.getfixturevalue(who)
    response = request_as(
        user,
        "post",
        f"{API}/solutions/{world.other.slug}/adoptions/",
        {"organisation": user.organisations.get().pk},
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == code
    assert body["errors"][0]["field"] == "organisation"
    assert f"/cooperatives/{world.zob.slug}/join/" in body["detail"]
    assert not Adoption.objects.filter(solution=world.other).exists()
