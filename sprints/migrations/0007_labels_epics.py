"""Labels and epics of a product's backlog (issue 15): an item may carry several labels and
belong to at most one epic.

The epic column is added to sprints_backlogitem; as 0006 does, the backlog-size triggers
(migration 0002) are dropped before and created again after on SQLite, so a table rebuild
cannot lose them.
"""

from importlib import import_module

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

backlog_size = import_module("sprints.migrations.0002_product_backlog_size")


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            backlog_size._run(schema_editor, statements)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0006_item_assignee"),
    ]

    operations = [
        migrations.RunPython(
            _sqlite(backlog_size.SQLITE_DROP), _sqlite(backlog_size.SQLITE_TRIGGERS)
        ),
        migrations.CreateModel(
            name="Epic",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="created at"
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="epics",
                        to="sprints.product",
                    ),
                ),
            ],
            options={
                "verbose_name": "epic",
                "verbose_name_plural": "epics",
                "ordering": ["product", "title", "id"],
            },
        ),
        migrations.AddField(
            model_name="backlogitem",
            name="epic",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="items",
                to="sprints.epic",
                verbose_name="epic",
            ),
        ),
        migrations.CreateModel(
            name="Label",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50, verbose_name="name")),
                (
                    "colour",
                    models.CharField(
                        choices=[
                            ("grey", "grey"),
                            ("blue", "blue"),
                            ("green", "green"),
                            ("yellow", "yellow"),
                            ("orange", "orange"),
                            ("red", "red"),
                            ("purple", "purple"),
                            ("teal", "blue-green"),
                        ],
                        default="grey",
                        max_length=10,
                        verbose_name="colour",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="labels",
                        to="sprints.product",
                    ),
                ),
            ],
            options={
                "verbose_name": "label",
                "verbose_name_plural": "labels",
                "ordering": ["product", "name"],
            },
        ),
        migrations.AddField(
            model_name="backlogitem",
            name="labels",
            field=models.ManyToManyField(
                blank=True, related_name="items", to="sprints.label", verbose_name="labels"
            ),
        ),
        migrations.AddConstraint(
            model_name="epic",
            constraint=models.CheckConstraint(
                condition=models.Q(("title", ""), _negated=True), name="epic_has_title"
            ),
        ),
        migrations.AddConstraint(
            model_name="label",
            constraint=models.UniqueConstraint(
                fields=("product", "name"), name="label_name_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="label",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "colour__in",
                        ["grey", "blue", "green", "yellow", "orange", "red", "purple", "teal"],
                    )
                ),
                name="label_colour_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="label",
            constraint=models.CheckConstraint(
                condition=models.Q(("name", ""), _negated=True), name="label_has_name"
            ),
        ),
        migrations.RunPython(
            _sqlite(backlog_size.SQLITE_TRIGGERS), _sqlite(backlog_size.SQLITE_DROP)
        ),
    ]
