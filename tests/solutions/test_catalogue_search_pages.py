"""Issue 15's catalogue and solution page, server side: a search from the page is ranked by
relevance unless a sort is picked, one request per search (the htmx wiring), the empty result,
clearing filters, the API's `?q=`, the solution page's maintenance, contacts, users and
versions, and constant queries for compound searches at two sizes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from solutions.selectors.maintenance import maintenance_of
from tests.solutions.factories import make_solution
from tests.solutions.test_catalogue_queries import QUERIES, bulk_library

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


def listed(html) -> list[str]:
    return re.findall(r'<li class="solutions-card" data-solution="([^"]+)"', html)


@pytest.fixture
def library(zob, dimpact):
    return {
        "aanvragen": make_solution(
            cooperative=zob,
            name="Aanvragen",
            short_description_nl="Aanvragen voor een subsidie indienen.",
            long_description_nl="Inwoners doen hun aanvraag online.",
            features_nl=[],
        ),
        "systeem": make_solution(
            cooperative=zob,
            name="Subsidiesysteem",
            short_description_nl="Regelingen beheren.",
            long_description_nl="Subsidies aanvragen, beoordelen en uitbetalen.",
            features_nl=[],
        ),
        "loket": make_solution(
            cooperative=dimpact,
            name="Digitaal loket",
            short_description_nl="Producten aanvragen, zoals een vergunning.",
            long_description_nl="Het loket van de gemeente.",
            features_nl=[],
            development_status="beta",
        ),
    }


def test_the_page_sends_no_sort_unless_one_is_picked_so_a_search_is_ranked(client, library):
    html = html_of(client.get("/solutions/"))
    # The first option is "best match first", empty: the form sends sort= and nothing else.
    options = re.findall(r'<option value="([^"]*)"( selected)?>', html)
    assert options[0] == ("", " selected")
    assert "relevance" not in [value for value, _ in options]

    html = html_of(client.get("/solutions/", {"q": "subsidie", "sort": ""}))
    # The name match first, then the short description, then the long one.
    assert listed(html) == [library["systeem"].slug, library["aanvragen"].slug]
    html = html_of(client.get("/solutions/", {"q": "subsidie", "sort": "name"}))
    assert listed(html) == [library["aanvragen"].slug, library["systeem"].slug]
    # An address that asks for relevance by name still gets it, and shows it.
    html = html_of(client.get("/solutions/", {"q": "subsidie", "sort": "relevance"}))
    assert '<option value="relevance" selected>' in html


def test_a_compound_word_is_found_on_the_page_and_in_the_api(client, library):
    html = html_of(client.get("/solutions/", {"q": "subsidieaanvraag"}))
    assert listed(html)[0] == library["aanvragen"].slug
    body = APIClient().get("/api/v1/solutions/", {"q": "subsidieaanvraag"}).json()
    assert body["sort"] == "relevance"
    assert body["results"][0]["slug"] == library["aanvragen"].slug
    assert {r["slug"] for r in body["results"]} >= {
        library["aanvragen"].slug,
        library["systeem"].slug,
    }
    body = APIClient().get("/api/v1/solutions/", {"q": "vergunningen"}).json()
    assert [r["slug"] for r in body["results"]] == [library["loket"].slug]


def test_one_request_per_search_the_wiring(client, library):
    """Words after 300 ms without typing, or the form's submit on Enter; the sort on change;
    a filter by #catalogue-body. Nothing listens to every change on the form (the search box
    losing focus sent a second request), and requests queue instead of cancelling."""
    html = html_of(client.get("/solutions/"))
    form = re.search(r'<form[^>]*id="catalogue-form"[^>]*>', html).group(0)
    assert 'hx-trigger="submit"' in form
    assert "replace" not in form and 'hx-sync="this:queue last"' in form
    box = re.search(r'<input[^>]*name="q"[^>]*>', html).group(0)
    assert 'hx-trigger="input changed delay:300ms"' in box
    assert 'hx-sync="#catalogue-form:queue last"' in box
    select = re.search(r'<select[^>]*name="sort"[^>]*>', html).group(0)
    assert 'hx-trigger="change"' in select
    body = re.search(r'<div class="solutions-catalogue__body"[^>]*>', html).group(0)
    assert 'hx-trigger="change"' in body and 'hx-include="#catalogue-form"' in body


def test_an_empty_result_says_so_once_and_offers_to_clear_the_filters(client, library):
    html = html_of(client.get("/solutions/", {"q": "zwembad"}))
    assert html.count('id="catalogue-empty"') == 1
    assert "Nothing to choose" not in html and "niets te kiezen" not in html
    assert 'id="facet-status"' not in html  # no empty fieldsets
    assert 'id="catalogue-empty-all" href="/solutions/"' in html

    html = html_of(client.get("/solutions/", {"q": "loket", "status": "stable", "sort": "name"}))
    assert 'id="catalogue-empty"' in html
    clear = re.search(r'id="catalogue-empty-clear" href="([^"]+)"', html).group(1)
    assert clear == "/solutions/?q=loket&amp;sort=name"
    # The ticked facet is still shown, with 0, so it can be unticked.
    assert 'id="facet-status-stable"' in html
    html = html_of(client.get("/solutions/?q=loket&sort=name"))
    assert listed(html) == [library["loket"].slug]


def test_the_filters_disclosure_stays_open_after_ticking_one(client, library):
    headers = {"HX-Request": "true", "HX-Trigger": "catalogue-body"}
    html = html_of(client.get("/solutions/", {"status": "beta"}, headers=headers))
    assert re.search(r'<details[^>]*id="catalogue-facets" open>', html)
    assert 'id="facets-clear" href="/solutions/"' in html
    html = html_of(client.get("/solutions/", {"q": "loket"}, headers={"HX-Request": "true"}))
    assert not re.search(r'<details[^>]*id="catalogue-facets" open>', html)


# --- The solution page ---------------------------------------------------------------------
def test_the_solution_page_warns_when_maintenance_ends_within_90_days(client, zob):
    until = timezone.localdate() + timedelta(days=60)
    solution = make_solution(
        cooperative=zob,
        name="Subsidiesysteem",
        maintenance_type="contract",
        maintenance_contractors=[
            {"name": "Gemboxx", "until": until.isoformat(), "website": "https://example.org"}
        ],
        maintenance_contacts=[
            {"name": "Team Subsidies", "email": "subsidies@example.org", "phone": "040 123"}
        ],
        maintenance_until=until,
    )
    html = html_of(client.get(f"/solutions/{solution.slug}/"))
    assert 'id="maintenance-heading"' in html and 'id="contacts-heading"' in html
    assert 'data-maintenance="contract"' in html
    assert f'data-until="{until.isoformat()}"' in html
    assert 'data-contractor="Gemboxx"' in html and 'href="https://example.org"' in html
    assert 'id="maintenance-warning" data-days-left="60"' in html
    assert 'href="mailto:subsidies@example.org"' in html and 'href="tel:040123"' in html
    # The sections a municipality reads before adopting: who uses it, and the versions.
    assert 'id="where-in-use-heading"' in html and 'id="releases-heading"' in html
    assert html.index('id="maintenance-heading"') < html.index('id="where-in-use-heading"')


def test_no_warning_for_maintenance_that_runs_on_and_one_for_none(client, zob):
    later = timezone.localdate() + timedelta(days=200)
    solution = make_solution(
        cooperative=zob,
        name="Afvalkalender",
        maintenance_type="contract",
        maintenance_contractors=[{"name": "Gemboxx", "until": later.isoformat()}],
        maintenance_until=later,
    )
    html = html_of(client.get(f"/solutions/{solution.slug}/"))
    assert 'id="maintenance-warning"' not in html
    orphan = make_solution(
        cooperative=zob, name="Oud", maintenance_type="none", maintenance_contacts=[]
    )
    html = html_of(client.get(f"/solutions/{orphan.slug}/"))
    assert 'id="maintenance-none"' in html and 'id="contact-list"' not in html


def test_maintenance_that_ended_is_said_so(zob):
    past = timezone.localdate() - timedelta(days=3)
    solution = make_solution(
        cooperative=zob,
        name="Verlopen",
        maintenance_type="contract",
        maintenance_contractors=[{"name": "Gemboxx", "until": past.isoformat()}, {"x": 1}],
    )
    maintenance = maintenance_of(solution)
    assert maintenance.until == past  # from the contractor, maintenance_until being empty
    assert maintenance.ended and maintenance.ends_soon
    assert [c.name for c in maintenance.contractors] == ["Gemboxx"]


def test_an_unknown_solution_is_404_on_the_page_and_in_the_api(client, library):
    assert client.get("/solutions/bestaat-niet/").status_code == 404
    assert APIClient().get("/api/v1/solutions/bestaat-niet/").status_code == 404
    # The page is public: anyone, signed in or not, with whatever role, reads the same.
    assert client.get(f"/solutions/{library['loket'].slug}/").status_code == 200


def test_the_solution_page_speaks_plain_dutch(client, zob):
    solution = make_solution(cooperative=zob, name="Subsidiesysteem")
    html = html_of(client.get(f"/solutions/{solution.slug}/", headers={"Accept-Language": "nl"}))
    for heading in ("Onderhoud", "Contactpersonen", "Wie gebruikt het", "Versies"):
        assert f">{heading}</h2>" in html, heading


# --- Constant queries for compound searches ------------------------------------------------
@pytest.fixture
def sized(request, zob, dimpact, eindhoven, gemboxx, mgd):
    bulk_library(request.param, [zob, dimpact], [eindhoven, gemboxx, mgd])
    return request.param


@pytest.mark.parametrize("sized", [20, 2_000], indirect=True)
@pytest.mark.parametrize(
    "params", ["?q=subsidieloket", "?q=parkeervergunningen&status=beta", "?q=afvalzorg"]
)
def test_compound_searches_take_the_same_queries_at_any_size(
    sized, client, params, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUERIES):
        response = APIClient().get(f"/api/v1/solutions/{params}")
    assert response.status_code == 200
    if sized == 2_000:
        assert response.json()["count"] > 0
    with django_assert_max_num_queries(QUERIES + 2):
        response = client.get(f"/solutions/{params}", headers={"HX-Request": "true"})
    assert response.status_code == 200
