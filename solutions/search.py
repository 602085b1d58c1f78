"""Full-text search over the library: the catalogue's search box and similar solutions.

PostgreSQL: every solution's `search_vector` is kept by a trigger (migration 0003) with Dutch
and English stemming, weighted A (name), B (short descriptions), C (long descriptions and
features), and searched through its GIN index (migration 0002). A search text is read with
`websearch_to_tsquery` in both configurations ("quoted phrases", `or`, `-word`), ranked with
`ts_rank`. Dutch glues words together ("Subsidiesysteem"), so a plain search (one without
those operators) also matches each word as a prefix of a word of the solution.

Elsewhere (SQLite, the embedded mode) a simpler but correct fallback: every word must occur,
case-insensitively, in the name, a description or a feature; the rank puts matches in the
name first, then in the short descriptions, then the rest.

Similar solutions: the words of a proposed title and description, OR-ed (PostgreSQL: a
`to_tsquery` of the words as prefixes in both configurations, ranked by `ts_rank`; the title's
words count double), or, elsewhere, their overlap with each solution's words.
"""

import json
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When

from solutions.models import Solution

# Letters and digits only: what is left is always valid inside a tsquery.
WORD = re.compile(r"[^\W_]+")
# A query that uses websearch's operators means them; it gets no prefix matching.
OPERATORS = re.compile(r'"|(^|\s)-\w|\s(or|OR)\s')
SEARCH_WORDS = 8
# A proposal's words that count: every word of its title (up to 8), and the 10 longest of its
# description, long words being the telling ones ("leerlingenvervoer", not "maken"). Ranking
# costs a pass over each word for every matching solution, so fewer words keep it fast.
SIMILAR_TITLE_WORDS = 8
SIMILAR_DESCRIPTION_WORDS = 10
# Shorter words match too much as prefixes; they must match whole.
PREFIX_MIN = 4

# Words that say nothing about what a solution does, left out of similar solutions' overlap
# (PostgreSQL's dictionaries drop their own stop words).
STOP_WORDS = frozenset(
    """
    aan als bij dat de den der des deze die dit door een en er het hun in is je kan kunnen met
    na naar niet nog of om onder ons onze ook op over te tot uit van veel voor waar wat wel
    wij wie worden wordt zal ze zij zijn zo zoals
    about all also and any are but can for from has have how into its may more not of one our
    out that the their them then there these they this with was were what when which who will
    you your
    """.split()  # noqa: SIM905
)

# Text fields searched by the fallback, with the weight of a match in each.
_FALLBACK_FIELDS = (
    ("name", 4),
    ("short_description_nl", 2),
    ("short_description_en", 2),
    ("long_description_nl", 1),
    ("long_description_en", 1),
)
_FALLBACK_JSON_FIELDS = ("features_nl", "features_en")


def words(text: str, limit: int) -> list[str]:
    """The distinct words of a text, lowercased, in order, at most `limit`."""
    seen = []
    for word in WORD.findall(text.lower()):
        if word not in seen:
            seen.append(word)
            if len(seen) == limit:
                break
    return seen


def uses_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


# --- The catalogue's search box ------------------------------------------------------------
def _prefixes(terms: list[str], joiner: str) -> str:
    """A to_tsquery text: each term (a prefix, if long enough), joined by & or |."""
    return f" {joiner} ".join(f"{term}:*" if len(term) >= PREFIX_MIN else term for term in terms)


def _tsquery(text: str) -> SearchQuery:
    query = SearchQuery(text, config="dutch", search_type="websearch") | SearchQuery(
        text, config="english", search_type="websearch"
    )
    terms = words(text, SEARCH_WORDS)
    if terms and not OPERATORS.search(text):
        prefix = _prefixes(terms, "&")
        query = (
            query
            | SearchQuery(prefix, config="dutch", search_type="raw")
            | SearchQuery(prefix, config="english", search_type="raw")
        )
    return query


def _json_text(word: str) -> str:
    """How a word appears inside a JSON array stored as text (non-ASCII escaped)."""
    return json.dumps(word)[1:-1]


def _fallback_match(word: str) -> Q:
    match = Q()
    for field, _weight in _FALLBACK_FIELDS:
        match |= Q(**{f"{field}__icontains": word})
    for field in _FALLBACK_JSON_FIELDS:
        match |= Q(**{f"{field}__icontains": word})
        if _json_text(word) != word:
            match |= Q(**{f"{field}__icontains": _json_text(word)})
    return match


def _fallback_rank(word: str) -> Case:
    return Case(
        *(
            When(Q(**{f"{field}__icontains": word}), then=Value(weight))
            for field, weight in _FALLBACK_FIELDS
        ),
        default=Value(1),
        output_field=IntegerField(),
    )


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """The solutions of `queryset` that match the search text (all of them for no words)."""
    text = text.strip()
    if not words(text, SEARCH_WORDS):
        return queryset
    if uses_postgresql(queryset):
        return queryset.filter(search_vector=_tsquery(text))
    for word in words(text, SEARCH_WORDS):
        queryset = queryset.filter(_fallback_match(word))
    return queryset


def with_rank(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` annotated with `rank`, higher for a better match (0 without a search)."""
    text = text.strip()
    terms = words(text, SEARCH_WORDS)
    if not terms:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if uses_postgresql(queryset):
        return queryset.annotate(rank=SearchRank(F("search_vector"), _tsquery(text)))
    rank = _fallback_rank(terms[0])
    for term in terms[1:]:
        rank = rank + _fallback_rank(term)
    return queryset.annotate(rank=rank)


# --- Similar solutions ---------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    solution: Solution
    score: float


def _telling(text: str, limit: int) -> list[str]:
    return [w for w in words(text, limit) if w not in STOP_WORDS and len(w) > 2]


def _proposal_terms(title: str, description: str) -> tuple[list[str], list[str]]:
    title_terms = _telling(title, 40)[:SIMILAR_TITLE_WORDS]
    rest = [w for w in _telling(description, 400) if w not in title_terms]
    longest = sorted(rest, key=len, reverse=True)[:SIMILAR_DESCRIPTION_WORDS]
    return title_terms, [w for w in rest if w in longest]


def similar(queryset: QuerySet, title: str, description: str, limit: int) -> list[Match]:
    """The solutions of `queryset` most like a proposal, best first, each with its score."""
    title_terms, description_terms = _proposal_terms(title, description)
    if not title_terms and not description_terms:
        return []
    if uses_postgresql(queryset):
        return _similar_postgresql(queryset, title_terms, description_terms, limit)
    return _similar_fallback(queryset, title_terms, description_terms, limit)


def _or_query(terms: list[str]) -> SearchQuery:
    text = _prefixes(terms, "|")
    return SearchQuery(text, config="dutch", search_type="raw") | SearchQuery(
        text, config="english", search_type="raw"
    )


def _similar_postgresql(queryset, title_terms, description_terms, limit) -> list[Match]:
    everything = _or_query(title_terms + description_terms)
    score = SearchRank(F("search_vector"), everything)
    if title_terms:
        score = score + SearchRank(F("search_vector"), _or_query(title_terms))
    # Ranked over narrow rows (id, name, score); only the best few are read in full.
    best = list(
        queryset.filter(search_vector=everything)
        .annotate(score=score)
        .order_by("-score", "name", "pk")
        .values_list("pk", "score")[:limit]
    )
    found = queryset.in_bulk([pk for pk, _ in best])
    return [Match(found[pk], round(score, 4)) for pk, score in best if pk in found]


# The FTS5 index of every solution's words that similar solutions read on SQLite (migration
# 0005 and its triggers keep it): `name`, and `texts` with all the other searched texts.
_WORDS_TABLE = "solutions_solutionwords"


def _similar_fallback(queryset, title_terms, description_terms, limit) -> list[Match]:
    """Word overlap: each word of the proposal that begins a word of a solution scores 1, a
    word of the title 2, doubled again when it begins a word of the solution's name; the score
    is the share of the most a solution could get.

    Every word is two look-ups in the FTS5 index of the solutions' words (in the name; in any
    text): counting the overlap row by row with LIKE took half a second at 10,000 solutions.
    """
    hits, params = [], []
    most = 0
    for index, term in enumerate(title_terms + description_terms):
        weight = 2 if term in title_terms else 1
        # A term is letters and digits only (WORD), so quoting it makes a valid FTS5 phrase.
        for points, match in ((2 * weight, f'name : "{term}"*'), (weight, f'"{term}"*')):
            hits.append(
                f"SELECT rowid AS id, {index} AS term, {points} AS points "  # noqa: S608
                f"FROM {_WORDS_TABLE} WHERE {_WORDS_TABLE} MATCH %s"
            )
            params.append(match)
        most += 2 * weight
    quote = connections[queryset.db].ops.quote_name
    meta = Solution._meta
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    name = quote(meta.get_field("name").column)
    within, within_params = queryset.values("pk").query.sql_with_params()
    # Only quoted names, indexes and weights are formatted in; the words travel as parameters.
    sql = (
        f"WITH hits AS ({' UNION ALL '.join(hits)}), "  # noqa: S608
        "per_term AS (SELECT id, term, MAX(points) AS points FROM hits GROUP BY id, term), "
        "scored AS (SELECT id, SUM(points) AS score FROM per_term GROUP BY id) "
        f"SELECT s.{pk}, scored.score FROM scored JOIN {table} s ON s.{pk} = scored.id "
        f"WHERE s.{pk} IN ({within}) ORDER BY scored.score DESC, s.{name}, s.{pk} LIMIT %s"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [*params, *within_params, limit])
        best = cursor.fetchall()
    found = queryset.in_bulk([pk for pk, _ in best])
    return [Match(found[pk], round(score / most, 4)) for pk, score in best if pk in found]
