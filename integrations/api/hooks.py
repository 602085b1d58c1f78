"""Incoming push hooks: `POST /api/v1/hooks/{github|gitlab|gitea}/{repository_id}/`.

No session, no token, no CSRF: the provider's signature over the body, keyed with the
repository's hook secret, is the only credential (see `integrations.signatures`). Answers, all
errors in the API's one shape:

- 202 a push to the default branch: recorded, a sync scheduled;
- 200 a repeated delivery ("already received"): the same delivery id, or the same signed body
  under another delivery id within DEELBAAR_HOOK_REPLAY_WINDOW (a replayed capture; see
  integrations/services/hooks.py);
- 200 a push to another branch, a tag or another event such as GitHub's "ping" (acknowledged,
  nothing changed);
- 404 an unknown provider or repository id;
- 401 no signature or token at all; 403 a signature or token that does not match (a caller
  who shows a credential that is wrong is refused, not asked to authenticate);
- 400 a body that is not a JSON object, or a push whose "ref" is not a string;
- 413 a body over 1 MB, by its Content-Length or by what is read;
- 503 the sync could not be queued (the job queue is down): nothing is recorded, so the git
  host's retry counts.

Refusals write nothing.
"""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from deelbaar.errors import DomainError, NotFound
from integrations import signatures
from integrations.models import Repository
from integrations.services import hooks as services
from integrations.services.hooks import MAX_BODY_BYTES, Outcome


def _read_body(request) -> bytes:
    """The raw body, refused before reading when its declared length is too large, and read
    no further than the limit otherwise."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(declared)
    except ValueError:
        raise DomainError(
            _("The Content-Length header is not a number."), field="Content-Length"
        ) from None
    if length > MAX_BODY_BYTES:
        raise services.too_large()
    stream = request.stream  # DRF's: None for an empty body
    body = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
    if len(body) > MAX_BODY_BYTES:
        raise services.too_large()
    return body


class HookView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    # The body is read raw, as signed; no parser touches it.
    parser_classes = []

    @extend_schema(
        operation_id="hooks_receive",
        summary="Receive a push hook from GitHub, GitLab or Gitea",
        request=OpenApiTypes.OBJECT,
        responses={
            200: OpenApiResponse(
                description="Acknowledged: a repeat (same delivery id or same signed body "
                "within the replay window) or nothing to do."
            ),
            202: OpenApiResponse(description="A push to the default branch: sync scheduled."),
            400: OpenApiResponse(description="Malformed JSON."),
            401: OpenApiResponse(description="Not signed."),
            403: OpenApiResponse(description="Wrongly signed."),
            404: OpenApiResponse(description="Unknown provider or repository."),
            413: OpenApiResponse(description="Body over 1 MB."),
            503: OpenApiResponse(description="The sync could not be queued; try again."),
        },
    )
    def post(self, request, provider: str, repository_id: int):
        if signatures.scheme_for(provider) is None:
            raise NotFound(_("There is no hook provider called “%(name)s”.") % {"name": provider})
        body = _read_body(request)
        repository = Repository.objects.filter(pk=repository_id).first()
        if repository is None:
            raise NotFound(_("There is no repository with this id."))
        delivery = services.receive_push(
            provider=provider, repository=repository, headers=request.headers, body=body
        )
        if delivery.outcome == Outcome.SCHEDULED:
            answer, detail = "scheduled", _("Push received; the repository will be synced.")
            code: int = status.HTTP_202_ACCEPTED
        elif delivery.outcome == Outcome.REPEATED:
            answer, detail = "already received", _("This delivery was already received.")
            code = status.HTTP_200_OK
        elif delivery.outcome == Outcome.REPLAYED:
            answer = "already received"
            detail = _("This push was already received under another delivery id; it is ignored.")
            code = status.HTTP_200_OK
        else:
            answer = "ignored"
            detail = _("Acknowledged; only pushes to the default branch start a sync.")
            code = status.HTTP_200_OK
        return Response(
            {"status": answer, "detail": detail, "delivery_id": delivery.delivery_id}, status=code
        )


urlpatterns = [
    path(
        "hooks/<str:provider>/<int:repository_id>/",
        HookView.as_view(),
        name="hook-receive",
    ),
]
