"""Presentation helpers of the cooperative pages: money, inhabitants and the audit trail."""

from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from cooperative.contributions import inhabitants_of

register = template.Library()

# Readable names for the actions the trail records; an action not listed shows its code.
ACTION_LABELS = {
    "membership.applied": _("Applied for membership"),
    "membership.approved": _("Membership approved"),
    "membership.rejected": _("Membership rejected"),
    "membership.activated": _("Payment recorded, membership active"),
    "membership.left": _("Membership ended"),
    "cooperative.created": _("Cooperative created"),
    "cooperative.policy_changed": _("Joining contribution changed"),
    "cooperative.coordinator_appointed": _("Coordinator appointed"),
    "organisation.registered": _("Organisation registered"),
    "organisation.person_added": _("Person added to organisation"),
}


def format_euro(value) -> str:
    """An amount in the current language's notation: cents always, a rate's extra decimals."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    decimals = min(4, max(2, -amount.normalize().as_tuple().exponent))
    return formats.number_format(amount, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def euro(value):
    return format_euro(value)


@register.filter
def inhabitants(organisation):
    """The inhabitants an organisation speaks for (a joint arrangement: its municipalities)."""
    return inhabitants_of(organisation)


@register.filter
def action_label(action):
    return ACTION_LABELS.get(action, action)


def _shown(value):
    if value is None or value == "" or value == []:
        return _("(none)")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _field_label(model, name):
    """The field's own (translated) name; a change that is no model field keeps its key."""
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        field = None
    return getattr(field, "verbose_name", None) or name


@register.filter
def audit_changes(record):
    """Each change of an audit record as field, label, before and after."""
    model = record.object_type.model_class()
    changes = []
    for name, pair in (record.changes or {}).items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        changes.append(
            {
                "field": name,
                "label": _field_label(model, name),
                "before": _shown(before),
                "after": _shown(after),
            }
        )
    return changes
