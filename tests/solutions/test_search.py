"""Full-text search of the catalogue on a fixed set of solutions.

Runs on both databases: PostgreSQL's weighted search vector (kept by the trigger of migration
0003) with Dutch and English stemming, and SQLite's fallback. The stemming and the trigger are
PostgreSQL's own, so their tests run only there.
"""

import pytest
from django.db import connection

from solutions import search
from solutions.models import Solution
from solutions.selectors.catalogue import catalogue
from tests.solutions.factories import make_solution

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming and the trigger are PostgreSQL's"
)

PLAIN = "Een herbruikbare toepassing van de coöperatie, door gemeenten samen gebouwd en getest."


def solution(cooperative, name, short="", long="", features=(), **fields):
    return make_solution(
        cooperative=cooperative,
        name=name,
        short_description_nl=short or f"{name}.",
        short_description_en="",
        long_description_nl=long or PLAIN,
        long_description_en="",
        features_nl=list(features),
        features_en=[],
        **fields,
    )


@pytest.fixture
def library(zob):
    """Five solutions; "subsidie" is in one's name, one's short and one's long description."""
    return {
        "long": solution(
            zob,
            "Zaakgericht werken",
            long=PLAIN + " Ook een subsidie kan als zaak worden behandeld.",
        ),
        "name": solution(zob, "Subsidie aanvragen"),
        "short": solution(zob, "Digitaal loket", short="Inwoners vragen een subsidie online aan."),
        "feature": solution(zob, "Medewerkersportaal", features=["Subsidie-overzicht"]),
        "none": solution(zob, "Inwonerscloud", short="Zorgdossiers van inwoners."),
    }


def names(result) -> list[str]:
    return [s.name for s in result.solutions]


def test_the_name_match_ranks_first_then_the_short_description(library):
    result = catalogue("subsidie")
    assert result.sort == "relevance"
    found = names(result)
    assert found[0] == "Subsidie aanvragen"
    assert found[1] == "Digitaal loket"
    assert set(found) == {
        "Subsidie aanvragen",
        "Digitaal loket",
        "Zaakgericht werken",
        "Medewerkersportaal",
    }
    assert result.count == 4


def test_every_word_must_match(library):
    assert names(catalogue("subsidie online")) == ["Digitaal loket"]
    assert names(catalogue("subsidie zorgdossiers")) == []


def test_search_is_case_insensitive_and_reaches_features_and_english(zob, library):
    solution(zob, "Reserveren", features=["Vergaderzalen boeken"])
    english = make_solution(
        cooperative=zob, name="Klantcontact", short_description_en="Customer contact centre."
    )
    assert names(catalogue("VERGADERZALEN")) == ["Reserveren"]
    assert [s.pk for s in catalogue("customer").solutions] == [english.pk]


def test_a_compound_word_is_found_by_its_first_part(zob, library):
    """Dutch glues words together: "subsidie" finds Subsidiesysteem, by its name, first."""
    solution(zob, "Subsidiesysteem", short="Regelingen publiceren en beoordelen.")
    assert names(catalogue("subsidie"))[:2] == ["Subsidie aanvragen", "Subsidiesysteem"] or names(
        catalogue("subsidie")
    )[:2] == ["Subsidiesysteem", "Subsidie aanvragen"]


def test_a_search_of_no_words_lists_everything_by_name(library):
    result = catalogue("  ,;  ")
    assert result.count == 5
    assert result.sort == "name"
    assert names(result) == sorted(names(result))


def test_quotes_and_operators_are_harmless(library):
    for text in ('"subsidie', "subsidie -", "(subsidie) & | ! :*", "'; drop table x; --", "%_\\"):
        catalogue(text)  # no error, whatever it finds


@postgresql_only
def test_dutch_stemming_finds_subsidies_for_subsidie(zob):
    plural = solution(
        zob, "Regelingenbeheer", long=PLAIN + " Het beheert alle subsidies van de gemeente."
    )
    solution(zob, "Afvalkalender")
    assert [s.pk for s in catalogue("subsidie").solutions] == [plural.pk]


@postgresql_only
def test_dutch_stemming_finds_a_singular_for_a_plural(zob):
    """English stemming leaves "vergunningen" alone; the Dutch configuration finds it."""
    permit = solution(zob, "Evenementen", long=PLAIN + " Een vergunning aanvragen voor een feest.")
    assert [s.pk for s in catalogue("vergunningen").solutions] == [permit.pk]
    # Websearch's own syntax, with no prefix matching: still Dutch stemming.
    assert [s.pk for s in catalogue('"vergunningen"').solutions] == [permit.pk]
    assert catalogue("vergunningen -feest").count == 0


@postgresql_only
def test_the_trigger_keeps_the_vector_on_every_write(zob):
    made = solution(zob, "Afvalkalender", short="Wanneer de container aan de straat mag.")
    assert Solution.objects.filter(pk=made.pk, search_vector__isnull=False).exists()
    Solution.objects.filter(pk=made.pk).update(name="Parkeervergunning")
    assert names(catalogue("parkeervergunning")) == ["Parkeervergunning"]
    assert catalogue("afvalkalender").count == 0
    Solution.objects.bulk_create(
        [
            Solution(
                cooperative=zob,
                name="Grafregister",
                slug="grafregister",
                features_en=["Cemetery records"],
            )
        ]
    )
    assert names(catalogue("cemetery")) == ["Grafregister"]
    # A write of another column leaves the vector as it was.
    Solution.objects.filter(slug="grafregister").update(adoption_count=3)
    assert names(catalogue("cemetery")) == ["Grafregister"]


def test_matching_and_rank_agree_on_what_matches(library):
    queryset = search.with_rank(search.matching(Solution.objects.all(), "subsidie"), "subsidie")
    ranks = {s.name: s.rank for s in queryset}
    assert ranks["Subsidie aanvragen"] > ranks["Digitaal loket"] > ranks["Zaakgericht werken"]
    assert "Inwonerscloud" not in ranks


@postgresql_only
def test_the_planner_hint_does_not_outlive_the_search(library):
    """The catalogue asks PostgreSQL for its GIN index for one statement only, also inside a
    transaction (as here: each test runs in one)."""
    assert catalogue("subsidie").count == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        assert cursor.fetchone()[0] == "on"


_ROW_COLUMNS = (
    "id, name, {name_lower}, {short_lower}, search_text, development_status, licence, "
    "cooperative_id, developed_by_id, created_at, adoption_count"
)


def _rows(table: str) -> list[tuple]:
    lowered = {"name_lower": "name_lower", "short_lower": "short_lower"}
    if table == "solutions_solution":
        lowered = {
            "name_lower": "lower(name)",
            "short_lower": "lower(short_description_nl || ' ' || short_description_en)",
        }
    columns = _ROW_COLUMNS.format(**lowered)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")  # noqa: S608
        return cursor.fetchall()


@postgresql_only
def test_the_triggers_keep_the_catalogue_rows_on_every_write(zob, library):
    """The catalogue's narrow copy (migration 0012) is the solutions' columns it holds, after
    each kind of write: a save, an update of a text the copy has only through search_text,
    of a sort column, a bulk insert, a delete."""
    assert _rows("solutions_catalogue_row") == _rows("solutions_solution")
    made = library["long"]
    made.long_description_nl = "Afvalkalender voor inwoners."
    made.save()
    Solution.objects.filter(pk=library["name"].pk).update(adoption_count=7, name="Subsidieloket")
    Solution.objects.bulk_create(
        [Solution(cooperative=zob, name="Grafregister", slug="grafregister")]
    )
    library["none"].delete()
    assert _rows("solutions_catalogue_row") == _rows("solutions_solution")
    assert names(catalogue("afvalkalender")) == ["Zaakgericht werken"]
    assert names(catalogue("subsidieloket"))[0] == "Subsidieloket"


@postgresql_only
def test_the_catalogue_searches_the_narrow_rows_on_postgresql(library):
    """A plain search ranks the narrow copy's rows (a third of the solutions' blocks); a search
    with websearch's operators reads the solutions' search vector."""
    assert search.searched("subsidie").model._meta.db_table == "solutions_catalogue_row"
    assert search.searched('"subsidie aanvragen"').model is Solution
    assert search.searched("").model is Solution
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search.matching(search.searched("subsidie").order_by(), "subsidie").explain()
    assert "solutions_catalogue_row_trgm" in plan


@pytest.mark.parametrize("page_size", [1, 2, 3, 4])
def test_every_page_holds_the_ranked_list_in_order(zob, library, page_size):
    """Pages of every size, also those the best matches (every word in the name) fill alone
    and those they fill only partly, are the whole ranked list cut in pieces, on both
    databases."""
    solution(zob, "Subsidieregister", short="Subsidies op een rij.")
    solution(zob, "Subsidie-overzicht")
    for query in ("subsidie", "subsidie aanvragen", "subsidieaanvraag", "loket"):
        ranked = search.with_rank(search.matching(Solution.objects.all(), query), query)
        expected = list(ranked.order_by("-rank", "name", "pk").values_list("name", flat=True))
        pages, number = [], 1
        while len(pages) < len(expected):
            pages += names(catalogue(query, page=number, page_size=page_size))
            number += 1
        assert pages == expected, query
