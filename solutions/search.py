"""Full-text search over the library: the catalogue's search box and similar solutions.

PostgreSQL: every solution's `search_vector` is kept by a trigger (migration 0003) with Dutch
and English stemming, weighted A (name), B (short descriptions), C (long descriptions and
features), and searched through its GIN index (migration 0002). A search text is read with
`websearch_to_tsquery` in both configurations ("quoted phrases", `or`, `-word`), ranked with
`ts_rank`. Dutch glues words together ("Subsidiesysteem"), so a plain search (one without
those operators) also matches each word as a prefix of a word of the solution.

The catalogue's plain search reads the same columns from a narrow copy of each solution
(CatalogueRow, kept by triggers, migration 0012; `searched`), and finds the matches that rank
first, those with every word in the name, through an index on the copy's names (`best`).

Elsewhere (SQLite, the embedded mode) a simpler but correct fallback: every word must occur,
case-insensitively, in the name, a description or a feature; the rank puts matches in the
name first, then in the short descriptions, then the rest.

Similar solutions: the words of a proposed title and description, OR-ed (PostgreSQL: a
`to_tsquery` of the words as prefixes in both configurations, ranked by `ts_rank`; the title's
words count double), or, elsewhere, their overlap with each solution's words.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import BooleanField, F, FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL

from solutions.models import CatalogueRow, Solution
from solutions.search_words import KNOWN_WORDS

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
# A proposal's word found in more than this share of the library ("zodat", "medewerkers",
# "aanvragen" in a library of services) says nothing about which solution is alike, yet made
# nearly every solution a candidate to rank (100-300 ms at 10,000). Such a common word still
# counts in the score of the candidates that other words find; it just finds none itself.
# Below COMMON_MIN solutions ranking is cheap anyway, so small libraries keep every word.
COMMON_SHARE = 0.15
COMMON_MIN = 200

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
# Dutch glues words together, in the texts ("subsidieplafond") and in what people type
# ("subsidieaanvraag"), and inflects them ("vergunningen", "betaling" for "betalen"). So on both
# databases a plain search reads each word as a few *forms* (the word, its stem, its plural's
# stem: `forms`), each found anywhere inside the solution's text, also in the middle of a longer
# word; and a compound of known words (`parts`) is also found by its parts. PostgreSQL finds
# those substrings through a trigram index (pg_trgm, migrations 0008, 0011); SQLite reads rows.
VOWELS = frozenset("aeiouy")
FORM_MIN = 4  # shorter stems ("zak") would match too much; the word itself always counts
COMPOUND_MIN = 7
PART_MIN = 3
MAX_PARTS = 3

# Points per search word for where it was found, summed over the words (ties: by name).
RANK_NAME, RANK_SHORT, RANK_TEXT, RANK_ALL_PARTS, RANK_HEAD = 10, 6, 4, 3, 1


@dataclass(frozen=True)
class Term:
    """A word of a search: its forms, and for a compound of known words, each part's forms
    (the last part, the head, says what it is: a *subsidieaanvraag* is an *aanvraag*)."""

    word: str
    forms: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...] = ()


def _consonant(letter: str) -> bool:
    return letter.isalpha() and letter not in VOWELS


def _undouble(stem: str) -> str:
    """vergunn → vergun, bedd → bed: Dutch doubles a consonant before -en and -ing."""
    if len(stem) > 2 and stem[-1] == stem[-2] and _consonant(stem[-1]):
        return stem[:-1]
    return stem


def _lengthen(stem: str) -> str:
    """aanvrag → aanvraag, zak → zaak, bezwar → bezwaar: the singular's long vowel."""
    if len(stem) >= 3 and _consonant(stem[-1]) and stem[-2] in "aeou" and _consonant(stem[-3]):
        return stem[:-1] + stem[-2] + stem[-1]
    return stem


def _shorten(word: str) -> str:
    """aanvraag → aanvrag (as in aanvragen), zaak → zak: the plural's short vowel."""
    if (
        len(word) >= 4
        and _consonant(word[-1])
        and word[-2] == word[-3]
        and word[-2] in "aeou"
        and _consonant(word[-4])
    ):
        return word[:-2] + word[-1]
    return ""


# Words ending in these are no plurals in -s (kennis, status, kas): "kenni" would match
# "herkenning".
_NOT_PLURAL_S = ("ss", "is", "us", "os", "as")


def forms(word: str) -> tuple[str, ...]:
    """The word and the forms it takes in Dutch (and English plurals): vergunningen →
    vergunning, vergun; betaling → betal; aanvragen → aanvrag, aanvraag; zaak → zaken;
    subsidies → subsidie. A light stemmer, not a dictionary: forms only ever widen a search."""
    found = [word]

    def add(form: str):
        if len(form) >= FORM_MIN and form not in found:
            found.append(form)

    if word.endswith("ingen") and len(word) >= 9:
        add(word[:-2])
        add(_undouble(word[:-5]))
    elif word.endswith("ing") and len(word) >= 7:
        add(_undouble(word[:-3]))
    elif word.endswith("en") and len(word) >= 5:
        stem = _undouble(word[:-2])
        add(stem)
        add(_lengthen(stem))
    elif word.endswith("s") and len(word) >= 5 and not word.endswith(_NOT_PLURAL_S):
        add(word[:-1])
    short = _shorten(word)
    if short:
        add(short + "en")
    return tuple(found)


def _known(word: str) -> bool:
    """A known word in one of its forms: as listed, a plural's stem, or its own plural
    ("termijn" for "termijnen"); a linking s ("stads") belongs to the part before it."""
    return (
        any(form in _KNOWN_FORMS for form in forms(word))
        or f"{word}en" in KNOWN_WORDS
        or (word.endswith("s") and word[:-1] in KNOWN_WORDS)
    )


# Every form of every known word: "behandeling" is known by "behandelen" (both "behandel").
_KNOWN_FORMS = frozenset(form for word in KNOWN_WORDS for form in forms(word))


@lru_cache(maxsize=4096)
def parts(word: str) -> tuple[str, ...]:
    """A compound split into known words (subsidieaanvraag → subsidie, aanvraag; burgerzaken →
    burger, zaken), fewest parts first, then the longest first part; () if it is no compound
    of known words (or a known word itself). Linking -s- and -e(n)- stay with the first part."""
    if len(word) < COMPOUND_MIN or word in KNOWN_WORDS:
        return ()
    return _split(word, MAX_PARTS) or ()


def _split(word: str, most: int) -> tuple[str, ...] | None:
    if most == 1:
        return (word,) if _known(word) else None
    best = None
    for cut in range(len(word) - PART_MIN, PART_MIN - 1, -1):
        left, right = word[:cut], word[cut:]
        if not _known(left):
            continue
        rest = (right,) if _known(right) else _split(right, most - 1)
        if rest and (best is None or len(rest) + 1 < len(best)):
            best = (left, *rest)
    return best


def terms(text: str) -> list[Term]:
    """The search's words with their forms and parts; stop words are left out when other
    words remain ("de", "van" would match every solution)."""
    found = words(text, SEARCH_WORDS)
    telling = [word for word in found if word not in STOP_WORDS]
    return [
        Term(word, forms(word), tuple(forms(part) for part in parts(word)))
        for word in (telling or found)
    ]


def _texts(vendor: str, table: str = "solutions_solution") -> dict[str, str]:
    """SQL for the solution's name, short descriptions and all searched text, lowercased.

    On PostgreSQL the whole text is the column `search_text` that the trigger keeps (migration
    0011), with a trigram index, so LIKE '%…%' on it is answered from the index; the catalogue's
    narrow copy (`table`, migration 0012) has it too, and the lowercased name and short
    descriptions stored (the same text as the expressions here give).
    SQLite's LIKE folds case itself (ASCII letters) and its JSON keeps é as \u00e9: features
    are read out.
    """
    column = f'"{table}"."{{}}"'.format
    if table == CatalogueRow._meta.db_table:
        # The narrow copy holds the name and short descriptions already lowercased so.
        return {
            "name": column("name_lower"),
            "short": column("short_lower"),
            "all": column("search_text"),
        }
    if vendor == "postgresql":
        return {
            "name": f"lower({column('name')})",
            "short": f"lower({column('short_description_nl')} || ' ' || "
            f"{column('short_description_en')})",
            # Kept by the trigger (migration 0011), with the trigram index on it.
            "all": column("search_text"),
        }
    features = [
        f"coalesce((SELECT group_concat(value, ' ') FROM json_each({column(name)})), '')"  # noqa: S608
        for name in _FALLBACK_JSON_FIELDS
    ]
    parts_sql = [f"coalesce({column(name)}, '')" for name in _TEXT_COLUMNS] + features
    return {
        "name": column("name"),
        "short": f"({column('short_description_nl')} || ' ' || {column('short_description_en')})",
        "all": "(" + " || ' ' || ".join(parts_sql) + ")",
    }


_TEXT_COLUMNS = tuple(field for field, _weight in _FALLBACK_FIELDS)


def _any(expression: str, forms_: tuple[str, ...]) -> tuple[str, list[str]]:
    """Any of the forms inside the text (forms are letters and digits only: no escaping).
    A form that holds another is left out: "betal" inside a text already finds "betalen"."""
    forms_ = tuple(
        form for form in forms_ if not any(other != form and other in form for other in forms_)
    )
    sql = " OR ".join(f"{expression} LIKE %s" for _ in forms_)
    return f"({sql})", [f"%{form}%" for form in forms_]


def _every(expression: str, parts_: tuple[tuple[str, ...], ...]) -> tuple[str, list[str]]:
    pieces = [_any(expression, part) for part in parts_]
    return (
        "(" + " AND ".join(sql for sql, _ in pieces) + ")",
        [param for _, params in pieces for param in params],
    )


def _term_match(term: Term, texts: dict[str, str]) -> tuple[str, list[str]]:
    """The word's forms anywhere in the text, or, for a compound, its head (its last part)."""
    sql, params = _any(texts["all"], term.forms)
    if term.parts:
        head, head_params = _any(texts["all"], term.parts[-1])
        sql, params = f"({sql} OR {head})", [*params, *head_params]
    return sql, params


def _term_rank(term: Term, texts: dict[str, str]) -> tuple[str, list[str]]:
    """Only what the match leaves open is looked at again: a plain word that matched and is in
    neither the name nor a short description is in the rest of the text, so only a compound's
    rank reads the whole text (every match's long descriptions, at 10,000 solutions, cost
    more than the search itself)."""
    tiers = [
        (_any(texts["name"], term.forms), RANK_NAME),
        (_any(texts["short"], term.forms), RANK_SHORT),
    ]
    otherwise = RANK_TEXT
    if term.parts:
        tiers += [
            (_any(texts["all"], term.forms), RANK_TEXT),
            (_every(texts["all"], term.parts), RANK_ALL_PARTS),
        ]
        otherwise = RANK_HEAD
    whens, params = [], []
    for (sql, more), points in tiers:
        whens.append(f"WHEN {sql} THEN {points}")
        params += more
    return f"CASE {' '.join(whens)} ELSE {otherwise} END", params


def _plain(text: str) -> bool:
    """A search without websearch's operators (PostgreSQL reads those with its search vector)."""
    return not OPERATORS.search(text)


def _tsquery(text: str) -> SearchQuery:
    return SearchQuery(text, config="dutch", search_type="websearch") | SearchQuery(
        text, config="english", search_type="websearch"
    )


def searched(text: str) -> QuerySet:
    """What the catalogue searches for `text`: on PostgreSQL, for a plain search, the narrow
    copy of every solution (CatalogueRow, migration 0012), whose facet and sort columns the
    catalogue reads by the same names as the solution's; otherwise the solutions themselves.
    The copy holds a quarter of the blocks of the solutions' rows, and a search reads most of
    them to rank its matches. Its rows are the solutions' ids: the catalogue fetches its
    page's solutions."""
    solutions = Solution.objects.all()
    if terms(text.strip()) and uses_postgresql(solutions) and _plain(text.strip()):
        return CatalogueRow.objects.all()
    return solutions


def _table(queryset: QuerySet) -> str:
    return queryset.model._meta.db_table


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """The solutions of `queryset` that match the search text (all of them for no words):
    every word, in one of its forms or (a compound) by its head, somewhere in the solution's
    name, descriptions or features. On PostgreSQL a search with "quoted phrases", `or` or
    `-word` is read as websearch does, with Dutch and English stemming."""
    text = text.strip()
    found = terms(text)
    if not found:
        return queryset
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql" and not _plain(text):
        return queryset.filter(search_vector=_tsquery(text))
    texts = _texts(vendor, _table(queryset))
    for term in found:
        sql, params = _term_match(term, texts)
        # The SQL is this module's own text; the search's forms travel as parameters.
        queryset = queryset.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
    return queryset


def best(queryset: QuerySet, text: str) -> tuple[QuerySet, float] | None:
    """The matches of `queryset` (as `matching` gives them) with every word of the search in
    their name, and their rank: the highest there is (RANK_NAME per word, see `with_rank`),
    which every other match is below. So they come first in the list, among themselves by
    name, and a page they fill holds only them: found through the trigram index on the narrow
    copy's names (migration 0012), a few hundred rows, where ranking every match reads
    thousands. None where that index is not read (SQLite, websearch's operators, no words)."""
    text = text.strip()
    found = terms(text)
    if not found or queryset.model is not CatalogueRow:
        return None
    texts = _texts("postgresql", _table(queryset))
    for term in found:
        sql, params = _any(texts["name"], term.forms)
        queryset = queryset.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
    return queryset, float(RANK_NAME * len(found))


def with_rank(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` annotated with `rank`, higher for a better match (0 without a search): per
    word, 10 for its name, 6 for a short description, 4 elsewhere, 3 for all of a compound's
    parts, 1 for its head alone; the same numbers on both databases."""
    text = text.strip()
    found = terms(text)
    if not found:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql" and not _plain(text):
        return queryset.annotate(rank=SearchRank(F("search_vector"), _tsquery(text)))
    texts = _texts(vendor, _table(queryset))
    pieces = [_term_rank(term, texts) for term in found]
    sql = " + ".join(f"({piece})" for piece, _ in pieces)
    params = [param for _, more in pieces for param in more]
    rank = RawSQL(f"CAST({sql} AS REAL)", params, output_field=FloatField())  # noqa: S611
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
    postgresql = uses_postgresql(queryset)
    common = _common_terms(queryset.db, title_terms + description_terms, postgresql=postgresql)
    if postgresql:
        return _similar_postgresql(queryset, title_terms, description_terms, limit, common)
    return _similar_fallback(queryset, title_terms, description_terms, limit, common)


def _common_terms(db: str, terms: list[str], *, postgresql: bool) -> set[str]:
    """The terms found in more than COMMON_SHARE of the library (and COMMON_MIN solutions).

    When every term is common, none is left out: the proposal is then only common words.
    """
    found = _shares_postgresql(db, terms) if postgresql else _shares_sqlite(db, terms)
    common = {term for term, is_common in zip(terms, found, strict=True) if is_common}
    return set() if len(common) == len(terms) else common


def _shares_postgresql(db: str, terms: list[str]) -> list[bool]:
    """Whether each term is common, from the planner's statistics of the search vectors (the
    most common lexemes and their shares, kept by ANALYZE/autovacuum): one catalogue read.
    Counting matches is no cheaper than the search itself there, every check reading a
    solution's whole vector. Without statistics (a fresh database) no term is common."""
    sql = """
        WITH lexemes AS (
            SELECT e.lexeme, e.share, c.reltuples
            FROM pg_stats s
            JOIN pg_class c ON c.oid = (quote_ident(s.schemaname) || '.' || quote_ident(s.tablename))::regclass,
            unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, share)
            WHERE s.schemaname = current_schema() AND s.tablename = %s AND s.attname = 'search_vector'
        ),
        stems AS (
            SELECT t.i, t.term, stem
            FROM unnest(%s::text[]) WITH ORDINALITY AS t(term, i),
            unnest(tsvector_to_array(to_tsvector('dutch', t.term))
                   || tsvector_to_array(to_tsvector('english', t.term))) AS stem
        )
        SELECT t.i, COALESCE(BOOL_OR(l.share > %s AND l.share * l.reltuples > %s), false)
        FROM unnest(%s::text[]) WITH ORDINALITY AS t(term, i)
        LEFT JOIN stems ON stems.i = t.i
        LEFT JOIN lexemes l ON l.lexeme IS NOT NULL AND (
            l.lexeme = stems.stem
            OR (length(t.term) >= %s AND starts_with(l.lexeme, stems.stem))
        )
        GROUP BY t.i ORDER BY t.i
    """  # noqa: E501
    params = [Solution._meta.db_table, terms, COMMON_SHARE, COMMON_MIN, terms, PREFIX_MIN]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return [bool(common) for _, common in cursor.fetchall()]


def _shares_sqlite(db: str, terms: list[str]) -> list[bool]:
    """Whether each term is common, counting its solutions in the FTS5 index only up to the
    bound (a LIMIT per term, one statement for all): a common word costs the bound, not the
    library."""
    table = connections[db].ops.quote_name(Solution._meta.db_table)
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        bound = max(COMMON_MIN, int(cursor.fetchone()[0] * COMMON_SHARE))
        match = f"SELECT 1 FROM {_WORDS_TABLE} WHERE {_WORDS_TABLE} MATCH %s LIMIT %s"  # noqa: S608
        counts = ", ".join(f"(SELECT COUNT(*) FROM ({match}))" for _ in terms)  # noqa: S608
        # A term is letters and digits only (WORD), so quoting it makes a valid FTS5 phrase.
        cursor.execute(f"SELECT {counts}", [p for term in terms for p in (f'"{term}"*', bound + 1)])
        return [count > bound for count in cursor.fetchone()]


def _prefixes(terms: list[str], joiner: str) -> str:
    """A to_tsquery text: each term (a prefix, if long enough), joined by & or |."""
    return f" {joiner} ".join(f"{term}:*" if len(term) >= PREFIX_MIN else term for term in terms)


def _or_query(terms: list[str]) -> SearchQuery:
    text = _prefixes(terms, "|")
    return SearchQuery(text, config="dutch", search_type="raw") | SearchQuery(
        text, config="english", search_type="raw"
    )


def _similar_postgresql(queryset, title_terms, description_terms, limit, common) -> list[Match]:
    everything = _or_query(title_terms + description_terms)
    score = SearchRank(F("search_vector"), everything)
    if title_terms:
        score = score + SearchRank(F("search_vector"), _or_query(title_terms))
    # Candidates are the solutions a telling (not common) word finds; all words score them.
    finding = _or_query([term for term in title_terms + description_terms if term not in common])
    # Ranked over narrow rows (id, name, score); only the best few are read in full.
    best = list(
        queryset.filter(search_vector=finding)
        .annotate(score=score)
        .order_by("-score", "name", "pk")
        .values_list("pk", "score")[:limit]
    )
    found = queryset.in_bulk([pk for pk, _ in best])
    return [Match(found[pk], round(score, 4)) for pk, score in best if pk in found]


# The FTS5 index of every solution's words that similar solutions read on SQLite (migration
# 0005 and its triggers keep it): `name`, and `texts` with all the other searched texts.
_WORDS_TABLE = "solutions_solutionwords"


def _similar_fallback(queryset, title_terms, description_terms, limit, common) -> list[Match]:
    """Word overlap: each word of the proposal that begins a word of a solution scores 1, a
    word of the title 2, doubled again when it begins a word of the solution's name; the score
    is the share of the most a solution could get.

    Every word is two look-ups in the FTS5 index of the solutions' words (in the name; in any
    text): counting the overlap row by row with LIKE took half a second at 10,000 solutions.
    A common word is left out here (it still counts in the most a solution could get): its
    hits, nearly every solution, were most of the work, and limiting them to the solutions
    the telling words find made FTS5 check each hit against that list (far slower still).
    """
    hits, params = [], []
    most = 0
    for index, term in enumerate(title_terms + description_terms):
        weight = 2 if term in title_terms else 1
        most += 2 * weight
        if term in common:
            continue
        # A term is letters and digits only (WORD), so quoting it makes a valid FTS5 phrase.
        for points, match in ((2 * weight, f'name : "{term}"*'), (weight, f'"{term}"*')):
            hits.append(
                f"SELECT rowid AS id, {index} AS term, {points} AS points "  # noqa: S608
                f"FROM {_WORDS_TABLE} WHERE {_WORDS_TABLE} MATCH %s"
            )
            params.append(match)
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
