"""Who reads which part of the audit trail."""

from django.db.models import QuerySet

from cooperative.models import AuditRecord
from deelbaar.typing import User


def audit_visible_to(user: User) -> QuerySet[AuditRecord]:
    """Coordinators read their cooperatives' trail; administrators read all of it."""
    records = AuditRecord.objects.select_related("object_type", "organisation", "cooperative")
    if user.is_superuser:
        return records
    return records.filter(cooperative__coordinator__user=user)
