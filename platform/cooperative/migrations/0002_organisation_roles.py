"""Organisation roles: an affiliation is admin or staff; a membership remembers who applied.

Existing applicants become admins of their organisation: the audit trail's `membership.applied`
records name who applied for which organisation.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def applicants_become_admins(apps, schema_editor):
    AuditRecord = apps.get_model("cooperative", "AuditRecord")
    Affiliation = apps.get_model("cooperative", "Affiliation")
    Membership = apps.get_model("cooperative", "Membership")
    ContentType = apps.get_model("contenttypes", "ContentType")
    membership_type = ContentType.objects.filter(
        app_label="cooperative", model="membership"
    ).first()
    if membership_type is None:
        return
    applications = AuditRecord.objects.filter(
        action="membership.applied", object_type=membership_type, actor__isnull=False
    ).values_list("object_id", "actor_id", "organisation_id")
    for membership_id, actor_id, organisation_id in applications:
        Membership.objects.filter(pk=int(membership_id), applied_by__isnull=True).update(
            applied_by_id=actor_id
        )
        Affiliation.objects.filter(user_id=actor_id, organisation_id=organisation_id).update(
            role="admin"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cooperative", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="affiliation",
            name="role",
            field=models.CharField(
                choices=[("admin", "admin"), ("staff", "staff")],
                default="staff",
                max_length=10,
                verbose_name="role",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="applied_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="applied by",
            ),
        ),
        migrations.AddConstraint(
            model_name="affiliation",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["admin", "staff"])),
                name="affiliation_role_known",
            ),
        ),
        migrations.RunPython(applicants_become_admins, migrations.RunPython.noop),
    ]
