"""The catalogue's search index: a GIN index on the search vector, on PostgreSQL only (SQLite
searches with the portable fallback and has no such index)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS solution_search_vector_gin "
            "ON solutions_solution USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS solution_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("solutions", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
