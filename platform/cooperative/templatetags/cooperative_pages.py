"""Presentation helpers of the cooperative pages: money, inhabitants and the audit trail."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

from cooperative.contributions import inhabitants_of
from cooperative.trail import kind_label

register = template.Library()

# The actions' names come from the trail's one registry (cooperative/trail.py).


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
    return kind_label(action)
