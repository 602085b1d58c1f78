"""A narrow copy of each solution for the catalogue's search (PostgreSQL only).

A search ranks every solution it matches to find its page; one word matches 2,000 to 8,000 of
10,000 solutions, and reading them from `solutions_solution` meant visiting three quarters of
its heap, whose rows are nearly 2 KB wide (long descriptions, features, the search vector):
10 to 35 ms for the page statement alone. A row smaller than PostgreSQL's 2 KB threshold is
never moved to TOAST, whatever the table's storage settings, so the wide columns cannot be
pushed out of the way; instead `solutions_catalogue_row` holds just what the catalogue's
statement reads (the facet and sort columns, the name and short descriptions lowercased as the
rank reads them, and `search_text`, the distinct words of migration 0011, with its trigram index):
about a quarter of the blocks, and the page statement twice as fast. A trigram index on its
lowercased names finds the matches that rank first, those with every word in the name: when
they fill the page, the other matches are not ranked at all.

Triggers keep it, in the transaction of the change: after an insert, a delete, a truncate,
and an update that changes one of the copied columns (`search_text` included, which the search
trigger of 0011 writes before the row is stored). `solutions.models.CatalogueRow` reads it
(unmanaged: SQLite has no such table, its search reads the solutions themselves).
"""

from django.db import migrations, models

TABLE = "solutions_catalogue_row"
# Each column of the copy and what it holds of the solution's row: the name, and the name and
# short descriptions lowercased as the rank reads them (solutions.search._texts), so that ranking
# thousands of matches calls lower() on none of them (it was two thirds of the rank's cost).
COPIED = {
    "id": "{row}.id",
    "name": "{row}.name",
    "name_lower": "lower({row}.name)",
    "short_lower": "lower({row}.short_description_nl || ' ' || {row}.short_description_en)",
    "search_text": "{row}.search_text",
    "development_status": "{row}.development_status",
    "licence": "{row}.licence",
    "cooperative_id": "{row}.cooperative_id",
    "developed_by_id": "{row}.developed_by_id",
    "created_at": "{row}.created_at",
    "adoption_count": "{row}.adoption_count",
}
# The solution's columns the copy is made of: a change of one of them writes the copy again.
SOURCES = (
    "id, name, short_description_nl, short_description_en, search_text, development_status, "
    "licence, cooperative_id, developed_by_id, created_at, adoption_count"
)
_ALL = ", ".join(COPIED)
_SET = ", ".join(f"{column} = EXCLUDED.{column}" for column in list(COPIED)[1:])


def _values(row):
    return ", ".join(value.format(row=row) for value in COPIED.values())


def _sources(row):
    return ", ".join(f"{row}.{column.strip()}" for column in SOURCES.split(","))


CREATE = [
    f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        id bigint PRIMARY KEY,
        name varchar(200) NOT NULL,
        name_lower text NOT NULL,
        short_lower text NOT NULL,
        search_text text,
        development_status varchar(20) NOT NULL,
        licence varchar(200) NOT NULL,
        cooperative_id bigint NOT NULL,
        developed_by_id bigint,
        created_at timestamp with time zone NOT NULL,
        adoption_count integer NOT NULL
    )
    """,
    f"""
    CREATE OR REPLACE FUNCTION solutions_catalogue_row_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE {TABLE};
            RETURN NULL;
        END IF;
        IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
            DELETE FROM {TABLE} WHERE id = OLD.id;
            IF TG_OP = 'DELETE' THEN
                RETURN NULL;
            END IF;
        END IF;
        INSERT INTO {TABLE} ({_ALL}) VALUES ({_values("NEW")})
        ON CONFLICT (id) DO UPDATE SET {_SET};
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS solutions_catalogue_row_kept ON solutions_solution",
    "CREATE TRIGGER solutions_catalogue_row_kept AFTER INSERT OR DELETE ON solutions_solution "
    "FOR EACH ROW EXECUTE FUNCTION solutions_catalogue_row_kept()",
    "DROP TRIGGER IF EXISTS solutions_catalogue_row_kept_update ON solutions_solution",
    # Only when a copied column changed (an edit of the long descriptions changes search_text).
    "CREATE TRIGGER solutions_catalogue_row_kept_update AFTER UPDATE ON solutions_solution "
    f"FOR EACH ROW WHEN (({_sources('OLD')}) IS DISTINCT FROM ({_sources('NEW')})) "
    "EXECUTE FUNCTION solutions_catalogue_row_kept()",
    "DROP TRIGGER IF EXISTS solutions_catalogue_row_kept_truncate ON solutions_solution",
    "CREATE TRIGGER solutions_catalogue_row_kept_truncate AFTER TRUNCATE ON solutions_solution "
    "FOR EACH STATEMENT EXECUTE FUNCTION solutions_catalogue_row_kept()",
    f"INSERT INTO {TABLE} ({_ALL}) SELECT {_values('s')} FROM solutions_solution s "
    "ON CONFLICT (id) DO NOTHING",
    f"CREATE INDEX IF NOT EXISTS solutions_catalogue_row_trgm ON {TABLE} "
    "USING gin (search_text gin_trgm_ops)",
    # The matches with every word in their name rank first (solutions.search.best).
    f"CREATE INDEX IF NOT EXISTS solutions_catalogue_row_name_trgm ON {TABLE} "
    "USING gin (name_lower gin_trgm_ops)",
    f"ANALYZE {TABLE}",
]

DROP = [
    "DROP TRIGGER IF EXISTS solutions_catalogue_row_kept_truncate ON solutions_solution",
    "DROP TRIGGER IF EXISTS solutions_catalogue_row_kept_update ON solutions_solution",
    "DROP TRIGGER IF EXISTS solutions_catalogue_row_kept ON solutions_solution",
    "DROP FUNCTION IF EXISTS solutions_catalogue_row_kept()",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("solutions", "0011_search_text")]

    operations = [
        migrations.CreateModel(
            name="CatalogueRow",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=200)),
                ("name_lower", models.TextField()),
                ("short_lower", models.TextField()),
                ("development_status", models.CharField(max_length=20)),
                ("licence", models.CharField(max_length=200)),
                ("cooperative_id", models.BigIntegerField()),
                ("developed_by_id", models.BigIntegerField(null=True)),
                ("created_at", models.DateTimeField()),
                ("adoption_count", models.IntegerField()),
            ],
            options={"db_table": "solutions_catalogue_row", "managed": False},
        ),
        migrations.RunPython(create, drop),
    ]
