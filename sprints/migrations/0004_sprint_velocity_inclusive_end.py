"""A closed sprint keeps its velocity, and a sprint's `end` is its last day, inclusive.

Velocity was summed from the item history whenever it was read, so an item of a closed sprint
accepted later raised that sprint's figure. Each closed sprint now stores the points accepted
in it up to its closing. Until now `end` was the day after the last (start plus the length,
the next sprint's start): every existing sprint ends a day earlier, on its last day.
"""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import Sum


def fix_velocity_and_end(apps, schema_editor):
    Sprint = apps.get_model("sprints", "Sprint")
    ItemChange = apps.get_model("sprints", "ItemChange")
    for sprint in Sprint.objects.all().iterator():
        sprint.end = max(sprint.end - timedelta(days=1), sprint.start + timedelta(days=1))
        if sprint.state == "closed":
            accepted = ItemChange.objects.filter(sprint=sprint, field="status", new="accepted")
            if sprint.closed_at is not None:
                accepted = accepted.filter(at__lte=sprint.closed_at)
            sprint.velocity = accepted.aggregate(total=Sum("points"))["total"] or 0
        sprint.save(update_fields=["end", "velocity"])


def restore_end(apps, schema_editor):
    Sprint = apps.get_model("sprints", "Sprint")
    for sprint in Sprint.objects.all().iterator():
        sprint.end = sprint.end + timedelta(days=1)
        sprint.save(update_fields=["end"])


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0003_acceptance_criteria_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="sprint",
            name="velocity",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="velocity"
            ),
        ),
        migrations.RunPython(fix_velocity_and_end, restore_end),
    ]
