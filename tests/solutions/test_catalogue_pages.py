"""The catalogue and solution pages on the server side: public, a plain GET form with facets,
the htmx partial, bad input, and the solution page's metadata and sections."""

import re

import pytest
from django.utils import translation

from tests.solutions.factories import make_solution

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(zob, dimpact, solution):
    loket = make_solution(
        cooperative=zob,
        name="Subsidieloket",
        development_status="beta",
        categories=["grant-management", "communications"],
        licence="MIT",
    )
    zaak = make_solution(
        cooperative=dimpact,
        name="Zaakgericht werken",
        development_status="stable",
        categories=["workflow-management"],
    )
    return {"systeem": solution, "loket": loket, "zaak": zaak}


def html_of(response) -> str:
    return response.content.decode()


def listed(html) -> list[str]:
    return re.findall(r'<li class="solutions-card" data-solution="([^"]+)"', html)


def test_anyone_sees_the_catalogue_with_facets(client, library):
    response = client.get("/solutions/")
    assert response.status_code == 200
    html = html_of(response)
    assert listed(html) == [library[k].slug for k in ("loket", "systeem", "zaak")]
    assert 'id="catalogue-form"' in html and 'method="get"' in html
    assert 'id="catalogue-submit"' in html and 'name="q"' in html
    for facet in ("status", "category", "licence", "cooperative", "developed_by"):
        assert f'id="facet-{facet}"' in html
    assert 'id="facet-cooperative-dimpact"' in html
    assert re.search(r'id="facet-status-beta" data-count="1"', html)
    assert 'hx-get="/solutions/"' in html


def test_search_and_facets_by_plain_get(client, library):
    html = html_of(client.get("/solutions/", {"q": "subsidie"}))
    assert set(listed(html)) == {library["loket"].slug, library["systeem"].slug}
    assert 'value="subsidie"' in html

    html = html_of(client.get("/solutions/?status=beta&status=stable&cooperative=zuidoost-brabant"))
    assert listed(html) == [library["loket"].slug]
    assert re.search(r'id="facet-status-beta" data-count="1" checked', html)
    assert re.search(r'id="facet-cooperative-zuidoost-brabant" data-count="\d+" checked', html)
    assert 'id="catalogue-clear"' in html


def test_the_htmx_answer_is_the_body_with_the_status_and_errors_out_of_band(client, library):
    response = client.get("/solutions/", {"q": "zaak"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = html_of(response)
    assert html.lstrip().startswith('<div class="solutions-catalogue__body" id="catalogue-body"')
    assert 'hx-swap-oob="innerHTML:#catalogue-status"' in html
    assert 'id="catalogue-errors"' in html and "<html" not in html
    assert listed(html) == [library["zaak"].slug]


def test_pages_keep_the_search(client, zob):
    for n in range(25):
        make_solution(cooperative=zob, name=f"Oplossing {n:02d}")
    html = html_of(client.get("/solutions/", {"q": "oplossing", "sort": "name"}))
    assert len(listed(html)) == 20
    assert 'href="?q=oplossing&amp;sort=name&amp;page=2"' in html
    html = html_of(client.get("/solutions/", {"q": "oplossing", "sort": "name", "page": 2}))
    assert len(listed(html)) == 5 and 'id="previous-page"' in html


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sort": "cheapest"}, "sort"),
        ({"status": "finished"}, "status"),
        ({"cooperative": "atlantis"}, "cooperative"),
        ({"q": "x" * 201}, "q"),
        ({"page": "9"}, "page"),
        ({"page": "-1"}, "page"),
    ],
)
def test_bad_input_shows_an_error_summary_naming_the_field(client, library, params, field):
    response = client.get("/solutions/", params)
    assert response.status_code == 400
    html = html_of(response)
    assert 'id="error-summary"' in html and f'data-error-field="{field}"' in html
    # With htmx: 200 (htmx swaps only successful answers) and the errors out of band.
    response = client.get("/solutions/", params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'data-error-field="{field}"' in html_of(response)


def test_the_solution_page(client, library, eindhoven):
    solution = library["systeem"]
    solution.short_description_en = "Grants, online."
    solution.long_description_en = "An English description of the grant system."
    solution.standards = ["ZGW API's", "Common Ground"]
    solution.documentation_url = "https://docs.example.org/subsidie"
    solution.landing_url = "javascript:alert(1)"
    solution.save()
    response = client.get(f"/solutions/{solution.slug}/")
    assert response.status_code == 200
    html = html_of(response)
    assert 'id="solution-name"' in html and "Subsidiesysteem" in html
    assert solution.short_description_nl in html and "Grants, online." not in html
    assert 'id="solution-features"' in html and "Aanvragen indienen" in html
    assert re.search(r'id="solution-licence">EUPL-1.2<', html)
    assert 'id="solution-developed-by">Eindhoven<' in html
    assert 'href="/solutions/?category=grant-management"' in html
    assert "ZGW API&#x27;s" in html and 'href="https://docs.example.org/subsidie"' in html
    assert "javascript:" not in html
    assert re.search(r'id="solution-cost">€ 250.000<', html)
    assert 'href="/cooperatives/zuidoost-brabant/"' in html
    with translation.override("en"):
        html = html_of(client.get(f"/solutions/{solution.slug}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Grants, online." in html and "An English description" in html


def test_the_solution_page_in_english_by_the_language_cookie(client, library):
    from django.conf import settings

    solution = library["systeem"]
    solution.short_description_en = "Grants, online."
    solution.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Grants, online." in html_of(client.get(f"/solutions/{solution.slug}/"))


def test_an_unknown_solution_is_404(client, library):
    assert client.get("/solutions/no-such-solution/").status_code == 404


def test_the_solution_page_calls_every_section_in_order():
    from pathlib import Path

    import solutions

    template = Path(solutions.__file__).parent / "templates/solutions/solution_detail.html"
    text = template.read_text()
    assert "{% load solution_releases solution_adoption solution_publiccode %}" in text
    order = [
        text.index("{% releases_section solution %}"),
        text.index("{% adoption_section solution %}"),
        text.index("{% reviews_section solution %}"),
        text.index("{% publiccode_section solution %}"),
    ]
    assert order == sorted(order)
