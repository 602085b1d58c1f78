"""Serving uploaded files. Nothing serves the media folder itself (in production nothing
would: only DEBUG's static view does, and it checks no permission): each upload is served by a
view that first checks the same permission as the object it belongs to, then calls
`upload_response()`.
"""

import mimetypes

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

# Shown in the browser; anything else is offered as a download only.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def upload_response(field_file, *, inline_types=INLINE_IMAGE_TYPES) -> FileResponse:
    """Stream a stored upload: an image of an allowed type inline with its own content type,
    anything else as an `application/octet-stream` attachment, never sniffed, never kept by a
    shared cache (it is only for those allowed to see its object)."""
    if not field_file:
        raise Http404(_("There is no file here."))
    # The type comes from the stored name, which the upload's validation gave the extension
    # of what the bytes really are; the uploader's own claim is never used.
    content_type = mimetypes.guess_type(field_file.name)[0] or ""
    inline = content_type in inline_types
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("There is no file here.")) from None
    response = FileResponse(
        handle,
        content_type=content_type if inline else "application/octet-stream",
        as_attachment=not inline,
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response
