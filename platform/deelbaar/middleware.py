"""Request guards and the API's errors outside the views, for every request.

`RequestGuardMiddleware`:

- refuses a path, query parameter or form field holding a character the database cannot store
  (`deelbaar.input.unstorable`) with 400, before any view looks it up: in the API's one error
  shape under /api/, as a plain 400 page elsewhere. JSON bodies are checked by the API's parser.
  A multipart body that cannot be parsed (no boundary) is such a 400 too ("parse_error").
- answers every error on an /api/ path in the API's error shape, whatever raised it and whether
  DEBUG is on or off: an unexpected exception is logged and answered 500 "server_error" (with
  DEBUG on Django would send its HTML debug page, which no API client can read); a body over
  DATA_UPLOAD_MAX_MEMORY_SIZE is 413, too many fields and other SuspiciousOperations are 400;
  Django's own HTML error pages (a 404 of the URL resolver with DEBUG on, say) become JSON.
"""

import logging

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from deelbaar.api.exceptions import json_error_response
from deelbaar.input import unstorable, unstorable_message

logger = logging.getLogger("django.request")
security_logger = logging.getLogger("django.security")

API_PREFIX = "/api/"
# Exceptions that mean the request was wrong, not the server; Django answers them itself.
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, MultiPartParserError)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _first_unstorable(request) -> tuple[str, str] | None:
    """(parameter or field name, message) of the first unstorable character, or None."""
    sources = [("path", [request.path_info])]
    sources += [(name, values) for name, values in request.GET.lists()]
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.content_type in FORM_TYPES:
        sources += [(name, values) for name, values in request.POST.lists()]
    for name, values in sources:
        for text in [name, *values]:
            character = unstorable(text)
            if character is not None:
                return name, unstorable_message(character)
    return None


def _suspicious_response(request, exception):
    """The API's answer to a body over the limit, too many fields or another tampering sign."""
    security_logger.warning(str(exception), extra={"status_code": 400, "request": request})
    if isinstance(exception, RequestDataTooBig):
        response = json_error_response(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            "too_large",
            _("The request body is too large."),
        )
    else:
        response = json_error_response(
            status.HTTP_400_BAD_REQUEST, "bad_request", _("The request is malformed.")
        )
    response._has_been_logged = True
    return response


def _unreadable_form_response(request, error):
    """A multipart body Django cannot parse (no boundary, say): the client's mistake, so a 400
    naming it and a one-line log, not Django's HTML page and a logged traceback."""
    logger.warning(
        "Bad Request: %s: unreadable multipart body (%s)",
        request.path,
        error,
        extra={"status_code": 400, "request": request},
    )
    message = _(
        "The multipart/form-data body cannot be read: it needs a boundary in the Content-Type "
        "header, and parts separated by it."
    )
    if is_api(request):
        response = json_error_response(status.HTTP_400_BAD_REQUEST, "parse_error", message)
    else:
        response = render(request, "400.html", {"message": message}, status=400)
    response._has_been_logged = True
    return response


def server_error_response():
    return json_error_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR,
        "server_error",
        _("Something went wrong on our side; it has been logged."),
    )


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            problem = _first_unstorable(request)
        except SuspiciousOperation as error:
            if not is_api(request):
                raise  # Django's 400 page
            return _suspicious_response(request, error)
        except MultiPartParserError as error:
            return _unreadable_form_response(request, error)
        if problem is not None:
            name, message = problem
            if is_api(request):
                return json_error_response(
                    status.HTTP_400_BAD_REQUEST, "invalid", message, field=name
                )
            return render(request, "400.html", {"field": name, "message": message}, status=400)
        response = self.get_response(request)
        if (
            is_api(request)
            and response.status_code >= 400
            and _is_html(response)
            # DRF's own answers are already in the shape (as HTML only when a browser asked
            # for the browsable API); the rest are Django's error pages.
            and not isinstance(response, Response)
        ):
            return self._as_api_error(response)
        return response

    def process_exception(self, request, exception):
        if not is_api(request) or isinstance(exception, CLIENT_ERRORS):
            return None  # Django answers these (404, 403, 400); __call__ makes them JSON
        if isinstance(exception, SuspiciousOperation):
            return _suspicious_response(request, exception)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        response = server_error_response()
        response._has_been_logged = True  # with its traceback, above; Django would log it again
        return response

    @staticmethod
    def _as_api_error(response):
        """Django's HTML error page (debug or not) on an API path, in the API's shape."""
        code = response.status_code
        if code == status.HTTP_404_NOT_FOUND:
            return json_error_response(code, "not_found", _("Not found."))
        if code == status.HTTP_413_REQUEST_ENTITY_TOO_LARGE:
            return json_error_response(code, "too_large", _("The request body is too large."))
        if code >= 500:
            return server_error_response()
        if code == status.HTTP_403_FORBIDDEN:
            return json_error_response(
                code, "permission_denied", _("You do not have permission to do this.")
            )
        return json_error_response(code, "bad_request", _("The request is malformed."))


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` from settings.PERMISSIONS_POLICY ({feature: [origins]}; an
    empty list switches the feature off)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
