"""Content negotiation for API views that answer with a file rather than JSON."""

from rest_framework.negotiation import BaseContentNegotiation


class FirstRendererNegotiation(BaseContentNegotiation):
    """Ignore the client's Accept header and use the view's first renderer (JSON).

    A view that streams a file answers with the file whatever the client asks for, so an
    `<img>` (which accepts only images) is not refused with 406 before the view runs; the
    renderer only formats refusals, which keep the API's one JSON error shape.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
