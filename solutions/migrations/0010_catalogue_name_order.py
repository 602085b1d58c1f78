"""An index in the catalogue's default order (name, then id), on both databases.

With its counts kept in the cache (0009), a listing without a search reads only its page:
the first rows by name. From this index that is a walk over those rows (with a status or other
filter, over the rows until the page is full), where before every solution was sorted to find
them (a top-N sort over 10,000 rows on each listing).
"""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS solutions_solution_name_order ON solutions_solution (name, id)"
DROP = "DROP INDEX IF EXISTS solutions_solution_name_order"


def create(apps, schema_editor):
    schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("solutions", "0009_catalogue_version")]

    operations = [migrations.RunPython(create, drop)]
