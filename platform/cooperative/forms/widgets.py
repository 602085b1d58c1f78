"""Widgets shared by the cooperative's forms."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's own date picker; it submits ISO dates, which every locale accepts."""

    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value
