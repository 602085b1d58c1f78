"""One way to show a date: `{{ sprint.end|long_date }}` is "6 december 2026" in Dutch and
"6 December 2026" in English; `{{ verdict.given_at|long_datetime }}` adds the time in the
viewer's time zone ("6 december 2026, 14:05"); `{{ value|iso }}` is for `<time datetime>`."""

import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()
# Day, month in words, year, in every language: no abbreviations, no order to guess.
LONG_DATE = "j F Y"


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def long_date(value) -> str:
    if not value:
        return ""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return formats.date_format(value, LONG_DATE)


@register.filter
def long_datetime(value) -> str:
    if not value:
        return ""
    if not isinstance(value, datetime.datetime):
        return long_date(value)
    value = _local(value)
    return f"{formats.date_format(value.date(), LONG_DATE)}, {formats.time_format(value, 'H:i')}"


@register.filter
def iso(value) -> str:
    if not value:
        return ""
    return _local(value).isoformat()
