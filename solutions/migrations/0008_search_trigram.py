"""Substring search for the catalogue on PostgreSQL: the pg_trgm extension and a GIN trigram
index on every solution's searched text, lowercased (SQLite reads its rows and needs nothing).

`solutions.search` finds each form of a search's words anywhere inside the text
(`lower(…) LIKE '%vergunning%'` also finds "parkeervergunning"); with this index PostgreSQL
answers that from the trigrams instead of reading every description. The expression must stay
exactly the one `solutions.search._texts("postgresql")["all"]` builds (a test checks the
planner uses the index).
"""

from django.db import migrations

COLUMNS = (
    "name",
    "short_description_nl",
    "short_description_en",
    "long_description_nl",
    "long_description_en",
)
JSON_COLUMNS = ("features_nl", "features_en")
EXPRESSION = (
    "lower("
    + " || ' ' || ".join(
        [f"coalesce(\"{column}\", '')" for column in COLUMNS]
        + [f"coalesce(\"{column}\"::text, '')" for column in JSON_COLUMNS]
    )
    + ")"
)
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS solution_search_text_trgm ON solutions_solution "
    f"USING gin (({EXPRESSION}) gin_trgm_ops)",
]
# The extension stays: other tables may use it by then.
DROP = ["DROP INDEX IF EXISTS solution_search_text_trgm"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("solutions", "0007_publication_request_metadata")]

    operations = [migrations.RunPython(create, drop)]
