"""publiccode.yml and a solution's metadata in the API.

- `GET solutions/{slug}/publiccode.yml`: public; the file (application/yaml), or the same
  content as JSON when asked for with `Accept: application/json`.
- `POST solutions/import`: a publiccode.yml as the body (application/yaml, text/yaml or
  text/plain, with `?cooperative=` and optionally `?solution=`), as JSON
  `{"cooperative": slug, "text": ...}`, or as an uploaded `file`. Every problem of the file
  comes back at once in the standard error shape, each with its key path.
- `GET/PUT/PATCH solutions/{slug}/metadata`: for those who may edit the solution; changes carry
  the version read as `If-Match` (required), a stale one answers 412 with the solution as it is
  now.
"""

from collections.abc import Mapping

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperative.models import Cooperative
from cooperative.selectors import coordinated_cooperatives
from deelbaar.api.exceptions import error_body
from deelbaar.api.openapi import answers, stale_error
from deelbaar.api.parsers import JSONParser
from deelbaar.errors import Conflict, DomainError, NotAllowed, StaleObject
from deelbaar.permissions import require
from solutions.api.serializers.metadata import (
    ImportInputSerializer,
    ImportUploadSerializer,
    MetadataInputSerializer,
    MetadataSerializer,
)
from solutions.models import Solution
from solutions.publiccode import (
    MAX_BYTES,
    dump_publiccode,
    export_publiccode,
    metadata_problems,
    validate_publiccode,
)
from solutions.services import metadata as services


# --- Rendering and parsing YAML --------------------------------------------------------------
class PubliccodeRenderer(BaseRenderer):
    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return dump_publiccode(data).encode("utf-8")


class YAMLTextParser(BaseParser):
    """The body as text, read no further than the size limit (the validator names a file that
    is too large, before anything parses it)."""

    media_type = "application/yaml"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return {"text": ""}
        return {"text": stream.read(MAX_BYTES + 1)}


class XYAMLTextParser(YAMLTextParser):
    media_type = "application/x-yaml"


class TextYAMLParser(YAMLTextParser):
    media_type = "text/yaml"


class PlainTextParser(YAMLTextParser):
    media_type = "text/plain"


# What the import and the check take: a JSON object with `text`, the file as the body, or an
# uploaded `file`.
PUBLICCODE_PARSERS = [
    JSONParser,
    YAMLTextParser,
    XYAMLTextParser,
    TextYAMLParser,
    PlainTextParser,
    MultiPartParser,
]


def publiccode_body(request) -> Mapping:
    """The request's body, which must be an object (JSON, form or one of the text parsers)."""
    data = request.data
    if not isinstance(data, Mapping):
        raise DomainError(
            _("Send a JSON object with the publiccode.yml's text, or the file itself."),
            field="text",
        )
    return data


def publiccode_text(request, data: Mapping) -> str | bytes:
    """The publiccode.yml sent: an uploaded `file` (read no further than the size limit) or
    the body's `text`."""
    text = data.get("text")
    upload = request.FILES.get("file")
    if upload is not None:
        text = upload.read(MAX_BYTES + 1)
    if text is None:
        raise DomainError(_("Send the text of a publiccode.yml."), field="text")
    if not isinstance(text, str | bytes):
        raise DomainError(_("The publiccode.yml is text."), field="text")
    return text


def _solution(slug) -> Solution:
    solution = (
        Solution.objects.select_related("cooperative", "developed_by")
        .prefetch_related("categories")
        .filter(slug=slug)
        .first()
    )
    if solution is None:
        raise Http404
    return solution


SLUG = OpenApiParameter(
    "slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=gettext_lazy("The solution's slug."),
)


# --- The file --------------------------------------------------------------------------------
class PubliccodeView(APIView):
    """The solution's publiccode.yml (0.7.0), written from its metadata. Public."""

    permission_classes = [AllowAny]
    renderer_classes = [PubliccodeRenderer, JSONRenderer]

    @extend_schema(
        summary=gettext_lazy("The solution's publiccode.yml"),
        parameters=[SLUG],
        # The same mapping either way: as a YAML document (the default) or as JSON.
        responses={
            (200, "application/yaml"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, slug):
        solution = _solution(slug)
        exported = export_publiccode(solution)
        problems = validate_publiccode(exported)
        if problems:
            # Never an invalid file: say what the metadata still lacks, each at the field the
            # metadata API names, with publiccode.yml's key in the message.
            raise Conflict(
                _("The solution's metadata is not complete enough for a valid publiccode.yml."),
                code="incomplete_metadata",
                problems=[p.as_error() for p in metadata_problems(problems)],
            )
        response = Response(exported)
        response["Content-Disposition"] = 'inline; filename="publiccode.yml"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors keep the API's one error shape, as JSON, whatever the client accepts.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


# --- Import ----------------------------------------------------------------------------------
class ImportView(APIView):
    """Read a publiccode.yml into the library: a new solution (coordinators of the
    cooperative), or new metadata for an existing one (`solution`, for its editors)."""

    permission_classes = [IsAuthenticated]
    parser_classes = PUBLICCODE_PARSERS

    @extend_schema(
        summary=gettext_lazy("Import a solution from its publiccode.yml"),
        parameters=[
            OpenApiParameter(
                "cooperative",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description=gettext_lazy(
                    "The cooperative's slug, when the body is the file itself."
                ),
            ),
            OpenApiParameter(
                "solution",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description=gettext_lazy("A solution's slug, to update it from the file."),
            ),
        ],
        request={
            "application/json": ImportInputSerializer,
            "application/yaml": OpenApiTypes.STR,
            "multipart/form-data": ImportUploadSerializer,
        },
        responses={
            201: MetadataSerializer,
            200: MetadataSerializer,
            400: OpenApiResponse(
                description=gettext_lazy(
                    "Every problem of the file, each with its key path as `field`."
                )
            ),
        },
    )
    @answers(409)  # another solution took the address just now
    def post(self, request):
        solution = self._target(request, request.query_params.get("solution"))
        cooperative = self._cooperative(request, request.query_params.get("cooperative"))
        # Permission first, from the query, so a person who may not import learns nothing
        # from the file's problems; the service checks again as it writes.
        self._check(request, cooperative, solution)
        data = publiccode_body(request)
        if solution is None and data.get("solution"):
            solution = self._target(request, data.get("solution"))
        if cooperative is None and data.get("cooperative"):
            cooperative = self._cooperative(request, data.get("cooperative"))
        if cooperative is None and solution is None:
            cooperative = self._only_cooperative(request)
        self._check(request, cooperative, solution)
        text = publiccode_text(request, data)
        created = solution is None
        solution = services.import_publiccode(
            actor=request.user, cooperative=cooperative, text=text, solution=solution
        )
        solution = _solution(solution.slug)
        response = Response(
            MetadataSerializer(solution).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        response["ETag"] = f'"{solution.version}"'
        return response

    @staticmethod
    def _target(request, slug):
        if not slug:
            return None
        solution = Solution.objects.select_related("cooperative", "source_product").filter(
            slug=slug
        )
        solution = solution.first()
        if solution is None:
            raise DomainError(
                _("There is no solution %(slug)s.") % {"slug": slug}, field="solution"
            )
        return solution

    @staticmethod
    def _cooperative(request, slug):
        if not slug:
            return None
        cooperative = Cooperative.objects.filter(slug=slug).first()
        if cooperative is None:
            raise DomainError(
                _("There is no cooperative %(slug)s.") % {"slug": slug}, field="cooperative"
            )
        return cooperative

    @staticmethod
    def _only_cooperative(request):
        cooperatives = list(coordinated_cooperatives(request.user)[:2])
        if len(cooperatives) == 1:
            return cooperatives[0]
        if not cooperatives:
            raise NotAllowed(_("Only a cooperative's coordinators can import solutions."))
        raise DomainError(
            _("Say which cooperative's library the solution joins (its slug)."),
            field="cooperative",
        )

    @staticmethod
    def _check(request, cooperative, solution):
        if solution is not None:
            require(request.user, "solutions.edit_solution", solution)
        elif cooperative is not None:
            require(request.user, "solutions.import_solution", cooperative)


# --- Metadata --------------------------------------------------------------------------------
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    pattern=r'^\s*(W/)?"?[0-9]+"?\s*$',
    description=gettext_lazy('The solution\'s ETag as read, such as "3".'),
)
STALE = OpenApiResponse(
    stale_error("MetadataStale", MetadataSerializer),
    description=gettext_lazy(
        "Someone else changed the solution since the version you sent; `current` holds it as "
        "it is now."
    ),
)


def _parse_etag(value: str) -> int:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise drf_serializers.ValidationError(
            {"If-Match": _('If-Match is the solution\'s ETag, such as "3".')}
        )
    return int(value)


class MetadataView(APIView):
    """A solution's metadata, for those who may edit it (its cooperative's coordinators and
    its source product's owners)."""

    permission_classes = [IsAuthenticated]

    def _editable(self, request, slug) -> Solution:
        solution = _solution(slug)
        require(request.user, "solutions.edit_solution", solution)
        return solution

    @staticmethod
    def _show(solution, status_code=status.HTTP_200_OK):
        response = Response(MetadataSerializer(solution).data, status=status_code)
        response["ETag"] = f'"{solution.version}"'
        return response

    @answers(403)  # a solution you may see, but not edit
    @extend_schema(
        summary=gettext_lazy("A solution's metadata, to edit"),
        parameters=[SLUG],
        responses=MetadataSerializer,
    )
    def get(self, request, slug):
        return self._show(self._editable(request, slug))

    @extend_schema(
        summary=gettext_lazy("Replace a solution's metadata"),
        parameters=[SLUG, IF_MATCH],
        request=MetadataInputSerializer,
        responses={200: MetadataSerializer, 412: STALE},
    )
    def put(self, request, slug):
        return self._change(request, slug, partial=False)

    @extend_schema(
        summary=gettext_lazy("Change some of a solution's metadata"),
        parameters=[SLUG, IF_MATCH],
        request=MetadataInputSerializer,
        responses={200: MetadataSerializer, 412: STALE},
    )
    def patch(self, request, slug):
        return self._change(request, slug, partial=True)

    def _change(self, request, slug, *, partial):
        solution = self._editable(request, slug)
        serializer = MetadataInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = _plain(serializer.validated_data)
        version = self._version(request)
        try:
            solution = services.update_solution(
                actor=request.user, solution=solution, version=version, **fields
            )
        except StaleObject as stale:
            current = _solution(slug)
            body = error_body(
                stale.status_code,
                stale.code,
                str(stale.message),
                [(stale.field, stale.code, str(stale.message))],
            )
            body["current"] = MetadataSerializer(current).data
            response = Response(body, status=stale.status_code)
            response["ETag"] = f'"{current.version}"'
            return response
        return self._show(_solution(solution.slug))

    @staticmethod
    def _version(request):
        header = request.headers.get("If-Match")
        if header is None:
            raise drf_serializers.ValidationError(
                {
                    "If-Match": drf_serializers.ErrorDetail(
                        _("Send the version you read as the If-Match header (the ETag)."),
                        code="required",
                    )
                }
            )
        return _parse_etag(header)


def _plain(value):
    """Validated data as plain dicts and lists (nested serializers give OrderedDicts)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


urlpatterns = [
    path("solutions/import", ImportView.as_view(), name="solution-import"),
    path(
        "solutions/<slug:slug>/publiccode.yml",
        PubliccodeView.as_view(),
        name="solution-publiccode",
    ),
    path("solutions/<slug:slug>/metadata", MetadataView.as_view(), name="solution-metadata"),
]
