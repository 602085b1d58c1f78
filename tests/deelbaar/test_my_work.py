""" "Mijn werk": the page each role lands on after signing in, and the home page's three steps.

Data is made through the services (the sprints' and cooperative's fixtures)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cooperative import services as cooperative_services
from sprints import services as sprints_services
from sprints.models import ItemStatus

URL = "/my-work/"
COUNT = "/my-work/count/"


def badge(client):
    """The number the navigation shows beside "Mijn werk" (0: no badge)."""
    response = client.get(COUNT)
    assert response.status_code == 200
    found = re.search(r'deelbaar-nav__count" aria-hidden="true">(\d+)<', response.content.decode())
    return int(found.group(1)) if found else 0


def client_for(user, language="en"):
    client = Client(headers={"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


def section(html, key):
    found = re.search(rf'<section[^>]*id="work-{key}-section".*?</section>', html, re.S)
    return found.group(0) if found else None


@pytest.fixture
def submitted(product, product_owner, developer, tester, active_sprint):
    done, _todo = active_sprint.items.order_by("position")
    sprints_services.set_item_status(actor=developer, item=done, status=ItemStatus.DONE)
    increment = sprints_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[done], sprint=active_sprint
    )
    return sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timedelta(days=3),
        testers=[tester],
    )


@pytest.mark.django_db
def test_signing_in_lands_on_my_work(client, member_person):
    member_person.set_password("a-Good-passw0rd")
    member_person.save()
    response = client.post(
        reverse("login"), {"username": member_person.username, "password": "a-Good-passw0rd"}
    )
    assert response.status_code == 302 and response["Location"] == URL


@pytest.mark.django_db
@pytest.mark.parametrize("address", [URL, COUNT])
def test_anonymous_visitors_are_sent_to_log_in(address):
    response = Client().get(address)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_nothing_waiting_shows_no_badge(outsider_person):
    assert badge(client_for(outsider_person)) == 0


@pytest.mark.django_db
def test_the_badge_counts_in_constant_queries(
    django_assert_max_num_queries, coordinator, cooperative_world, person, municipality
):
    """However much waits, the badge costs the same queries (one for the count itself)."""
    client = client_for(coordinator)
    client.get(COUNT)
    with django_assert_max_num_queries(5):
        client.get(COUNT)
    zob = cooperative_world["zob"]
    for n in range(5):
        town = municipality(f"Dorp {n}", f"GM09{n:02d}", 1000 + n)
        cooperative_services.apply_for_membership(
            actor=person(f"dorp{n}", town), cooperative=zob, organisation=town
        )
    assert badge(client) == 6
    # Session, user and the one count; never one per thing waiting.
    with django_assert_max_num_queries(5):
        client.get(COUNT)


@pytest.mark.django_db
def test_a_tester_sees_what_awaits_their_verdict_by_deadline(tester, submitted):
    html = client_for(tester).get(URL).content.decode()
    verdicts = section(html, "verdicts")
    assert verdicts is not None
    assert f'data-increment="{submitted.pk}"' in verdicts
    assert reverse("sprints:judge", args=[submitted.product_id, submitted.pk]) in verdicts
    assert "1 item awaits your verdict" in verdicts
    # The navigation counts it too, fetched after the page loaded.
    assert f'hx-get="{COUNT}"' in html
    assert badge(client_for(tester)) == 1


@pytest.mark.django_db
def test_a_product_owner_sees_the_active_sprint_and_what_is_with_the_testers(
    product_owner, product, submitted
):
    html = client_for(product_owner).get(URL).content.decode()
    products = section(html, "products")
    assert products is not None and f'data-product="{product.pk}"' in products
    assert "1 of 2 items finished (3 of 6 points)" in products
    assert 'data-needs="acceptance"' in products
    # Eva is also a person of Eindhoven, an active member: the library is one click away.
    membership = section(html, "membership")
    assert 'data-state="active"' in membership and "?cooperative=" in membership
    assert section(html, "verdicts") is None  # not a tester


@pytest.mark.django_db
def test_a_developer_sees_their_product(developer, product, active_sprint):
    html = client_for(developer).get(URL).content.decode()
    assert f'data-product="{product.pk}"' in section(html, "products")


@pytest.mark.django_db
def test_a_coordinator_sees_the_applications_waiting(coordinator, cooperative_world):
    html = client_for(coordinator).get(URL).content.decode()
    queues = section(html, "memberships")
    zob = cooperative_world["zob"]
    assert queues is not None and f'data-cooperative="{zob.slug}"' in queues
    assert 'data-applied="1"' in queues  # Woerden applied
    assert reverse("cooperative:queue", args=[zob.slug]) in queues
    assert section(html, "publications") is not None
    assert badge(client_for(coordinator)) == 1


@pytest.mark.django_db
def test_a_new_member_sees_where_its_application_stands(applicant_person, cooperative_world):
    html = client_for(applicant_person).get(URL).content.decode()
    membership = section(html, "membership")
    assert 'data-state="applied"' in membership and "applied on" in membership
    assert section(html, "memberships") is None and section(html, "products") is None


@pytest.mark.django_db
def test_the_page_is_dutch_by_default(tester, submitted):
    html = client_for(tester, "nl").get(URL).content.decode()
    assert "<title>Mijn werk — Deelbaar</title>" in html
    assert "wacht op uw oordeel" in html


@pytest.mark.django_db
def test_my_work_reads_in_constant_queries(
    django_assert_max_num_queries, product, product_owner, make_item, tester, submitted
):
    client = client_for(product_owner)
    client.get(URL)  # warm up: sessions, content types
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    for n in range(6):
        make_item(f"Meer werk {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


@pytest.mark.django_db
def test_the_home_page_explains_the_model_in_three_steps():
    html = Client(headers={"accept-language": "en"}).get("/").content.decode()
    assert all(f'id="step-{step}"' in html for step in ("build", "publish", "reuse"))
    assert reverse("solutions:catalogue") in html and 'id="home-join"' in html


@pytest.mark.django_db
def test_a_coordinator_sees_the_requests_for_access(coordinator, cooperative_world):
    from people.services.newcomers import request_access

    zob = cooperative_world["zob"]
    request_access(
        cooperative=zob, organisation_name="Gemeente Oss", name="Olga", email="olga@oss.example"
    )
    html = client_for(coordinator).get(URL).content.decode()
    access = section(html, "access")
    assert access is not None and 'data-pending="1"' in access
    assert reverse("access:access_queue", args=[zob.slug]) in access
    # Woerden's application and Olga's request: two things wait.
    assert badge(client_for(coordinator)) == 2


@pytest.mark.django_db
def test_a_municipality_represented_by_a_member_sees_the_library(
    person, boxtel, mgd_membership, outsider_person
):
    """Boxtel is no member itself, but MijnGemeenteDichtbij (an active member) acts for it, so
    its people may reuse the library: the page says so rather than "not a member yet"."""
    html = client_for(person("bram", boxtel)).get(URL).content.decode()
    membership = section(html, "membership")
    assert 'data-state="active"' in membership and "?cooperative=" in membership
    assert "MijnGemeenteDichtbij represents your organisation" in membership
    assert "not a member of a cooperative yet" not in membership
    # A municipality nobody represents still reads that it is not a member.
    html = client_for(outsider_person).get(URL).content.decode()
    assert "not a member of a cooperative yet" in section(html, "membership")


@pytest.mark.django_db
def test_a_sections_heading_has_no_number_but_says_what_needs_attention(tester, submitted):
    """A heading "Uw producten (1)" over two products read wrong: the heading has no number; a
    line says how many of its things need the person ("1 vraagt uw aandacht")."""
    html = client_for(tester, "nl").get(URL).content.decode()
    verdicts = section(html, "verdicts")
    assert "deelbaar-work__count" not in html
    assert 'id="work-verdicts-waiting"' in verdicts
    assert "1 vraagt uw aandacht" in verdicts


@pytest.mark.django_db
def test_the_release_notes_are_headed_in_plain_dutch(submitted):
    from django.template.loader import render_to_string
    from django.utils import translation

    submitted.release_notes = "Zoeken gaat sneller."
    with translation.override("nl"):
        html = render_to_string(
            "sprints/_acceptance_facts.html", {"increment": submitted, "asked": []}
        )
    assert "Wat is er nieuw" in html and "Releasenotes" not in html


@pytest.mark.django_db
def test_a_sprint_to_close_is_counted_in_the_menu_as_on_the_page(
    product_owner, developer, tester, active_sprint
):
    """The page says a sprint in review waits for its product owner to close it; the number
    beside "Mijn werk" must count it too (it counted only verdicts), and only for them."""
    assert badge(client_for(product_owner)) == 0
    sprints_services.finish_sprint(actor=product_owner, sprint=active_sprint)
    html = client_for(product_owner).get(URL).content.decode()
    assert 'data-needs="close"' in section(html, "products")
    assert badge(client_for(product_owner)) == 1
    assert badge(client_for(developer)) == 0
    assert badge(client_for(tester)) == 0
