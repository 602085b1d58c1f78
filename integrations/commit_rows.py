"""Writing a batch of imported commits and their item links in as few round trips as the
database allows.

On PostgreSQL the rows go in with COPY: into a temporary staging table, and from there into
the commit table with `ON CONFLICT DO NOTHING RETURNING`, so a commit already stored is skipped
by the database itself and the ids of the new ones come back in the same statement. Django's
`bulk_create` spends most of a 1,000-commit batch building model instances and binding 8,000
parameters on the client; COPY streams the values instead, which is what lets a first import
reach the issue's 5,000 commits a second. The links of fresh commits cannot exist yet (the
commits were inserted in this very transaction), so they are copied straight into their table.

Elsewhere (SQLite, the embedded mode) the rows go in with one `executemany` of plain tuples
and `ON CONFLICT DO NOTHING`, then the new ids are read back.

Both must run inside the batch's transaction: the staging table empties itself on commit.
The COPY statements go through psycopg's own cursor, past Django's query wrappers: query
counting in tests (django_assert_num_queries) does not see them.
"""

import json

from django.db import connection

from integrations.models import Commit

COMMITS = Commit._meta.db_table
LINKS = Commit.items.through._meta.db_table
STAGE = "integrations_commit_stage"
COLUMNS = (
    "sha",
    "author_name",
    "author_email",
    "authored_at",
    "committed_at",
    "message",
    "parents",
)


def _values(commit) -> tuple:
    return (
        commit.sha,
        commit.author_name[:300],
        commit.author_email[:300],
        commit.authored_at,
        commit.committed_at,
        commit.message,
        commit.parents,
    )


def insert_commits(repository_id: int, commits) -> dict[str, int]:
    """Store the commits not stored yet; returns the ids of the ones inserted, by SHA."""
    if not commits:
        return {}
    if connection.vendor == "postgresql":
        return _copy_commits(repository_id, commits)
    return _insert_many(repository_id, commits)


def insert_links(pairs) -> None:
    """Link fresh commits to backlog items: (commit id, item id) pairs."""
    pairs = list(pairs)
    if not pairs:
        return
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {LINKS} (commit_id, backlogitem_id) FROM STDIN") as copy,
        ):
            for pair in pairs:
                copy.write_row(pair)
        return
    Through = Commit.items.through
    Through.objects.bulk_create(
        [Through(commit_id=commit_id, backlogitem_id=item_id) for commit_id, item_id in pairs],
        batch_size=1000,
        ignore_conflicts=True,
    )


def _copy_commits(repository_id: int, commits) -> dict[str, int]:
    assert connection.in_atomic_block, "the staging table only lives within a transaction"
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's has no COPY
        raw.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} ("
            "sha varchar(40), author_name varchar(300), author_email varchar(300), "
            "authored_at timestamptz, committed_at timestamptz, message text, parents jsonb"
            ") ON COMMIT DELETE ROWS"
        )
        with raw.copy(f"COPY {STAGE} ({columns}) FROM STDIN") as copy:
            for commit in commits:
                row = _values(commit)
                copy.write_row((*row[:-1], json.dumps(row[-1])))
        # Table and column names are this module's constants, never input.
        raw.execute(
            f"INSERT INTO {COMMITS} (repository_id, {columns}) "  # noqa: S608
            f"SELECT %s, {columns} FROM {STAGE} "
            "ON CONFLICT (repository_id, sha) DO NOTHING RETURNING sha, id",
            [repository_id],
        )
        inserted = dict(raw.fetchall())
        # Emptied on commit anyway; emptied now too, for a second batch in the same transaction.
        raw.execute(f"TRUNCATE {STAGE}")
    return inserted


def _insert_many(repository_id: int, commits) -> dict[str, int]:
    shas = [c.sha for c in commits]
    known = set(
        Commit.objects.filter(repository_id=repository_id, sha__in=shas).values_list(
            "sha", flat=True
        )
    )
    fresh = [c for c in commits if c.sha not in known]
    if not fresh:
        return {}
    # Plain rows rather than model instances: building 1,000 instances costs more than the
    # insert. Values are adapted as Django's SQLite backend stores them.
    ops = connection.ops
    rows = [
        (
            repository_id,
            *values[:3],
            ops.adapt_datetimefield_value(values[3]),
            ops.adapt_datetimefield_value(values[4]),
            values[5],
            json.dumps(values[6]),
        )
        for values in map(_values, fresh)
    ]
    columns = ", ".join(COLUMNS)
    placeholders = ", ".join(["%s"] * (len(COLUMNS) + 1))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {COMMITS} (repository_id, {columns}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT (repository_id, sha) DO NOTHING",
            rows,
        )
    return dict(
        Commit.objects.filter(
            repository_id=repository_id, sha__in=[c.sha for c in fresh]
        ).values_list("sha", "pk")
    )
