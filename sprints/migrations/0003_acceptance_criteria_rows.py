"""Acceptance criteria become rows, verdicts name them, and drafts keep a tester's answers.

Each item's JSON list of criteria is copied into AcceptanceCriterion rows, in order, before the
column goes. SQLite rebuilds sprints_product and sprints_backlogitem here, which the backlog
size triggers (see 0002) do not survive: they are dropped first and created again at the end.
"""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The backlog size triggers as 0002 made them (a module whose name starts with a digit).
triggers = importlib.import_module("sprints.migrations.0002_product_backlog_size")


def criteria_to_rows(apps, schema_editor):
    BacklogItem = apps.get_model("sprints", "BacklogItem")
    AcceptanceCriterion = apps.get_model("sprints", "AcceptanceCriterion")
    rows = []
    for pk, criteria in BacklogItem.objects.values_list("pk", "acceptance_criteria").iterator():
        texts = [str(c).strip() for c in criteria or [] if str(c).strip()]
        rows += [
            AcceptanceCriterion(item_id=pk, position=index, text=text)
            for index, text in enumerate(texts)
        ]
    AcceptanceCriterion.objects.bulk_create(rows, batch_size=1000)


def rows_to_criteria(apps, schema_editor):
    BacklogItem = apps.get_model("sprints", "BacklogItem")
    AcceptanceCriterion = apps.get_model("sprints", "AcceptanceCriterion")
    criteria = {}
    for row in AcceptanceCriterion.objects.order_by("item", "position", "id").iterator():
        criteria.setdefault(row.item_id, []).append(row.text)
    for pk, texts in criteria.items():
        BacklogItem.objects.filter(pk=pk).update(acceptance_criteria=texts)


def sqlite_triggers_off(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        triggers._run(schema_editor, triggers.SQLITE_DROP)


def sqlite_triggers_on(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        triggers._run(schema_editor, triggers.SQLITE_TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0002_product_backlog_size"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # SQLite rebuilds both tables below; a trigger on one naming the other breaks that.
        migrations.RunPython(sqlite_triggers_off, sqlite_triggers_on),
        migrations.AddField(
            model_name="product",
            name="follow_up_per_criterion",
            field=models.BooleanField(
                default=False,
                help_text="When a tester finds criteria not met, make a follow-up item for each criterion instead of one for the whole item.",
                verbose_name="one follow-up per criterion not met",
            ),
        ),
        migrations.CreateModel(
            name="AcceptanceCriterion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(verbose_name="order")),
                ("text", models.TextField(verbose_name="criterion")),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="criteria",
                        to="sprints.backlogitem",
                    ),
                ),
            ],
            options={
                "verbose_name": "acceptance criterion",
                "verbose_name_plural": "acceptance criteria",
                "ordering": ["item", "position", "id"],
            },
        ),
        migrations.CreateModel(
            name="CriterionVerdict",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("text", models.TextField(verbose_name="criterion")),
                ("met", models.BooleanField(verbose_name="met")),
                ("remarks", models.TextField(blank=True, verbose_name="remarks")),
                (
                    "screenshot",
                    models.FileField(
                        blank=True, upload_to="verdicts/%Y/%m/", verbose_name="screenshot"
                    ),
                ),
                (
                    "criterion",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="verdicts",
                        to="sprints.acceptancecriterion",
                    ),
                ),
                (
                    "verdict",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="criteria",
                        to="sprints.verdict",
                    ),
                ),
            ],
            options={
                "verbose_name": "verdict on a criterion",
                "verbose_name_plural": "verdicts on criteria",
                "ordering": ["verdict", "position", "id"],
            },
        ),
        migrations.AddField(
            model_name="acceptancecriterion",
            name="follows_up",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="follow_up_criteria",
                to="sprints.criterionverdict",
                verbose_name="follows up",
            ),
        ),
        migrations.CreateModel(
            name="DraftAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("met", models.BooleanField(null=True)),
                ("remarks", models.TextField(blank=True)),
                ("screenshot", models.FileField(blank=True, upload_to="verdicts/%Y/%m/")),
                ("saved_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "criterion",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="draft_answers",
                        to="sprints.acceptancecriterion",
                    ),
                ),
                (
                    "increment_item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="draft_answers",
                        to="sprints.incrementitem",
                    ),
                ),
                (
                    "tester",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="draft_answers",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["increment_item", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="criterionverdict",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("met", True), models.Q(("remarks", ""), _negated=True), _connector="OR"
                ),
                name="unmet_criterion_has_remarks",
            ),
        ),
        migrations.AddConstraint(
            model_name="acceptancecriterion",
            constraint=models.CheckConstraint(
                condition=models.Q(("text", ""), _negated=True), name="criterion_has_text"
            ),
        ),
        migrations.AddConstraint(
            model_name="draftanswer",
            constraint=models.UniqueConstraint(
                fields=("increment_item", "tester", "criterion"),
                name="one_draft_answer_per_criterion",
            ),
        ),
        migrations.AddConstraint(
            model_name="draftanswer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("criterion__isnull", True)),
                fields=("increment_item", "tester"),
                name="one_draft_answer_per_item",
            ),
        ),
        migrations.RunPython(criteria_to_rows, rows_to_criteria),
        migrations.RemoveField(model_name="backlogitem", name="acceptance_criteria"),
        migrations.RunPython(sqlite_triggers_on, sqlite_triggers_off),
    ]
