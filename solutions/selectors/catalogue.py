"""The public catalogue: search, facets, sorting and pages; the solution page; similar solutions.

Facets are *disjunctive*: the counts of one facet are taken over the list filtered by the
search and by every **other** facet, not by its own selection. Ticking "beta" therefore leaves
"stable" in the status facet with the number of solutions that ticking it as well would add,
and values within one facet combine with OR, facets with AND. So, for every facet:

- with nothing ticked in it, a value's count is the number of solutions in the list that have
  that value (for the single-valued facets the counts add up to the list's length; a solution
  has several categories, and not every one has a `developed_by`);
- with values ticked in it, a value's count is the length the list would have if only that
  value were ticked there.

A catalogue costs the same queries whatever the size of the library: the count and the page
(with its categories), one GROUP BY per facet (on PostgreSQL one pass for the total and every
single-valued facet, with GROUPING SETS), and one look-up per cooperative or developer
filter given, to check that it exists. The count and the facets are kept in the cache under
the library's token (migration 0009), which the database changes with every change to what
they count: until then a listing reads only its page.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    TextChoices,
    prefetch_related_objects,
)
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cooperative.models import Cooperative, Organisation
from deelbaar import statements
from deelbaar.errors import DomainError, NotFound
from deelbaar.input import page_number
from solutions import search
from solutions.models import Category, DevelopmentStatus, Solution, SolutionCategory

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
QUERY_MAX_LENGTH = 200
# The most frequent values a facet shows (ticked ones are always shown).
FACET_LIMIT = 25
# At most this many values ticked in one facet.
MAX_VALUES = 50
SIMILAR_TITLE_MAX_LENGTH = 200
SIMILAR_DESCRIPTION_MAX_LENGTH = 10_000
SIMILAR_LIMIT_MAX = 20
# The counts of one search and selection are kept this long at most (seconds); a change to
# the library makes them unreachable at once (a new token, migration 0009).
COUNTS_TIMEOUT = 3600

logger = logging.getLogger(__name__)

LICENCE = re.compile(r"^[A-Za-z0-9.+\-() ]{1,200}$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")


class Sort(TextChoices):
    RELEVANCE = "relevance", _("relevance")
    NEWEST = "newest", _("newest first")
    MOST_ADOPTED = "most_adopted", _("most adopted")
    NAME = "name", _("name")


# The facets, in the order pages show them, with their labels.
FACETS = {
    "status": _("Development status"),
    "category": _("Category"),
    "licence": _("Licence"),
    "cooperative": _("Cooperative"),
    "developed_by": _("Developed by"),
}

_STATUS_ORDER = {value: index for index, value in enumerate(DevelopmentStatus.values)}
# Lazy labels, translated only for the values a facet shows.
_STATUS_LABELS: dict[str, "StrOrPromise"] = dict(DevelopmentStatus.choices)
_CATEGORY_LABELS: dict[str, "StrOrPromise"] = dict(Category.choices)

# A row of the catalogue's statement: (facet, value, label, count). What each column holds
# depends on the facet (the page's rows carry an id and its place), so the database driver's
# rows are taken as they come.
_Row: TypeAlias = tuple[Any, ...]
# Per facet, per value: (its label where the statement names it, how many solutions).
_Counted: TypeAlias = dict[str, dict[str, tuple[str | None, int]]]
# The counts by status: facet -> value -> (label, {status: count}); see `_counts`.
_ByStatus: TypeAlias = dict[str, dict[str, tuple[str | None, dict[str, int]]]]


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Catalogue:
    query: str
    sort: str
    filters: dict[str, tuple[str, ...]]
    page: Page[Solution]
    facets: dict[str, list[FacetValue]]

    @property
    def solutions(self) -> list[Solution]:
        return list(self.page.object_list)

    @property
    def count(self) -> int:
        return self.page.paginator.count


@dataclass
class _Selection:
    """The validated filters, with what each needs to filter and to be labelled."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cooperatives: dict[str, tuple[int, str]] = field(default_factory=dict)  # slug: (id, name)
    developers: dict[str, tuple[int, str]] = field(default_factory=dict)


# --- Validation ----------------------------------------------------------------------------
def _values(name: str, raw: str | Iterable[object] | None) -> tuple[str, ...]:
    """The distinct non-empty values given for a filter (a list, or one comma-separated)."""
    if isinstance(raw, str):
        raw = [raw]
    values: list[str] = []
    for item in raw or ():
        for value in str(item).split(","):
            value = value.strip()
            if value and value not in values:
                values.append(value)
    if len(values) > MAX_VALUES:
        raise DomainError(
            _("Choose at most %(max)d values for this filter.") % {"max": MAX_VALUES},
            field=name,
            code="too_many",
        )
    return tuple(values)


def _refuse(name: str, value: str, message: "StrOrPromise") -> DomainError:
    return DomainError(message % {"value": value}, field=name, code="invalid_choice")


def _select(filters: Mapping[str, Iterable[str]] | None) -> _Selection:
    selection = _Selection()
    for name, raw in (filters or {}).items():
        if name not in FACETS:
            raise DomainError(
                _("“%(name)s” is not a filter of the catalogue; use one of: %(names)s.")
                % {"name": name, "names": ", ".join(FACETS)},
                field=name,
                code="unknown_filter",
            )
        values = _values(name, raw)
        if values:
            selection.values[name] = values
    _check_choices(selection)
    _find_owners(selection)
    return selection


def _check_choices(selection: _Selection) -> None:
    """Each value of the facets with a fixed set of choices is one of them; the first that
    is not is refused."""
    checks: tuple[tuple[str, Callable[[str], object], StrOrPromise], ...] = (
        (
            "status",
            lambda value: value in DevelopmentStatus.values,
            _("“%(value)s” is not a development status; use one of: ")
            + ", ".join(DevelopmentStatus.values)
            + ".",
        ),
        (
            "category",
            lambda value: value in Category.values,
            _("“%(value)s” is not a category of publiccode.yml."),
        ),
        (
            "licence",
            LICENCE.match,
            _("“%(value)s” is not a licence (SPDX) expression."),
        ),
    )
    for name, valid, message in checks:
        for value in selection.values.get(name, ()):
            if not valid(value):
                raise _refuse(name, value, message)


def _find_owners(selection: _Selection) -> None:
    """The cooperatives and developers chosen by slug, each found (pk and name kept for the
    facets), or the first missing one refused."""
    for name, model, target, message in (
        ("cooperative", Cooperative, "cooperatives", _("There is no cooperative “%(value)s”.")),
        (
            "developed_by",
            Organisation,
            "developers",
            _("There is no organisation “%(value)s”."),
        ),
    ):
        slugs = selection.values.get(name, ())
        for value in slugs:
            if not SLUG.match(value):
                raise _refuse(name, value, message)
        if slugs:
            found = {
                slug: (pk, label)
                for pk, slug, label in model.objects.filter(slug__in=slugs).values_list(
                    "pk", "slug", "name"
                )
            }
            missing = [slug for slug in slugs if slug not in found]
            if missing:
                raise _refuse(name, missing[0], message)
            setattr(selection, target, found)


def _sort(sort: str | None, query: str) -> str:
    if not sort:
        return Sort.RELEVANCE.value if search.words(query, 1) else Sort.NAME.value
    if sort not in Sort.values:
        raise DomainError(
            _("“%(value)s” is not a way to sort; use one of: %(choices)s.")
            % {"value": sort, "choices": ", ".join(Sort.values)},
            field="sort",
            code="invalid_choice",
        )
    return sort


def _query(query: str | None) -> str:
    query = (query or "").strip()
    if len(query) > QUERY_MAX_LENGTH:
        raise DomainError(
            _("Search for at most %(max)d characters.") % {"max": QUERY_MAX_LENGTH},
            field="q",
            code="max_length",
        )
    return query


def _whole_number(name: str, value: str | int, minimum: int = 1) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum:
        raise DomainError(
            _("“%(value)s” is not a whole number of at least %(min)d.")
            % {"value": value, "min": minimum},
            field=name,
            code="invalid",
        )
    return number


# --- Filtering and counting ----------------------------------------------------------------
def _conditions(selection: _Selection) -> dict[str, Q]:
    """Each ticked facet's condition, by facet name."""
    values = selection.values
    conditions: dict[str, Q] = {}
    if "status" in values:
        conditions["status"] = Q(development_status__in=values["status"])
    if "category" in values:
        conditions["category"] = Q(
            Exists(
                SolutionCategory.objects.filter(
                    solution=OuterRef("pk"), category__in=values["category"]
                )
            )
        )
    if "licence" in values:
        conditions["licence"] = Q(licence__in=values["licence"])
    if selection.cooperatives:
        conditions["cooperative"] = Q(
            cooperative_id__in=[pk for pk, _ in selection.cooperatives.values()]
        )
    if selection.developers:
        conditions["developed_by"] = Q(
            developed_by_id__in=[pk for pk, _ in selection.developers.values()]
        )
    return conditions


# The single-valued facets: the column of the matched rows `m` counted, and for those shown by
# name, the table their ids point to (joined after counting, so only one row per value is).
_GROUPS = {
    "status": ("development_status", None),
    "licence": ("licence", None),
    "cooperative": ("cooperative_id", "cooperative_cooperative"),
    "developed_by": ("developed_by_id", "cooperative_organisation"),
}
_OTHER_GROUPS = {name: group for name, group in _GROUPS.items() if name != "status"}
_SQL_ORDER: dict[str, str] = {
    Sort.RELEVANCE: "rank DESC, name, id",
    Sort.NEWEST: "created_at DESC, id DESC",
    Sort.MOST_ADOPTED: "adoption_count DESC, name, id",
    Sort.NAME: "name, id",
}
# The columns each sort needs besides the id (the narrower `m`, the cheaper its every pass).
_SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    Sort.RELEVANCE: ("rank", "name"),
    Sort.NEWEST: ("created_at",),
    Sort.MOST_ADOPTED: ("adoption_count", "name"),
    Sort.NAME: ("name",),
}


def _counts_key(token: str, query: str, selection: _Selection) -> str:
    """The cache key of the counts of one search and selection in one state of the library
    (its token, see migration 0009): neither the sort nor the page changes them, nor the
    statuses ticked (the counts are kept by status, `_counts`)."""
    wanted = json.dumps(
        [
            query,
            sorted(
                (name, sorted(values))
                for name, values in selection.values.items()
                if name != "status"
            ),
        ]
    )
    return f"catalogue-counts:{token}:{hashlib.sha256(wanted.encode()).hexdigest()}"


def _cached(key: str) -> _ByStatus | None:
    try:
        counts: _ByStatus | None = cache.get(key)
        return counts
    except Exception:
        # The cache is a shortcut: without it the counts are made as before.
        logger.warning("catalogue: the cache could not be read", exc_info=True)
        return None


def _cache(key: str, value: _ByStatus) -> None:
    try:
        cache.set(key, value, COUNTS_TIMEOUT)
    except Exception:
        logger.warning("catalogue: the cache could not be written", exc_info=True)


class _Where(Protocol):
    """The WHERE clause over `m` of every ticked facet's condition, but those left out's."""

    def __call__(self, *leave_out: str) -> str: ...


# The statuses are a dimension of the counts rather than a filter of them: every count is
# kept by status, over the rows the other facets' conditions let through, and the statuses
# ticked only pick which to add up (`_counts`). Ticking a status, the first thing most
# searches go on to, then finds the counts of the search it refines in the cache.
_STATUS = "m.development_status"


def _count_parts(where: _Where, one_pass: bool) -> list[str]:
    """The parts of the statement that count: each facet's values by status, every facet
    over the list filtered by the other facets but the statuses. Rows: (facet, value, label,
    status, count)."""

    # Every piece put into the SQL text is a constant of this module (facet names, columns,
    # tables); the values given travel as parameters.
    def counting(*leave_out: str) -> str:
        return where("status", *leave_out)

    parts = [_single_valued_in_one_pass(counting)] if one_pass else _single_valued_each(counting)
    # Only the categories of the matches (m holds each solution once).
    parts.append(
        f"SELECT 'category', sc.category, NULL, {_STATUS}, COUNT(*) "  # noqa: S608
        f"FROM solutions_solutioncategory sc JOIN m ON m.id = sc.solution_id "
        f"{counting('category')} GROUP BY sc.category, {_STATUS}"
    )
    return parts


def _single_valued_each(counting: _Where) -> list[str]:
    parts = [
        f"SELECT 'status', {_STATUS}, NULL, {_STATUS}, COUNT(*) "  # noqa: S608
        f"FROM m {counting()} GROUP BY {_STATUS}"
    ]
    for name, (column, table) in _OTHER_GROUPS.items():
        grouped = (
            f"SELECT m.{column} AS value, {_STATUS} AS status, COUNT(*) AS n "  # noqa: S608
            f"FROM m {counting(name)} GROUP BY m.{column}, {_STATUS}"
        )
        if table is None:
            parts.append(
                f"SELECT '{name}', g.value, NULL, g.status, g.n FROM ({grouped}) g"  # noqa: S608
            )
        else:
            parts.append(
                f"SELECT '{name}', t.slug, t.name, g.status, g.n FROM ({grouped}) g "  # noqa: S608
                f"JOIN {table} t ON t.id = g.value"
            )
    return parts


def _single_valued_in_one_pass(counting: _Where) -> str:
    """Every single-valued facet's counts by status in one pass over `m` (PostgreSQL's
    GROUPING SETS), each facet counting the rows the other facets' conditions let through
    (FILTER). A pass per facet was a third of a first search's counting at 8,000 matches.
    The same rows as `_single_valued_each`'s: no value counted 0."""

    def passing(*leave_out: str) -> str:
        return counting(*leave_out).removeprefix("WHERE ") or "TRUE"

    columns = {name: f"m.{column}" for name, (column, _) in _OTHER_GROUPS.items()}
    facet = " ".join(f"WHEN GROUPING({c}) = 0 THEN '{name}'" for name, c in columns.items())
    count = " ".join(
        f"WHEN GROUPING({c}) = 0 THEN COUNT(*) FILTER (WHERE {passing(name)})"
        for name, c in columns.items()
    )
    plain = [name for name, (_, table) in _OTHER_GROUPS.items() if table is None]
    named = {name: table for name, (_, table) in _OTHER_GROUPS.items() if table is not None}
    sets = ", ".join([f"({_STATUS})", *(f"({_STATUS}, {c})" for c in columns.values())])
    grouped = (
        f"SELECT CASE {facet} ELSE 'status' END AS facet, "  # noqa: S608
        f"COALESCE({', '.join(columns[name] for name in plain)}, {_STATUS}) AS value, "
        f"COALESCE({', '.join(columns[name] for name in named)}) AS ref, "
        f"{_STATUS} AS status, "
        f"CASE {count} ELSE COUNT(*) FILTER (WHERE {passing()}) END AS n "
        f"FROM m GROUP BY GROUPING SETS ({sets})"
    )
    # The facets shown by name take it from their table (a NULL reference has none).
    joins = " ".join(
        f"LEFT JOIN {table} t{index} ON g.facet = '{name}' AND t{index}.id = g.ref"
        for index, (name, table) in enumerate(named.items())
    )
    found = " OR ".join(f"t{index}.id IS NOT NULL" for index in range(len(named)))
    shown = ", ".join(f"'{name}'" for name in ["status", *plain])
    return (
        f"SELECT g.facet, COALESCE({', '.join(f't{i}.slug' for i in range(len(named)))}, "  # noqa: S608
        f"g.value), COALESCE({', '.join(f't{i}.name' for i in range(len(named)))}), "
        f"g.status, g.n FROM ({grouped}) g {joins} "
        f"WHERE g.n > 0 AND (g.facet IN ({shown}) OR {found})"
    )


def _page_and_token(rows: Iterable[_Row]) -> tuple[list[int], str]:
    page: list[tuple[int, int]] = []
    token = ""
    for facet, value, _label, count in rows:
        if facet == "page":
            page.append((count, int(value)))
        elif facet == "token":
            token = value or ""
    return [pk for _, pk in sorted(page)], token


def _by_status(rows: Iterable[_Row]) -> _ByStatus:
    """The counting statement's rows (facet, value, label, status, count), by facet, value and
    status."""
    counts: _ByStatus = {name: {} for name in FACETS}
    for facet, value, label, status, count in rows:
        if facet in counts and value is not None:
            counts[facet].setdefault(value, (label, {}))[1][status] = count
    return counts


def _counts(counts: _ByStatus, statuses: Iterable[str]) -> tuple[int, _Counted]:
    """The list's length and each facet's counts for the statuses ticked (any, when none).

    The status facet counts every status, as a facet counts over the list filtered by the
    other facets only; the other facets, and the length, count the statuses ticked."""
    ticked = set(statuses)

    def added(by_status: dict[str, int]) -> int:
        return sum(n for status, n in by_status.items() if not ticked or status in ticked)

    counted: _Counted = {name: {} for name in FACETS}
    for facet, values in counts.items():
        for value, (label, by_status) in values.items():
            count = sum(by_status.values()) if facet == "status" else added(by_status)
            if count:
                counted[facet][value] = (label, count)
    total = added({status: count for status, (_, count) in counted["status"].items()})
    return total, counted


def _count_and_page(
    query: str, selection: _Selection, sort: str, offset: int, limit: int
) -> tuple[int, _Counted, list[int]]:
    """The length of the list, every facet's counts (each over the list filtered by the other
    facets) and the ids of the page.

    The counts pass over every matching solution; the page alone needs only the first rows
    in its order (an index on PostgreSQL). So the counts are kept in the cache under the
    library's token, which the database changes with every change that could change them
    (migration 0009): the page is read with the token, and only when the cache holds no
    counts for that token are they made (over the matches without their rank: the page
    is not read again), under a token read with them, and kept, by status: the same search
    with other statuses ticked adds up the kept counts (`_counts`). One statement, or two the
    first time after a change.

    Returns (total, {facet: {value: (label, count)}}, [ids of the page, in order]).
    """
    conditions = _conditions(selection)
    flags = {
        f"ok_{name}": ExpressionWrapper(condition, output_field=BooleanField())
        for name, condition in conditions.items()
    }
    searching = bool(search.words(query, 1))
    matched = search.matching(search.searched(query), query)
    best = search.best(matched, query) if sort == Sort.RELEVANCE else None
    groups = [column for column, _ in _GROUPS.values()]
    # Ranking costs a pass over every match: only when the list is sorted by it, and never
    # for the counts.
    ranked = search.with_rank(matched, query) if sort == Sort.RELEVANCE else matched
    inner = ranked.annotate(**flags).values("id", *groups, *_SORT_COLUMNS[sort], *flags)
    inner_sql, inner_params = inner.order_by().query.sql_with_params()

    def where(*leave_out: str) -> str:
        parts = [f"m.ok_{name}" for name in conditions if name not in leave_out]
        return f"WHERE {' AND '.join(parts)}" if parts else ""

    order = _SQL_ORDER[sort]
    ctes, params = f"m AS ({inner_sql})", [*inner_params]
    page_params: list[Any] = []
    page_rows = f"SELECT m.* FROM m {where()}"  # noqa: S608
    if best is not None:
        # The best matches (every word in the name) rank above all others: when the first
        # offset + limit of them, by name, are there, the page is theirs and nothing else is
        # ranked (the other half of the UNION is cut off by its one-time condition).
        best_rows, best_rank = best
        best_sql, best_params = (
            best_rows.annotate(**flags).values("id", "name", *flags).order_by().query
        ).sql_with_params()
        ctes += (
            f", b AS ({best_sql}), bp AS (SELECT m.id, m.name FROM b m {where()} "  # noqa: S608
            "ORDER BY m.name, m.id LIMIT %s)"
        )
        params += [*best_params, offset + limit]
        page_rows = (
            "SELECT bp.id, CAST(%s AS REAL) AS rank, bp.name FROM bp "  # noqa: S608
            "WHERE (SELECT COUNT(*) FROM bp) = %s UNION ALL "
            f"SELECT a.* FROM (SELECT m.id, m.rank, m.name FROM m {where()}) a "
            "WHERE (SELECT COUNT(*) FROM bp) < %s"
        )
        page_params += [best_rank, offset + limit, offset + limit]
    # The page's rows are found with a LIMIT (a top-N sort), then numbered among themselves.
    page_part = (
        "SELECT 'page', CAST(page.id AS TEXT), NULL, "  # noqa: S608
        f"ROW_NUMBER() OVER (ORDER BY {order}) FROM ("
        f"SELECT u.* FROM ({page_rows}) u ORDER BY {order} LIMIT %s OFFSET %s) page"
    )
    page_params += [limit, offset]
    version_part = (
        "SELECT 'token', (SELECT token FROM solutions_catalogue_version WHERE id = 1), NULL, NULL"
    )
    connection = connections[Solution.objects.db]
    hinted = connection.vendor == "postgresql" and searching

    def run(ctes: str, values: list[Any], parts: list[str]) -> list[_Row]:
        sql = f"WITH {ctes} " + " UNION ALL ".join(parts)
        if hinted:
            # PostgreSQL overestimates how many rows an OR of Dutch, English and prefix
            # queries matches, and so scans the whole table instead of the GIN index (two to
            # three times slower at 10,000 solutions). The hint holds for this statement
            # only: the three statements run as one implicit transaction, and RESET ends it
            # inside a transaction.
            sql = f"SET LOCAL enable_seqscan = off; {sql}; RESET enable_seqscan"
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            if hinted:
                cursor.nextset()
            rows: list[_Row] = cursor.fetchall()
            return rows

    # The page first: a count over the whole list only when the cache has none for this state.
    ids, token = _page_and_token(run(ctes, [*params, *page_params], [page_part, version_part]))
    statuses = selection.values.get("status", ())
    counts = _cached(_counts_key(token, query, selection))
    if counts is not None:
        total, counted = _counts(counts, statuses)
        return total, counted, ids
    # The page just read stays the page (counting it again cost as much as reading it), and
    # the counts need no rank: their matches are the same rows with fewer columns.
    counted_sql, counted_params = (
        matched.annotate(**flags).values("id", *groups, *flags).order_by().query
    ).sql_with_params()
    rows = run(
        f"m AS ({counted_sql})",
        [*counted_params],
        [*_count_parts(where, one_pass=connection.vendor == "postgresql"), f"{version_part}, NULL"],
    )
    token = next((value for facet, value, *_ in rows if facet == "token"), None) or ""
    counts = _by_status(rows)
    # Under the token read in the same statement as the counts: they belong to that state.
    _cache(_counts_key(token, query, selection), counts)
    total, counted = _counts(counts, statuses)
    return total, counted, ids


def _facet(
    name: str, counted: dict[str, tuple[str | None, int]], selection: _Selection
) -> list[FacetValue]:
    """A facet's values: the most frequent (statuses in their life-cycle order), and every
    ticked one, with 0 if the list has none."""
    selected = selection.values.get(name, ())
    facet_labels: dict[str, Mapping[str, StrOrPromise]] = {
        "cooperative": {slug: label for slug, (_, label) in selection.cooperatives.items()},
        "developed_by": {slug: label for slug, (_, label) in selection.developers.items()},
        "status": _STATUS_LABELS,
        "category": _CATEGORY_LABELS,
    }
    labels = facet_labels.get(name, {})
    counts = {value: count for value, (_, count) in counted.items()}
    for value in selected:
        counts.setdefault(value, 0)
    label = {
        value: (counted.get(value, (None, 0))[0] or str(labels.get(value, value)))
        for value in counts
    }
    if name == "status":
        ordered = sorted(counts, key=lambda value: _STATUS_ORDER.get(value, 99))
    else:
        ordered = sorted(counts, key=lambda value: (-counts[value], label[value]))
        shown = set(ordered[:FACET_LIMIT]) | set(selected)
        ordered = [value for value in ordered if value in shown]
    return [FacetValue(value, label[value], counts[value], value in selected) for value in ordered]


# What a listed solution shows, on the page and in the API (SolutionSummarySerializer), and
# of its cooperative and developer: the rest (long descriptions, features, the search vector,
# publiccode's lists) more than doubled the statement and the objects built from it.
LISTED = (
    "id",
    "cooperative",
    "developed_by",
    "slug",
    "name",
    "short_description_nl",
    "short_description_en",
    "development_status",
    "licence",
    "adoption_count",
    "created_at",
)
LISTED_NAMED = ("id", "name", "slug")


def _listed(ids: list[int]) -> dict[int, Solution]:
    """The page's solutions by id with what a listing shows (`LISTED`, other fields read on
    use), their cooperative, developer and categories: two statements written out
    (docs/decisions/0008: through in_bulk and a prefetch a page of 20 cost 3.3 ms)."""
    holes = statements.placeholders(len(ids))
    found: dict[int, Solution] = {}
    for values in statements.tuples(_LISTED_SOLUTIONS.format(ids=holes), ids):
        solution, solution.cooperative, solution.developed_by = statements.objects(
            values, (Solution, LISTED), (Cooperative, LISTED_NAMED), (Organisation, LISTED_NAMED)
        )
        found[solution.pk] = solution
    categories: dict[int, list[SolutionCategory]] = {pk: [] for pk in found}
    for values in statements.tuples(_LISTED_CATEGORIES.format(ids=holes), ids):
        category = statements.instance(SolutionCategory, values)
        if category.solution_id in categories:  # not a solution removed between the two
            categories[category.solution_id].append(category)
    for pk, solution in found.items():
        statements.prefetched(solution, "categories", categories[pk])
    return found


_LISTED_SOLUTIONS = (
    f"SELECT {statements.columns(Solution, LISTED)}, "  # noqa: S608
    f"{statements.columns(Cooperative, LISTED_NAMED)}, "
    f"{statements.columns(Organisation, LISTED_NAMED)} "
    f'FROM "{Solution._meta.db_table}" INNER JOIN "{Cooperative._meta.db_table}" '
    f"ON {statements.column(Solution, 'cooperative')} = {statements.column(Cooperative, 'id')} "
    f'LEFT OUTER JOIN "{Organisation._meta.db_table}" '
    f"ON {statements.column(Solution, 'developed_by')} = "
    f"{statements.column(Organisation, 'id')} "
    f"WHERE {statements.column(Solution, 'id')} IN ({{ids}})"
)
# In the categories' own order (SolutionCategory.Meta.ordering), as a prefetch reads them.
_LISTED_CATEGORIES = (
    f"SELECT {statements.columns(SolutionCategory)} "  # noqa: S608
    f'FROM "{SolutionCategory._meta.db_table}" '
    f"WHERE {statements.column(SolutionCategory, 'solution')} IN ({{ids}}) "
    f"ORDER BY {statements.column(SolutionCategory, 'category')}"
)


def catalogue(
    query: str = "",
    filters: Mapping[str, Iterable[str]] | None = None,
    sort: str | None = None,
    *,
    page: str | int | None = 1,
    page_size: str | int = PAGE_SIZE,
) -> Catalogue:
    """A page of the public catalogue and its facets with counts.

    `filters` maps facet names (`FACETS`) to the values ticked (a list, or comma-separated);
    cooperatives and developers by their slugs. `sort` is one of `Sort` (relevance when there
    is a search text, otherwise name). Anything unknown is refused with a DomainError naming
    the parameter (q, sort, a facet, page, page_size); a page past the last is NotFound.

    Three queries (and one per cooperative or developer filter, to check it): the page's ids
    with the library's token (and, when the cache has no counts for that token, the length
    and the facets in one pass with them: a fourth); the page's solutions; their categories.
    The page's solutions carry what a listing shows (`LISTED`); another field is read on use.
    """
    query = _query(query)
    sort = _sort(sort, query)
    try:
        number = page_number(page)
    except ValueError as error:
        raise DomainError(str(error), field="page", code="invalid") from None
    page_size = _whole_number("page_size", page_size)
    if page_size > MAX_PAGE_SIZE:
        raise DomainError(
            _("A number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE},
            field="page_size",
            code="invalid",
        )
    selection = _select(filters)

    total, counted, ids = _count_and_page(
        query, selection, sort, offset=(number - 1) * page_size, limit=page_size
    )
    paginator: Paginator[Solution] = Paginator([], page_size)
    paginator.count = total  # counted above, in the same pass as the facets
    try:
        number = paginator.validate_number(number)
    except EmptyPage:
        raise NotFound(
            _("There is no page %(page)d of this list.") % {"page": number}, field="page"
        ) from None
    found = _listed(ids) if ids else {}
    shown = Page([found[pk] for pk in ids if pk in found], number, paginator)
    facets = {name: _facet(name, counted[name], selection) for name in FACETS}
    return Catalogue(
        query=query, sort=sort, filters=dict(selection.values), page=shown, facets=facets
    )


# --- The solution page ---------------------------------------------------------------------
def solution_detail(slug: str) -> Solution:
    """One solution with everything its page shows about itself; NotFound if there is none."""
    solution = (
        Solution.objects.select_related("cooperative", "developed_by", "source_product")
        .prefetch_related("categories")
        .filter(slug=slug)
        .first()
    )
    if solution is None:
        raise NotFound(_("There is no solution “%(slug)s” in the library.") % {"slug": slug})
    return solution


# --- Similar solutions ---------------------------------------------------------------------
@dataclass(frozen=True)
class SimilarSolution:
    """An existing solution like a proposal, with how alike they are (higher is more)."""

    solution: Solution
    score: float

    @property
    def name(self) -> str:
        return self.solution.name

    @property
    def slug(self) -> str:
        return self.solution.slug

    @property
    def short_description(self) -> str:
        return self.solution.short_description(get_language() or "nl")

    def get_absolute_url(self) -> str:
        return reverse("solutions:detail", kwargs={"slug": self.solution.slug})

    def __str__(self) -> str:
        return self.solution.name


def similar_to(title: str, description: str = "", limit: int = 5) -> list[SimilarSolution]:
    """The existing solutions most like a proposed title and description, best first.

    Only the first words count, so long texts are cut rather than refused (the API refuses
    them, naming the parameter); `limit` is at most SIMILAR_LIMIT_MAX.
    """
    title = (title or "")[:SIMILAR_TITLE_MAX_LENGTH]
    description = (description or "")[:SIMILAR_DESCRIPTION_MAX_LENGTH]
    limit = min(_whole_number("limit", limit), SIMILAR_LIMIT_MAX)
    solutions = Solution.objects.select_related("cooperative", "developed_by")
    matches = search.similar(solutions, title, description, limit)
    prefetch_related_objects([match.solution for match in matches], "categories")
    return [SimilarSolution(match.solution, match.score) for match in matches]
