"""A covering index for the catalogue without a search (PostgreSQL only).

Listing and counting the facets without a search text reads every solution's facet and sort
columns; from the table that means reading its whole heap, long descriptions and search vectors
included (19 MB at 10,000 solutions), while this index holds just those columns (about 1 MB), so
PostgreSQL reads it alone (an index-only scan). Not in the model's Meta: Django creates INCLUDE
indexes on PostgreSQL only and the catalogue on SQLite does not need it.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS solutions_solution_catalogue ON solutions_solution "
    "(development_status, licence, cooperative_id, developed_by_id, id) "
    "INCLUDE (name, created_at, adoption_count)"
)
DROP = "DROP INDEX IF EXISTS solutions_solution_catalogue"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("solutions", "0005_similar_words_sqlite")]

    operations = [migrations.RunPython(create, drop)]
