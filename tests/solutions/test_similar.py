"""Similar solutions: the existing solutions most like a proposed title and description, ranked,
on both databases; shown on the new-product form (the sprints app's hook) and as a partial."""

import pytest
from django.test import Client

from solutions.models import Solution
from solutions.selectors import similar_to
from sprints import selectors as sprints_selectors
from sprints.models import Product
from tests.solutions.factories import make_solution

pytestmark = pytest.mark.django_db

GENERIC = (
    "De oplossing is door de coöperatie gebouwd in sprints van twee weken en door de eigen "
    "mensen getest en geaccepteerd, zodat een ander haar kan hergebruiken."
)


def make(cooperative, name, short, **fields):
    return make_solution(
        cooperative=cooperative,
        name=name,
        short_description_nl=short,
        short_description_en="",
        long_description_nl=fields.pop("long", GENERIC),
        long_description_en="",
        features_nl=fields.pop("features", []),
        features_en=[],
        **fields,
    )


@pytest.fixture
def library(zob, dimpact):
    return {
        "systeem": make(zob, "Subsidiesysteem", "Subsidies aanvragen, beoordelen en toekennen."),
        "loket": make(
            zob,
            "Digitaal loket",
            "Inwoners doen online een aanvraag.",
            features=["Subsidie aanvragen", "Paspoort aanvragen"],
        ),
        "zaak": make(dimpact, "Zaakgericht werken", "Zaken behandelen met de ZGW API's."),
        "portaal": make(dimpact, "Medewerkersportaal", "Eén portaal voor alle medewerkers."),
        "afval": make(zob, "Afvalkalender", "Wanneer de container aan de straat mag."),
    }


def ranked(title, description="", limit=5):
    return [match.name for match in similar_to(title, description, limit)]


def test_the_most_alike_comes_first(library):
    found = similar_to("Subsidieregeling", "Een systeem waarmee inwoners subsidies aanvragen.")
    names = [match.name for match in found]
    assert names[:2] == ["Subsidiesysteem", "Digitaal loket"]
    assert "Afvalkalender" not in names and "Medewerkersportaal" not in names
    scores = [match.score for match in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] > 0


def test_a_match_in_the_name_outranks_one_in_the_description(library, zob):
    make(zob, "Containerbeheer", "Beheer van containers.", long=GENERIC + " Ook de afvalkalender.")
    assert ranked("Afvalkalender")[:2] == ["Afvalkalender", "Containerbeheer"]


def test_the_title_counts_more_than_the_description(library):
    names = ranked("Medewerkersportaal", "Zaken behandelen")
    assert names[0] == "Medewerkersportaal"
    assert "Zaakgericht werken" in names


def test_nothing_alike_is_nothing(library):
    assert similar_to("Grafregister", "Begraafplaatsen en graven bijhouden.") == []
    assert similar_to("", "") == []
    assert similar_to("de het een", "") == []


def test_renamed_changed_and_removed_solutions_are_found_as_they_are_now(library):
    # SQLite reads an index of the words kept by triggers; PostgreSQL its search vector.
    afval = library["afval"]
    assert ranked("Grafregister") == []
    Solution.objects.filter(pk=afval.pk).update(
        name="Grafregister", features_nl=["Graven bijhouden"]
    )
    assert ranked("Grafregister") == ["Grafregister"]
    assert ranked("graven") == ["Grafregister"]
    Solution.objects.filter(pk=afval.pk).delete()
    assert ranked("Grafregister") == []


def test_limit_and_long_texts(library):
    assert len(similar_to("aanvragen subsidie zaken portaal container", limit=2)) == 2
    # Long texts are cut, not refused: only their first words count.
    assert similar_to("Subsidie" + " x" * 500, "aanvragen " * 5000)


def test_each_result_links_to_its_page_in_the_page_language(library):
    from django.utils import translation

    match = similar_to("Subsidiesysteem")[0]
    assert match.get_absolute_url() == f"/solutions/{library['systeem'].slug}/"
    assert match.slug == library["systeem"].slug and str(match) == "Subsidiesysteem"
    with translation.override("nl"):
        assert match.short_description == "Subsidies aanvragen, beoordelen en toekennen."


def test_the_sprints_hook_gets_real_results(library):
    found = sprints_selectors.similar_solutions("Subsidiesysteem", "Subsidies aanvragen")
    assert found and found[0].name == "Subsidiesysteem"


def test_the_new_product_form_shows_them_before_anything_is_written(
    library, member_person, eindhoven_membership
):
    client = Client()
    client.force_login(member_person)
    data = {
        "pilot": eindhoven_membership.pk,
        "name": "Subsidieregeling",
        "key": "SUBR",
        "vision": "Inwoners vragen subsidies aan.",
        "weeks": 2,
    }
    response = client.post("/products/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/solutions/{library["systeem"].slug}/"' in html
    assert not Product.objects.filter(key="SUBR").exists()
    response = client.post("/products/", {**data, "similar_seen": "1"})
    assert response.status_code == 302
    assert Product.objects.filter(key="SUBR").exists()


def test_the_partial_lists_them_for_anyone(client, library):
    response = client.get("/solutions/similar/", {"title": "Subsidiesysteem"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="similar-solutions-list"' in html
    assert f'data-solution="{library["systeem"].slug}"' in html
    # The product form's own field names work too.
    html = client.get("/solutions/similar/", {"name": "Afvalkalender", "vision": ""}).content
    assert f'data-solution="{library["afval"].slug}"'.encode() in html
    # Nothing asked, or too much: an empty section, never an error.
    assert client.get("/solutions/similar/").content.strip() == b""
    assert client.get("/solutions/similar/", {"title": "x" * 300}).status_code == 200


def test_a_proposal_full_of_common_words_still_finds_the_right_solution_first(zob):
    # A big library where every solution's texts hold the same service words: those words
    # find nearly everything, so only the telling ones pick the candidates (issue 10: this
    # took 100-300 ms at 10,000 solutions), and the right solution must still come first.
    from django.db import connection

    from solutions import search

    common = "Medewerkers kunnen zaken registreren en volgen, zodat inwoners minder wachten."
    Solution.objects.bulk_create(
        [
            Solution(
                cooperative=zob,
                name=f"Dienst {n}",
                slug=f"dienst-{n}",
                short_description_nl=f"Zaken registreren en volgen, nummer {n}.",
                long_description_nl=common,
                features_nl=["Registreren", "Volgen"],
            )
            for n in range(search.COMMON_MIN + 50)
        ]
    )
    make(zob, "Leerlingenvervoer", "Vervoer van leerlingen naar school regelen.", long=common)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the statistics autovacuum keeps in production
            cursor.execute("ANALYZE solutions_solution")
    title, description = (
        "Leerlingenvervoer",
        "Medewerkers registreren en volgen zaken, zodat inwoners minder wachten.",
    )
    terms = ["leerlingenvervoer", "medewerkers", "registreren", "volgen", "zaken", "inwoners"]
    common_terms = search._common_terms(
        "default", terms, postgresql=connection.vendor == "postgresql"
    )
    assert {"registreren", "volgen", "zaken"} <= common_terms
    assert "leerlingenvervoer" not in common_terms
    assert ranked(title, description)[0] == "Leerlingenvervoer"
    # Only common words: nothing is left out, they find what they find.
    assert len(ranked("Zaken registreren", "")) == 5
