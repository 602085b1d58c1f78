"""`POST publiccode/validate/`: check a publiccode.yml as the standard and its reference parser
read it, so a municipality can test a file before publishing it (or in its own CI).

Open to anyone, signed in or not: it is a pure check that reads nothing of the library and
writes nothing. What bounds its cost is the size limit (the body is read no further than
`MAX_BYTES`, 256 KB, and anything larger is reported as too large without being parsed), the
parser's own limits (depth, no aliases), and a rate limit: a file of the full size takes about
half a second of CPU to read, so an address may check 20 files a minute anonymously, a signed-in
person 60 (then 429). The answer is 200 with the verdict for
any file, valid or not; a request without a file's text is a 400 in the API's error shape.
"""

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from deelbaar.errors import DomainError
from solutions.api.publiccode import PUBLICCODE_PARSERS, publiccode_body, publiccode_text
from solutions.publiccode import check_publiccode


class ValidateInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=gettext_lazy("The file's text.")
    )


class ProblemSerializer(serializers.Serializer):
    path = serializers.CharField(
        help_text=gettext_lazy('The key path, such as "maintenance.contractors[0].until".')
    )
    code = serializers.CharField()
    message = serializers.CharField()


class ValidationSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text=gettext_lazy("True when there is no error."))
    # DRF's metaclass takes declared fields off the class, so `errors` stays the Serializer's
    # own property at run time; the stubs see a class attribute overriding it.
    errors = ProblemSerializer(many=True)  # type: ignore[assignment]
    warnings = ProblemSerializer(
        many=True,
        help_text=gettext_lazy(
            "Deprecated keys, an older version, and (with ?skipped=true) the checks that "
            "need the network and were not made."
        ),
    )


class AnonymousChecks(AnonRateThrottle):
    scope = "publiccode-validate-anonymous"
    rate = "20/min"


class PersonChecks(UserRateThrottle):
    scope = "publiccode-validate"
    rate = "60/min"


def _boolean(request, name) -> bool:
    values = request.query_params.getlist(name)
    if not values:
        return False
    if len(values) > 1 or values[0].lower() not in ("true", "false", "1", "0"):
        raise DomainError(_("%(name)s is true or false.") % {"name": name}, field=name)
    return values[0].lower() in ("true", "1")


def _plain(problem) -> dict:
    return {"path": problem.path, "code": problem.code, "message": problem.message}


class ValidateView(APIView):
    """Check a publiccode.yml: the verdict, its errors and its warnings, each at its key path."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonymousChecks, PersonChecks]
    parser_classes = PUBLICCODE_PARSERS

    @extend_schema(
        summary=gettext_lazy("Check a publiccode.yml"),
        parameters=[
            OpenApiParameter(
                "skipped",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                required=False,
                description=gettext_lazy(
                    "List the checks that need the network (reachable URLs, oEmbed videos, "
                    "images) as warnings saying they were not made."
                ),
            )
        ],
        request={
            "application/json": ValidateInputSerializer,
            # Any YAML document: the check reports what is wrong with it, whatever it is.
            "application/yaml": OpenApiTypes.ANY,
            "multipart/form-data": OpenApiTypes.OBJECT,
        },
        responses={
            200: ValidationSerializer,
            400: OpenApiResponse(
                description=gettext_lazy("No file's text in the request, in the error shape.")
            ),
            429: OpenApiResponse(
                description=gettext_lazy("Too many checks from this address or person; wait.")
            ),
        },
    )
    def post(self, request):
        text = publiccode_text(request, publiccode_body(request))
        skipped = _boolean(request, "skipped")
        problems = check_publiccode(text, report_skipped=skipped)
        errors = [_plain(p) for p in problems if p.is_error]
        warnings = [_plain(p) for p in problems if not p.is_error]
        return Response({"valid": not errors, "errors": errors, "warnings": warnings})


urlpatterns = [
    path("publiccode/validate/", ValidateView.as_view(), name="publiccode-validate"),
]
