"""The API's JSON parser (`DEFAULT_PARSER_CLASSES`): DRF's, within `deelbaar.input`'s limits.

Nesting beyond `MAX_JSON_DEPTH` is a 400 "parse_error" (it was a RecursionError, a 500, on every
JSON endpoint, the anonymous token endpoint included); a string holding a character the database
cannot store, or an integer beyond 64 bits, is a 400 "invalid" naming the field, before any
serializer or lookup sees it.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.utils import json

from deelbaar.input import InputError, load_json


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(
                _("The body is not valid %(encoding)s: %(error)s")
                % {"encoding": encoding, "error": error}
            ) from None
        parse_constant = json.strict_constant if self.strict else None
        try:
            return load_json(text, parse_constant=parse_constant)
        except InputError as error:
            if error.code == "too_deep":
                raise exceptions.ParseError(error.message) from None
            field = error.field or api_settings.NON_FIELD_ERRORS_KEY
            detail = ErrorDetail(error.message, code=error.code)
            raise exceptions.ValidationError({field: [detail]}) from None
        except ValueError as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from None
