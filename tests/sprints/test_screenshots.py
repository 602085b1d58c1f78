"""A verdict's screenshot is served behind the product's own permission, with DEBUG on or off.

The API used to link the file's storage address (/media/…), which nothing serves in production
and which would check no permission if anything did. It now links a view that checks
`sprints.view_product` and streams the stored bytes, never sniffed.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.timezone import localdate
from rest_framework.test import APIClient

from people.services.tokens import issue_token
from sprints import services as sprint_services
from tests.permissions import (
    PRODUCT_ROLES,
    Case,
    assert_permission_matrix,
    people_for,
    statuses_for,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
statuses = statuses_for(PRODUCT_ROLES)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def world(request, product, product_owner, developer, tester, active_sprint):
    """An increment the tester rejected with a screenshot."""
    done = sprint_services.set_item_status(
        actor=developer, item=active_sprint.items.order_by("position").first(), status="done"
    )
    increment = sprint_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[done]
    )
    sprint_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=localdate() + timedelta(days=3),
        testers=[tester],
    )
    verdict = sprint_services.give_verdict(
        actor=tester,
        increment=increment,
        item=done,
        accepted=False,
        remarks="De knop doet niets",
        screenshot=SimpleUploadedFile("knop.png", PNG, content_type="image/png"),
    )
    return SimpleNamespace(
        product=product,
        increment=increment,
        verdict=verdict,
        url=f"{API}/increments/{increment.pk}/verdicts/{verdict.pk}/screenshot/",
        people=people_for(request, PRODUCT_ROLES),
    )


def as_(person):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if person is not None:
        client.force_authenticate(person)
    return client


def test_the_api_links_a_permission_checked_address_that_serves_the_bytes(world, tester):
    listed = as_(tester).get(f"{API}/increments/{world.increment.pk}/verdicts/").json()
    link = listed["results"][0]["screenshot"]
    assert link == f"http://testserver{world.url}"
    assert "/media/" not in link
    history = as_(tester).get(f"{API}/items/{world.verdict.increment_item.item_id}/").json()
    assert history["verdicts"][0]["screenshot"] == link

    response = as_(tester).get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert "private" in response["Cache-Control"]


def test_the_screenshot_answers_whoever_may_see_the_product(world):
    # Outsiders and another cooperative's coordinator do not see the product: 404, as for
    # everything in it; anonymous callers are asked to log in.
    case = Case("screenshot", "get", lambda w: w.url, statuses(401, 404, 404, 200, 200, 200, 200))
    assert_permission_matrix(world.people, [case], world)


@pytest.mark.parametrize("debug", [True, False])
def test_served_with_debug_on_or_off_while_media_itself_is_not(world, tester, settings, debug):
    settings.DEBUG = debug
    response = as_(tester).get(world.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert as_(tester).get(f"/media/{world.verdict.screenshot.name}").status_code == 404


def test_a_token_client_fetches_it_and_an_image_only_accept_is_answered(world, tester):
    client = APIClient(HTTP_ACCEPT="image/avif,image/webp,image/png,image/*;q=0.8")
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {issue_token(actor=tester, user=tester, name='t')[1]}"
    )
    response = client.get(world.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_what_is_not_an_allowed_image_is_only_offered_as_a_download(world, tester):
    """A file stored before the checks (or by other means) is never shown inline, whatever
    its bytes: the browser must not render it as a page of this site."""
    verdict = world.verdict
    verdict.screenshot.save("page.html", ContentFile(b"<script>alert(1)</script>"), save=False)
    type(verdict).objects.filter(pk=verdict.pk).update(screenshot=verdict.screenshot.name)
    response = as_(tester).get(world.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_screenshot_or_a_lost_file_is_a_404_in_the_api_shape(world, tester):
    world.verdict.screenshot.storage.delete(world.verdict.screenshot.name)
    lost = as_(tester).get(world.url)
    assert lost.status_code == 404 and lost.json()["status"] == 404
    type(world.verdict).objects.filter(pk=world.verdict.pk).update(screenshot="")
    none = as_(tester).get(world.url)
    assert none.status_code == 404 and none.json()["status"] == 404
    elsewhere = f"{API}/increments/{world.increment.pk + 1000}/verdicts/{world.verdict.pk}/"
    assert as_(tester).get(elsewhere + "screenshot/").status_code == 404


def test_the_page_serves_it_the_same_way(world, tester, outsider_person, client):
    url = reverse(
        "sprints:verdict_screenshot",
        kwargs={"product_id": world.product.pk, "verdict_id": world.verdict.pk},
    )
    client.force_login(tester)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    client.force_login(outsider_person)
    assert client.get(url).status_code == 404
