"""Writing the audit trail. Services call `record()` inside their transaction."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder

from cooperative.models import AuditRecord


def _plain(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj, fields) -> dict:
    """The current values of `fields`, as JSON-safe values (foreign keys by id)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)
    return _plain(values)


def diff(before: dict, after: dict) -> dict:
    """Per field that changed: [before, after]."""
    return {
        name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]
    }


def record(
    *,
    actor,
    action: str,
    obj,
    changes: dict | None = None,
    reason: str = "",
    cooperative=None,
    organisation=None,
) -> AuditRecord:
    actor_name = ""
    if actor is not None:
        actor_name = actor.get_full_name() or actor.get_username()
    return AuditRecord.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor_name,
        organisation=organisation,
        cooperative=cooperative,
        action=action,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=_plain(changes or {}),
        reason=reason,
    )
