"""The catalogue's version: a token the database sets anew whenever what the catalogue counts
changes, so its counts can be kept in the cache under that token (selectors/catalogue.py).

One row in `solutions_catalogue_version` (no model: only SQL reads it). Triggers give it a new
random token after every insert, update or delete of a solution or of a solution's category
(TRUNCATE too, on PostgreSQL), and after a cooperative or an organisation is renamed or gets a
new slug (the facets show their names and filter by slug). Being written in the transaction
of the change, the new token is seen exactly when the change is: a count made from an older
state can never be stored under it. The token is random rather than a counter, so a change
rolled back (as every test's is) and another made after it never share one, nor does a
database made again from nothing with a cache that still holds counts of the old one.
"""

from django.db import migrations

TABLE = "solutions_catalogue_version"
# What changes the catalogue's counts: (table, PostgreSQL events, SQLite events).
WATCHED = [
    ("solutions_solution", "INSERT OR UPDATE OR DELETE", ["INSERT", "UPDATE", "DELETE"]),
    ("solutions_solutioncategory", "INSERT OR UPDATE OR DELETE", ["INSERT", "UPDATE", "DELETE"]),
    ("cooperative_cooperative", "UPDATE OF name, slug", ["UPDATE OF name, slug"]),
    ("cooperative_organisation", "UPDATE OF name, slug", ["UPDATE OF name, slug"]),
]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION solutions_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO solutions_catalogue_version (id, token)
    VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$;
"""
SQLITE_BUMP = (
    "INSERT INTO solutions_catalogue_version (id, token) VALUES (1, lower(hex(randomblob(16)))) "
    "ON CONFLICT(id) DO UPDATE SET token = excluded.token;"
)


def _name(table, event=""):
    suffix = event.split()[0].lower() if event else ""
    return f"{table}_catalogue_changed{'_' + suffix if suffix else ''}"


def create(apps, schema_editor):
    execute = schema_editor.execute
    execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY, token varchar(32) NOT NULL)"
    )
    if schema_editor.connection.vendor == "postgresql":
        execute(POSTGRES_FUNCTION)
        for table, events, _ in WATCHED:
            # Once per statement: a bulk insert of 10,000 solutions sets one token.
            execute(f"DROP TRIGGER IF EXISTS {_name(table)} ON {table}")
            execute(
                f"CREATE TRIGGER {_name(table)} AFTER {events} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION solutions_catalogue_changed()"
            )
        for table in ("solutions_solution", "solutions_solutioncategory"):
            execute(f"DROP TRIGGER IF EXISTS {_name(table, 'truncate')} ON {table}")
            execute(
                f"CREATE TRIGGER {_name(table, 'truncate')} AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION solutions_catalogue_changed()"
            )
        execute(
            "INSERT INTO solutions_catalogue_version (id, token) VALUES (1, md5(random()::text)) "
            "ON CONFLICT DO NOTHING"
        )
    else:
        # SQLite has row triggers only; one writer at a time, so each is a short write.
        for table, _, events in WATCHED:
            for event in events:
                execute(f"DROP TRIGGER IF EXISTS {_name(table, event)}")
                execute(
                    f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} "
                    f"BEGIN {SQLITE_BUMP} END"
                )
        execute(
            "INSERT OR IGNORE INTO solutions_catalogue_version (id, token) "
            "VALUES (1, lower(hex(randomblob(16))))"
        )


def drop(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table, _, _ in WATCHED:
            execute(f"DROP TRIGGER IF EXISTS {_name(table)} ON {table}")
        for table in ("solutions_solution", "solutions_solutioncategory"):
            execute(f"DROP TRIGGER IF EXISTS {_name(table, 'truncate')} ON {table}")
        execute("DROP FUNCTION IF EXISTS solutions_catalogue_changed()")
    else:
        for table, _, events in WATCHED:
            for event in events:
                execute(f"DROP TRIGGER IF EXISTS {_name(table, event)}")
    execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("solutions", "0008_search_trigram"),
        ("cooperative", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
