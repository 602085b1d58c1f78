"""What the sprints forms share: the date input, estimates, criteria as text, screenshots."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sprints.models import ESTIMATES

SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024
# The image formats a screenshot may have, by the bytes a file of that format starts with.
IMAGE_SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}
IMAGE_TYPES = "image/png,image/jpeg,image/gif,image/webp"


class DateInput(forms.DateInput):
    """The browser's own date picker; it submits ISO dates, which every locale accepts."""

    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


def _estimate_choices():
    return [("", _("No estimate yet")), *((str(e), str(e)) for e in ESTIMATES)]


def criteria_text(criteria) -> str:
    return "\n".join(criteria or [])
