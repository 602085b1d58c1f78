"""Named checks of the sprints API's input, each answering a clear message for its field."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024

# The first bytes of each image format a screenshot may have; the file's name and the content
# type the client claims are not trusted.
SIGNATURES = (
    ("png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
)


def image_format(upload) -> str | None:
    """The extension of the image format `upload` really is, or None."""
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    for extension, matches in SIGNATURES:
        if matches(head):
            return extension
    return None


class ScreenshotValidator:
    """A PNG, JPEG or WebP image (recognised by its content) of at most 5 MB."""

    def __call__(self, upload):
        if upload.size > MAX_SCREENSHOT_BYTES:
            raise serializers.ValidationError(
                _("A screenshot is at most 5 MB; this one is %(size).1f MB.")
                % {"size": upload.size / 1024 / 1024},
                code="too_large",
            )
        if image_format(upload) is None:
            raise serializers.ValidationError(
                _("A screenshot is a PNG, JPEG or WebP image."), code="not_an_image"
            )


def parse_etag(value: str) -> int:
    """The item version in an `If-Match` header: `"3"`, `W/"3"` or `3`."""
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise serializers.ValidationError(
            {
                "If-Match": _(
                    'If-Match must be the item\'s ETag, such as "3" (one version, not a list).'
                )
            },
            code="invalid",
        )
    return int(value)
