"""The OpenAPI schema view, generated once per process for each language and version.

The schema changes only with the code, and generating it walks every view and serializer
(about 140 ms, more with each endpoint); rendering it stays per request, in the format asked
for. It is public (SERVE_PUBLIC), so it does not depend on who asks. What goes into it is
decided by `deelbaar.api.openapi.AutoSchema`.
"""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    _generated: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version, self.serve_public)
        schema = self._generated.get(key)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = generator.get_schema(request=request, public=self.serve_public)
            self._generated[key] = schema
        filename = self._get_filename(request, version)
        return Response(
            data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )
