"""Who works on a backlog item: one member of the product's team, or nobody (issue 15).

A nullable column is added in place on SQLite (no table rebuild), but the backlog-size
triggers on sprints_backlogitem (migration 0002) are dropped before and created again after
all the same, as 0005 does, so a Django version that rebuilds the table cannot lose them.
"""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

backlog_size = import_module("sprints.migrations.0002_product_backlog_size")


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            backlog_size._run(schema_editor, statements)

    return run


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("sprints", "0005_product_version"),
    ]

    operations = [
        migrations.RunPython(
            _sqlite(backlog_size.SQLITE_DROP), _sqlite(backlog_size.SQLITE_TRIGGERS)
        ),
        migrations.AddField(
            model_name="backlogitem",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assigned_items",
                to=settings.AUTH_USER_MODEL,
                verbose_name="assignee",
            ),
        ),
        migrations.RunPython(
            _sqlite(backlog_size.SQLITE_TRIGGERS), _sqlite(backlog_size.SQLITE_DROP)
        ),
    ]
