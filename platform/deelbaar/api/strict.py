"""JSON bodies are read as the schema types them: no silent coercion.

DRF's fields are made for forms and query strings, where every value is text: they turn `0`
into `false`, `12` into `"12"`, `"12"` into `12`. In a JSON body that hides a client's mistake
and makes the server accept what the OpenAPI schema calls invalid. So, in JSON bodies only:
text is a string, a boolean `true` or `false`, an integer or an id a whole number (not a
boolean), a number a number, and a decimal (a string in the schema, to keep its exact value)
a string. Forms, multipart uploads and query parameters stay as DRF reads them.

`install()` runs once, from `deelbaar.apps`.
"""

from django.http import QueryDict
from rest_framework import fields, relations


def _in_json_body(field) -> bool:
    data = getattr(field.root, "initial_data", None)
    return data is not None and not isinstance(data, QueryDict)


def _strict(field_class, accepts, error="invalid"):
    loose = field_class.to_internal_value

    def to_internal_value(self, data):
        if _in_json_body(self) and not accepts(data):
            self.fail(error, data_type=type(data).__name__, input_type=type(data).__name__)
        return loose(self, data)

    field_class.to_internal_value = to_internal_value


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def install() -> None:
    _strict(fields.CharField, lambda value: isinstance(value, str))
    _strict(fields.BooleanField, lambda value: isinstance(value, bool))
    _strict(fields.IntegerField, lambda value: isinstance(value, int) and _number(value))
    _strict(fields.FloatField, _number)
    _strict(fields.DecimalField, lambda value: isinstance(value, str))
    # A list of ids is a list: not an object, whose keys DRF would take for the ids.
    _strict(relations.ManyRelatedField, lambda value: isinstance(value, list), error="not_a_list")
    # An id is a whole number: "12" is not one.
    _strict(
        relations.PrimaryKeyRelatedField,
        lambda value: isinstance(value, int) and _number(value),
        error="incorrect_type",
    )
