"""The OpenAPI schema: the contract clients are generated from, so it must say what the server does.

- `AutoSchema` documents, for every operation, the error answers it can give, each with the one
  error shape (`Error`), derived from what the view is: authentication → 401, a write or a view
  that checks a rule → 403, an object in the path or a page number → 404, a body or a query →
  400 (and 413 and 415 for a body), a state transition (a POST on one object) → 409, `If-Match`
  → 412 (with `current`), throttling → 429. A view adds what cannot be derived with `@answers(...)`.
- A serializer that refuses unknown keys says so (`additionalProperties: false`) by setting
  `refuses_unknown_fields = True`; text that may not be blank has `minLength: 1`, lists that
  may not be empty `minItems: 1`, a decimal string that may not be negative a pattern
  without the minus sign.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text=_("The input at fault (dotted for nested input); null for the whole request."),
    )
    code = serializers.CharField(help_text=_("A stable, machine-readable code."))
    message = serializers.CharField(help_text=_("What is wrong, in the request's language."))


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """The one shape of every error the API answers."""

    status = serializers.IntegerField(help_text=_("The HTTP status, repeated."))
    code = serializers.CharField(
        help_text=_(
            "invalid, not_authenticated, authentication_failed, permission_denied, not_found, "
            "method_not_allowed, unsupported_media_type, conflict, stale, throttled, "
            "server_error, or a more precise code of the rule that refused the request."
        )
    )
    detail = serializers.CharField(help_text=_("A summary for people."))
    errors = ErrorItemSerializer(many=True, help_text=_("Every problem, each with its field."))


def stale_error(name: str, current) -> type[serializers.Serializer]:
    """The 412 body of a stale write: the error plus `current`, the object as it is now."""
    return extend_schema_serializer(component_name=name)(
        type(
            name,
            (ErrorSerializer,),
            {
                "__doc__": "A stale write: the error, and the object as it is now.",
                "current": current(help_text=_("The object as it is now, with its version.")),
            },
        )
    )


def answers(*statuses: int):
    """Declare error statuses of a view method that `AutoSchema` cannot derive."""

    def mark(function):
        function.error_statuses = frozenset(statuses) | getattr(function, "error_statuses", set())
        return function

    return mark


DESCRIPTIONS = {
    400: _("The request is not valid; `errors` names each problem and its field."),
    401: _("Not signed in, or the credentials sent are not valid."),
    403: _("Signed in, but not allowed to do this to this object."),
    404: _("Not found, or not visible to you."),
    409: _("Not possible in the object's current state."),
    412: _("Someone else changed the object since the version you sent."),
    413: _("The request body is too large."),
    415: _("The request body's content type is not accepted here."),
    429: _("Too many requests; try again later."),
    503: _("A service the change needs (the job queue) cannot be reached; try again later."),
}


class AutoSchema(openapi.AutoSchema):
    def _handler(self):
        name = getattr(self.view, "action", None) or self.method.lower()
        return getattr(self.view, name, None)

    def _may_refuse_signed_in(self) -> bool:
        # Permission classes beyond "signed in or not" refuse someone signed in.
        plain = {"AllowAny", "IsAuthenticated", "IsAuthenticatedOrReadOnly"}
        return any(type(p).__name__ not in plain for p in self.view.get_permissions())

    def error_statuses(self, operation) -> set[int]:
        parameters = operation.get("parameters", [])
        where = {p["in"] for p in parameters}
        names = {p["name"] for p in parameters}
        statuses = set()
        if self.view.get_authenticators():
            statuses.add(401)  # also where signing in is optional: wrong credentials are refused
            if self.method not in SAFE_METHODS or self._may_refuse_signed_in():
                statuses.add(403)
        if "path" in where or "page" in names:
            statuses.add(404)
        if "requestBody" in operation or "query" in where or "header" in where:
            statuses.add(400)
        if "requestBody" in operation:
            statuses |= {413, 415}  # a body over the upload limit; a type not parsed here
        # An @action on one object (a transition such as approve or submit); routers and
        # hand-made routes alike keep `detail` on the action's function.
        if self.method == "POST" and getattr(self._handler(), "detail", False):
            statuses.add(409)
        if "If-Match" in names:
            statuses.add(412)
        if self.view.get_throttles():
            statuses.add(429)
        statuses |= set(getattr(self._handler(), "error_statuses", ()))
        statuses |= set(getattr(self.view, "error_statuses", ()))
        return statuses

    def _get_format_parameters(self):
        # `?format=` is DRF's fallback for browsers; clients negotiate with Accept, which the
        # responses' content types document.
        return []

    def get_auth(self):
        # No authentication at all (signing in, push hooks with their own signatures): no
        # security requirement, rather than an optional one.
        if not self.view.get_authenticators():
            return []
        return super().get_auth()

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        # Derived, and any error the view declared by its description only: all in one shape.
        documented = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
        for status in sorted(self.error_statuses(operation) | documented):
            code = str(status)
            declared = responses.get(code, {})
            if "content" in declared:
                continue  # the view documents this one itself (412 with `current`)
            description = declared.get("description") or DESCRIPTIONS.get(status, "")
            response = OpenApiResponse(ErrorSerializer, description=description)
            responses[code] = self._get_response_for_code(
                response, code, media_types=["application/json"]
            )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and schema is not None and not field.read_only:
            # DRF refuses blank text unless allow_blank (after trimming whitespace).
            if isinstance(field, serializers.CharField) and not field.allow_blank:
                schema.setdefault("minLength", 1)
                if field.trim_whitespace and "pattern" not in schema and "enum" not in schema:
                    schema["pattern"] = r"\S"
            # DRF refuses an empty list where allow_empty is off.
            lists = serializers.ListField | serializers.ManyRelatedField
            if isinstance(field, lists) and not field.allow_empty:
                schema.setdefault("minItems", 1)
        if isinstance(field, serializers.DecimalField) and schema is not None:
            _bound_decimal_string(field, schema)
        return schema


def _bound_decimal_string(field, schema) -> None:
    """A decimal sent as a string gets a pattern but never its bounds (drf-spectacular states
    `minimum` only for a decimal sent as a number): one refused below zero loses the pattern's
    minus sign, so generated clients and Schemathesis know a negative amount is refused."""
    bound = field.min_value
    pattern = schema.get("pattern", "")
    if bound is not None and bound >= 0 and pattern.startswith("^-?"):
        schema["pattern"] = "^" + pattern[len("^-?") :]
