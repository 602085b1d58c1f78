"""The adoption pages without a browser: what each visitor sees, who may post what (403 for
another organisation's adoption), bad input re-shown with its error, and the page and the
reuse figures at a constant number of queries."""

from datetime import timedelta

import pytest
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from solutions.models import Adoption, AdoptionState, Review
from tests.solutions.adoption_world import *  # noqa: F403
from tests.solutions.adoption_world import REFUSED, adopt, in_use
from tests.solutions.factories import make_release, make_solution

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def page(user, solution):
    return client_for(user).get(f"/solutions/{solution.slug}/adoption/")


def test_anyone_sees_where_it_is_in_use(solution, member_person, mgd_person):
    in_use(member_person, solution)
    in_use(mgd_person, solution)
    response = page(None, solution)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-organisations="2"' in html
    assert f'data-inhabitants="{243_730 + 31_500 + 29_500}"' in html
    assert 'data-organisation="mijngemeentedichtbij"' in html
    assert 'id="login-to-adopt"' in html
    assert 'id="adopt-heading"' not in html


def test_a_member_gets_an_adopt_button(solution, member_person, eindhoven):
    html = page(member_person, solution).content.decode()
    assert f'id="adopt-{eindhoven.pk}-form"' in html
    assert 'data-entitled="true"' in html


@pytest.mark.parametrize(("who", "code"), REFUSED)
def test_others_are_told_why_and_where_to_join(request, solution, woerden_application, who, code):
    user = request.getfixturevalue(who)
    organisation = user.organisations.get()
    html = page(user, solution).content.decode()
    assert f'data-reason="{code}"' in html
    assert f'id="adopt-{organisation.pk}-form"' not in html
    assert (
        f'href="/cooperatives/{solution.cooperative.slug}/join/?organisation={organisation.pk}"'
        in html
    )


def test_adopting_and_taking_into_use_through_the_page(solution, member_person, eindhoven):
    client = client_for(member_person)
    response = client.post(
        f"/solutions/{solution.slug}/adoption/adopt/",
        {"organisation": eindhoven.pk, "remarks": "Voor de subsidieregeling"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/solutions/{solution.slug}/adoption/"
    adoption = Adoption.objects.get()
    assert adoption.remarks == "Voor de subsidieregeling"
    html = client.get(response["Location"]).content.decode()
    assert f'id="take-{adoption.pk}-form"' in html
    release = solution.releases.get()
    response = client.post(
        f"/solutions/{solution.slug}/adoptions/{adoption.pk}/take-into-use/",
        {"release": release.pk, "next": f"/solutions/{solution.slug}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/solutions/{solution.slug}/"  # back where it was posted
    adoption.refresh_from_db()
    assert adoption.state == AdoptionState.IN_USE
    solution.refresh_from_db()
    assert solution.adoption_count == 1


def test_next_must_stay_on_this_site(solution, member_person, eindhoven):
    response = client_for(member_person).post(
        f"/solutions/{solution.slug}/adoption/adopt/",
        {"organisation": eindhoven.pk, "next": "https://example.org/"},
    )
    assert response["Location"] == f"/solutions/{solution.slug}/adoption/"


def test_an_unentitled_adoption_is_refused_with_the_reason(solution, outsider_person, utrecht):
    response = client_for(outsider_person).post(
        f"/solutions/{solution.slug}/adoption/adopt/", {"organisation": utrecht.pk}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "data-errors" in html and "not a member" in html
    assert not Adoption.objects.exists()


def test_a_person_without_an_organisation_cannot_adopt(solution, coordinator, eindhoven):
    response = client_for(coordinator).post(
        f"/solutions/{solution.slug}/adoption/adopt/", {"organisation": eindhoven.pk}
    )
    assert response.status_code == 403
    assert not Adoption.objects.exists()


def test_adopting_for_another_organisation_is_refused(solution, member_person, mgd):
    response = client_for(member_person).post(
        f"/solutions/{solution.slug}/adoption/adopt/", {"organisation": mgd.pk}
    )
    assert response.status_code == 400
    assert "data-errors" in response.content.decode()
    assert not Adoption.objects.exists()


def test_anonymous_posts_go_to_the_login(solution, member_person):
    adoption = adopt(member_person, solution)
    for url in (
        f"/solutions/{solution.slug}/adoption/adopt/",
        f"/solutions/{solution.slug}/adoptions/{adoption.pk}/stop/",
        f"/solutions/{solution.slug}/review/",
    ):
        response = client_for().post(url, {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("action", ["take-into-use", "upgrade", "stop"])
def test_another_organisations_adoption_cannot_be_changed(
    solution, member_person, mgd_person, coordinator, action
):
    adoption = adopt(member_person, solution)
    for user in (mgd_person, coordinator):
        response = client_for(user).post(
            f"/solutions/{solution.slug}/adoptions/{adoption.pk}/{action}/",
            {"release": solution.releases.get().pk},
        )
        assert response.status_code == 403
    adoption.refresh_from_db()
    assert adoption.state == AdoptionState.REQUESTED


def test_an_adoption_of_another_solution_is_not_found(solution, zob, member_person):
    adoption = adopt(member_person, solution)
    other = make_solution(cooperative=zob, name="Ander")
    response = client_for(member_person).post(
        f"/solutions/{other.slug}/adoptions/{adoption.pk}/stop/", {}
    )
    assert response.status_code == 404


def test_bad_release_and_upgrade_input_is_shown_beside_the_form(solution, member_person):
    adoption = in_use(member_person, solution)
    client = client_for(member_person)
    url = f"/solutions/{solution.slug}/adoptions/{adoption.pk}/upgrade/"
    for body in ({}, {"release": "abc"}, {"release": solution.releases.get().pk}):
        response = client.post(url, body)
        assert response.status_code == 400, body
        assert "data-errors" in response.content.decode()
    adoption.refresh_from_db()
    assert adoption.release.version == "1.0.0"


def test_upgrade_notice_for_a_newer_release_and_ending_maintenance(solution, member_person):
    adoption = in_use(member_person, solution)
    html = page(member_person, solution).content.decode()
    assert "data-upgrade-notice" not in html
    make_release(solution, "1.2.0")
    solution.maintenance_until = timezone.localdate() + timedelta(days=30)
    solution.save()
    html = page(member_person, solution).content.decode()
    assert f'data-upgrade-notice="{adoption.pk}"' in html
    assert 'data-newer-release="1.2.0"' in html
    assert "data-maintenance-ends" in html
    assert f'id="upgrade-{adoption.pk}-form"' in html
    # Nobody else is told.
    assert "data-upgrade-notice" not in page(None, solution).content.decode()


def test_the_review_form(solution, member_person, mgd_person, eindhoven):
    client = client_for(member_person)
    assert client.get(f"/solutions/{solution.slug}/review/").status_code == 403
    in_use(member_person, solution)
    assert client.get(f"/solutions/{solution.slug}/review/").status_code == 200
    response = client.post(
        f"/solutions/{solution.slug}/review/",
        {"organisation": eindhoven.pk, "score": "7", "pros": "Goed"},
    )
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not Review.objects.exists()
    response = client.post(
        f"/solutions/{solution.slug}/review/",
        {"organisation": eindhoven.pk, "score": "4", "pros": "Goed", "cons": "Duur"},
    )
    assert response.status_code == 302
    html = page(None, solution).content.decode()
    assert 'data-score="4"' in html and "Duur" in html and "Eindhoven" in html
    # Someone whose organisation does not have it in use may not review.
    assert client_for(mgd_person).get(f"/solutions/{solution.slug}/review/").status_code == 403


def test_the_template_tags_render_the_sections(solution, member_person, eindhoven):
    in_use(member_person, solution)
    request = RequestFactory().get(f"/solutions/{solution.slug}/")
    request.user = member_person
    template = Template(
        "{% load solution_adoption %}{% adoption_section solution %}{% reviews_section solution %}"
    )
    html = template.render(RequestContext(request, {"solution": solution}))
    assert 'id="adoption-section"' in html and 'id="reviews-section"' in html
    assert 'id="where-in-use"' in html
    assert f'value="/solutions/{solution.slug}/"' in html  # forms come back to the page
    assert 'id="review-link"' in html
    assert "&lt;" not in html  # rendered as HTML, not escaped


def test_the_reuse_page(solution, member_person, mgd_person, zob):
    in_use(member_person, solution)
    in_use(mgd_person, solution)
    response = client_for().get(f"/cooperatives/{zob.slug}/reuse/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="adoptions-chart"' in html and 'id="cost-chart"' in html
    assert 'data-cost-avoided="250000.00"' in html
    assert 'id="total-adoptions" data-value="2"' in html
    assert client_for().get("/cooperatives/nergens/reuse/").status_code == 404


@pytest.mark.parametrize("size", [3, 40])
def test_pages_take_the_same_queries_at_any_size(
    solution, zob, member_person, mgd_person, size, django_assert_max_num_queries
):
    from cooperative.models import Organisation, OrganisationKind

    Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrganisationKind.MUNICIPALITY,
                name=f"Gemeente {n}",
                slug=f"gemeente-{n}",
                cbs_code=f"GM{6000 + n}",
                inhabitants=1_000,
            )
            for n in range(size)
        ]
    )
    release = solution.releases.get()
    Adoption.objects.bulk_create(
        [
            Adoption(
                solution=solution,
                organisation=o,
                requested_by=member_person,
                state=AdoptionState.IN_USE,
                release=release,
                in_use_since=timezone.localdate(),
            )
            for o in Organisation.objects.filter(slug__startswith="gemeente-")
        ]
    )
    Review.objects.bulk_create(
        [
            Review(solution=solution, organisation=o, author=member_person, score=3)
            for o in Organisation.objects.filter(slug__startswith="gemeente-")
        ]
    )
    for n in range(size):
        make_solution(cooperative=zob, name=f"Extra {n}", estimated_cost=10 * n)
    in_use(member_person, solution)
    client = client_for(member_person)
    with django_assert_max_num_queries(13):
        assert client.get(f"/solutions/{solution.slug}/adoption/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(f"/cooperatives/{zob.slug}/reuse/").status_code == 200
