"""The team and product-editing pages through Django's test client: who sees and changes
what, and that each action reaches the services (issue 12)."""

import pytest
from django.urls import reverse

from sprints.models import Product, TeamMember, TeamRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(person, eindhoven):
    return person("nina", eindhoven)


def _as(client, user):
    client.force_login(user)
    return client


def test_the_team_page_lists_the_team_and_offers_the_owner_the_forms(
    client, product, product_owner, tester, developer, newcomer
):
    page = _as(client, product_owner).get(reverse("sprints:team", args=[product.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for member in TeamMember.objects.filter(product=product):
        assert f'id="member-{member.pk}"' in html
    assert 'id="add-member"' in html and 'id="hand-over"' in html
    assert f'value="{newcomer.pk}"' in html  # offered as a person to add
    assert 'id="invite"' in html
    assert "@" not in html.split('id="team"')[1]  # nobody's e-mail address


@pytest.mark.parametrize(
    ("who", "status"), [("tester", 200), ("developer", 200), ("outsider_person", 404)]
)
def test_others_see_the_team_without_the_forms_or_not_at_all(client, product, request, who, status):
    user = request.getfixturevalue(who)
    page = _as(client, user).get(reverse("sprints:team", args=[product.pk]))
    assert page.status_code == status
    if status == 200:
        assert 'id="add-member"' not in page.content.decode()


def test_adding_changing_and_removing_through_the_page(
    client, product, product_owner, newcomer, tester
):
    client = _as(client, product_owner)
    url = reverse("sprints:team", args=[product.pk])
    added = client.post(url, {"user": newcomer.pk, "role": "tester"})
    assert added.status_code == 302
    member = TeamMember.objects.get(product=product, user=newcomer)
    assert member.role == TeamRole.TESTER
    client.post(reverse("sprints:team_role", args=[product.pk, member.pk]), {"role": "developer"})
    member.refresh_from_db()
    assert member.role == TeamRole.DEVELOPER
    client.post(reverse("sprints:team_remove", args=[product.pk, member.pk]))
    assert not TeamMember.objects.filter(pk=member.pk).exists()


def test_a_bad_choice_is_shown_on_the_form(client, product, product_owner, outsider_person):
    page = _as(client, product_owner).post(
        reverse("sprints:team", args=[product.pk]), {"user": outsider_person.pk, "role": "tester"}
    )
    assert page.status_code == 400
    assert 'id="add-user-error"' in page.content.decode()
    assert not TeamMember.objects.filter(user=outsider_person).exists()


@pytest.mark.parametrize("action", ["team", "team_hand_over"])
def test_a_tester_may_not_change_the_team(client, product, tester, newcomer, action):
    response = _as(client, tester).post(
        reverse(f"sprints:{action}", args=[product.pk]), {"user": newcomer.pk, "role": "tester"}
    )
    assert response.status_code == 403
    assert not TeamMember.objects.filter(user=newcomer).exists()


def test_the_owner_edits_the_product_and_a_stale_form_is_refused(
    client, product, product_owner, coordinator, tester
):
    url = reverse("sprints:product_edit", args=[product.pk])
    assert _as(client, tester).get(url).status_code == 403
    client = _as(client, product_owner)
    assert client.get(url).status_code == 200
    body = {"name": "Subsidies", "vision": "Nieuw", "sprint_length_days": "21", "version": "1"}
    assert client.post(url, body).status_code == 302
    product.refresh_from_db()
    assert (product.name, product.sprint_length_days, product.version) == ("Subsidies", 21, 2)
    stale = client.post(url, {**body, "name": "Oud", "version": "1"})
    assert stale.status_code == 412
    product.refresh_from_db()
    assert product.name == "Subsidies"


def test_the_submit_form_leads_to_the_team_page_when_there_is_no_tester(
    client, product, product_owner, developer, make_item
):
    from sprints import services

    item = make_item()
    sprint = services.plan_sprint(
        actor=product_owner, product=product, start=product.created_at.date()
    )
    services.commit_items(actor=product_owner, sprint=sprint, items=[item])
    services.start_sprint(actor=product_owner, sprint=sprint)
    services.set_item_status(actor=developer, item=item, status="done")
    increment = services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[item]
    )
    page = _as(client, product_owner).get(reverse("sprints:increment_list", args=[product.pk]))
    html = page.content.decode()
    assert f'id="submit-{increment.pk}-team"' in html
    assert reverse("sprints:team", args=[product.pk]) in html
    assert Product.objects.filter(pk=product.pk).exists()
