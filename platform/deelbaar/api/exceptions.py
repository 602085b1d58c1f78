"""One error shape for the whole API.

Every error answers::

    {"status": 400, "code": "invalid", "detail": "…",
     "errors": [{"field": "title", "code": "required", "message": "This field is required."}]}

`errors` lists each problem with the field it concerns (dotted for nested input, `null` when it
concerns the request as a whole), so a client can put each message beside its input.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from deelbaar.errors import DomainError


def _flatten(detail, field=None):
    """Yield (field, code, message) for DRF's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in (api_settings.NON_FIELD_ERRORS_KEY, "__all__") else str(key)
            yield from _flatten(value, f"{field}.{name}" if field and name else (name or field))
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            for item in detail:
                yield from _flatten(item, field)
        else:
            for index, item in enumerate(detail):
                if item:
                    yield from _flatten(item, f"{field}.{index}" if field else str(index))
    else:
        yield field, getattr(detail, "code", "invalid"), str(detail)


def error_body(status_code: int, code: str, detail: str, errors=()) -> dict:
    return {
        "status": status_code,
        "code": code,
        "detail": detail,
        "errors": [{"field": f, "code": c, "message": m} for f, c, m in errors],
    }


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = error_body(exc.status_code, exc.code, str(exc.message), exc.errors)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        problems = list(_flatten(exc.detail))
        body = error_body(
            response.status_code, "invalid", _("The input is not valid; see errors."), problems
        )
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        message = str(detail) if not isinstance(detail, dict | list) else _("Request failed.")
        body = error_body(response.status_code, code, message, [(None, code, message)])
    response.data = body
    return response


def json_error_response(status_code: int, code: str, message: str, field: str | None = None):
    """For Django-level errors on /api/ paths (unknown URL, server error): same shape."""
    from django.http import JsonResponse

    return JsonResponse(
        error_body(status_code, code, message, [(field, code, message)]), status=status_code
    )


def handler404(request, exception=None):
    from django.views import defaults

    if request.path.startswith("/api/"):
        return json_error_response(status.HTTP_404_NOT_FOUND, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def handler500(request):
    from django.views import defaults

    if request.path.startswith("/api/"):
        return json_error_response(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            "server_error",
            _("Something went wrong on our side; it has been logged."),
        )
    return defaults.server_error(request)
