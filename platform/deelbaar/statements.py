"""SQL written out, for the few hot paths where building a queryset cost more than running it.

Every API request looks up its token, and every backlog page reads the page's criteria and
labels. Through the ORM, building each of those querysets (cloning, resolving names,
compiling) took two to three times as long as the database took to answer (0.8 ms against
0.3 ms a statement on PostgreSQL). The text here holds only table and column names taken from
the models, never a value: values are parameters. Rows become objects through the same
converters the ORM applies (SQLite's datetimes made aware, its booleans), so the objects are
the ORM's own.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def column(model: type[Model], name: str, table: str | None = None) -> str:
    """A field's column, qualified by its table or the alias given: `"table"."column"`."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field), f"{name} is not a column of {model.__name__}"
    return f'"{table or model._meta.db_table}"."{field.column}"'


def columns(model: type[Model], fields: Sequence[str] | None = None) -> str:
    """The columns an object of the model is built from, in `instance`'s order: every one, or
    those of `fields` (names of concrete fields, the primary key among them)."""
    return ", ".join(column(model, field.name) for field in _fields(model, fields))


def placeholders(count: int) -> str:
    """`%s, %s, …`: the parameters of an IN list of this length."""
    return ", ".join(["%s"] * count)


def tuples(statement: str, params: Sequence[Any]) -> list[tuple]:
    """The statement's rows as they come."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def rows(
    statement: str, params: Sequence[Any], converting: Mapping[str, Field] | None = None
) -> list[dict[str, Any]]:
    """The statement's rows as dicts keyed by the names its columns are selected AS; the
    values named in `converting` converted as the ORM converts its field's values."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        names = [description[0] for description in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    database = connections[DEFAULT_DB_ALIAS]
    for name, field in (converting or {}).items():
        converters = _field_converters(database, field, field.model._meta.db_table)
        if converters:
            for row in found:
                for converter, expression in converters:
                    row[name] = converter(row[name], expression, database)
    return found


def instance(model: type[M], values: Sequence[Any], fields: Sequence[str] | None = None) -> M:
    """The object a row of `columns(model, fields)` describes, converted as the ORM converts
    it; with `fields`, the others are deferred (read on use), as `QuerySet.only` leaves them."""
    # The connection itself, looked up once: each attribute read through django.db's
    # `connection` looks it up again (a page's hundred objects spent half their time there).
    database = connections[DEFAULT_DB_ALIAS]
    names = None if fields is None else tuple(fields)
    values = list(values)
    for index, converters in _converters(database, model, names):
        for converter, expression in converters:
            values[index] = converter(values[index], expression, database)
    return model.from_db(database.alias, _attnames(model, names), values)


def objects(values: Sequence[Any], *parts: type[Model] | tuple[type[Model], Sequence[str]]) -> list:
    """The objects one row of joined `columns(...)` describes, part by part in the row's order
    (a part is a model, or a model and the fields read of it). A part whose primary key is
    NULL, an outer join that found nothing, is None."""
    found, start = [], 0
    for part in parts:
        model, fields = part if isinstance(part, tuple) else (part, None)
        names = None if fields is None else tuple(fields)
        width, key = _layout(model, names)
        chunk = values[start : start + width]
        start += width
        found.append(None if chunk[key] is None else instance(model, chunk, names))
    return found


def prefetched(owner: Model, name: str, related: Sequence[Model]) -> None:
    """Give `owner.<name>.all()` these objects, as `prefetch_related(name)` does, so that
    reading them asks nothing more."""
    # The manager's own queryset, filtered on the owner, as a prefetch keeps it: a call
    # chained on it (values_list, filter) asks the database about this owner only.
    queryset = getattr(owner, name).get_queryset()
    queryset._result_cache = list(related)
    queryset._prefetch_done = True
    # And each related object knows its owner without asking, as after a prefetch.
    foreign_key = owner._meta.get_field(name).field  # type: ignore[union-attr]
    for each in related:
        foreign_key.set_cached_value(each, owner)
    if not hasattr(owner, "_prefetched_objects_cache"):
        owner._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    owner._prefetched_objects_cache[name] = queryset  # type: ignore[attr-defined]


def datetime_parameter(value: datetime) -> Any:
    """An aware datetime as the database compares it (SQLite stores UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def _fields(model: type[Model], names: Sequence[str] | None) -> list[Field]:
    every = model._meta.concrete_fields
    if names is None:
        return list(every)
    chosen = [field for field in every if field.name in names]
    assert len(chosen) == len(names), f"not all of {names} are columns of {model.__name__}"
    return chosen


@cache
def _layout(model: type[Model], names: tuple[str, ...] | None) -> tuple[int, int]:
    """How many columns an object takes in a row, and where its primary key is among them."""
    fields = _fields(model, names)
    return len(fields), [field.primary_key for field in fields].index(True)


@cache
def _attnames(model: type[Model], names: tuple[str, ...] | None = None) -> list[str]:
    return [field.attname for field in _fields(model, names)]


def _converters(
    database: BaseDatabaseWrapper, model: type[Model], names: tuple[str, ...] | None
) -> list[tuple[int, list]]:
    # Kept on the connection, and freed with it (the backend's converters are bound to it,
    # and a request under uvicorn has a connection of its own): gathering them again for
    # each object of a page of 20 solutions cost more than the statements.
    known = database.__dict__.setdefault("_deelbaar_converters", {})
    key = (model, names)
    if key not in known:
        found = []
        for index, field in enumerate(_fields(model, names)):
            converters = _field_converters(database, field, model._meta.db_table)
            if converters:
                found.append((index, converters))
        known[key] = found
    return known[key]


def _field_converters(database: BaseDatabaseWrapper, field: Field, table: str) -> list:
    # What SQLCompiler.get_converters gathers for a column: the backend's, then the field's.
    expression = field.get_col(table)
    converters = database.ops.get_db_converters(expression)
    converters += expression.get_db_converters(database)
    return [(converter, expression) for converter in converters]
