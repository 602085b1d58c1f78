"""A publication request carries the metadata a valid publiccode.yml needs, set on approval."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("solutions", "0006_catalogue_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="publicationrequest",
            name="metadata",
            field=models.JSONField(blank=True, default=dict, verbose_name="metadata"),
        ),
    ]
