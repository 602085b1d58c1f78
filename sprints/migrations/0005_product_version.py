"""A product's version, raised by each edit: the ETag that If-Match checks (issue 12).

On SQLite, adding the column rebuilds sprints_product, which the backlog-size triggers on
sprints_backlogitem name (migration 0002): they are dropped before and created again after.
"""

from importlib import import_module

from django.db import migrations, models

backlog_size = import_module("sprints.migrations.0002_product_backlog_size")


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            backlog_size._run(schema_editor, statements)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0004_sprint_velocity_inclusive_end"),
    ]

    operations = [
        migrations.RunPython(
            _sqlite(backlog_size.SQLITE_DROP), _sqlite(backlog_size.SQLITE_TRIGGERS)
        ),
        migrations.AddField(
            model_name="product",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.RunPython(
            _sqlite(backlog_size.SQLITE_TRIGGERS), _sqlite(backlog_size.SQLITE_DROP)
        ),
    ]
